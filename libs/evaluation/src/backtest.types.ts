import type { Side, TradeCost } from '@quant/market';
import type { CostModel } from './cost-models';
import type { PortfolioMetrics } from './risk-metrics';

/** A model score for a stock, formed at the close of `date`; it trades on the next session. */
export interface BacktestSignal {
  date: string;
  code: string;
  score: number;
}

/**
 * - `topk-dropout` (Qlib's TopkDropoutStrategy, method_sell bottom, method_buy top): each day rank the
 *   holdings and the best non-held stocks together; sell the holdings among the `nDrop` worst of that
 *   combined list, then buy the best non-held stocks to refill the portfolio to `topk`.
 * - `topk`: hold the `topk` best-scored stocks: sell every holding that left the top K, buy the entrants.
 */
export type BacktestStrategy = { kind: 'topk-dropout'; topk: number; nDrop: number } | { kind: 'topk'; topk: number };

export interface BacktestOptions {
  strategy: BacktestStrategy;
  /** First and last trading day of the backtest, inclusive. */
  start: string;
  end: string;
  /** Price the orders deal at on the trade day (T+1 of the signal); default `open`. */
  dealPrice?: 'open' | 'close';
  /** Starting cash in CNY; default 100,000,000 (Qlib's account). */
  initialCash?: number;
  /** Positions held at the start (e.g. a live account), with the day they were bought (T+1). */
  initialPositions?: readonly { code: string; shares: number; boughtOn?: string }[];
  /** Share of the available cash spent on buys each day (Qlib's risk_degree); default 0.95. */
  riskDegree?: number;
  /** Default: A-share costs at the dated rates with the default broker terms. */
  costs?: CostModel;
  /** Annual risk-free rate for the Sharpe ratio; default 0. */
  riskFreeRate?: number;
  /**
   * What a refused order does to the rest of the day. `refill` (default): a refused sell takes one buy
   * off (never above topk) and a refused buy passes to the next candidate. `qlib`: as Qlib's
   * TopkDropoutStrategy, buys are counted on the intended sells (topk + 1 holdings when a sell is
   * refused), a refused buy's share of the cash stays idle, and a stock at either limit is neither
   * bought nor sold (Qlib checks tradability without a direction). For comparisons with Qlib only.
   */
  blockedOrders?: 'refill' | 'qlib';
}

/** Why an intended order did not trade (or traded less). */
export type BlockReason =
  | 'suspended'
  | 'no-quote'
  | 'up-limit'
  | 'down-limit'
  | 't+1'
  | 'lot'
  | 'cash';

export interface BacktestTrade {
  code: string;
  side: Side;
  shares: number;
  /** Raw deal price. */
  price: number;
  /** shares * price. */
  value: number;
  cost: TradeCost;
}

export interface BlockedOrder {
  code: string;
  side: Side;
  reason: BlockReason;
  detail: string;
}

export interface BacktestPosition {
  code: string;
  /** May be fractional after a corporate action (bonus shares, reinvested dividends). */
  shares: number;
  /** Raw close used to value it (the last traded close while suspended). */
  price: number;
  value: number;
  /** Day of the last buy: T+1 forbids selling those shares that day. */
  boughtOn: string;
}

/** One session of a backtest, with Qlib's report columns (`return`, `bench`, `cost`, `turnover`). */
export interface BacktestDay {
  date: string;
  /** Session whose scores drove today's orders; null when there was none. */
  signalDate: string | null;
  /** Cash + positions at the close, CNY. */
  value: number;
  cash: number;
  /** Return before costs: (value change + costs) / previous value (Qlib's `return`). */
  return: number;
  /** Costs / previous value (Qlib's `cost`). */
  cost: number;
  /** Return after costs: value / previous value - 1. */
  netReturn: number;
  /** Benchmark return. */
  bench: number;
  /** return - bench - cost. */
  excessReturn: number;
  /** (bought + sold value) / previous value (Qlib's `turnover`). */
  turnover: number;
  /** Costs paid today, CNY. */
  costs: number;
  positions: BacktestPosition[];
  trades: BacktestTrade[];
  blocked: BlockedOrder[];
}

export interface BacktestSummary extends PortfolioMetrics {
  initialValue: number;
  finalValue: number;
  totalCosts: number;
  tradeCount: number;
  /** Intended orders that could not trade, by reason. */
  blockedByReason: Partial<Record<BlockReason, number>>;
}

export interface BacktestResult {
  days: BacktestDay[];
  summary: BacktestSummary;
}
