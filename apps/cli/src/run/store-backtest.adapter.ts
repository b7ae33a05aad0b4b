import { aShareCosts, inMemoryBacktestMarket, isTradedQuote, qlibCosts, runBacktest } from '@quant/evaluation';
import type { BacktestMarket, BacktestResult, BacktestSignal, CostModel, MarketBar } from '@quant/evaluation';
import { DEFAULT_BROKER_TERMS } from '@quant/market';
import type { StoredBar } from '@quant/market-data';
import type { WorkflowBacktest } from '@quant/training';

/** Sessions of bars read before the backtest's start for the first days' reference closes. */
const PREVIOUS_CLOSE_LOOKBACK = 60;

/** The store reads the backtest needs (MarketDataRepository fits). */
export interface BacktestBarsReader {
  calendar(market: string): Promise<string[]>;
  /** Bars of many instruments over [from, to] in one read, ascending per code. */
  barsMany(codes: readonly string[], from: string, to: string): Promise<Map<string, StoredBar[]>>;
  instruments(): Promise<Array<{ code: string; firstDate: string }>>;
}

/**
 * The backtest's market port over the store: every instrument's raw bars of [from, to] (ST flags as
 * stored; a source without them counts as not ST), the benchmark index's closes and the listing days,
 * held in memory for the run (CSI300 over 3.5 years is ~0.5 M bars).
 */
export async function loadBacktestMarket(reader: BacktestBarsReader, input: { market: string; codes: readonly string[]; benchmark: string; from: string; to: string }): Promise<BacktestMarket> {
  const calendar = await reader.calendar(input.market);
  const sessions = calendar.filter((d) => d >= input.from && d <= input.to);
  // Bars from PREVIOUS_CLOSE_LOOKBACK sessions earlier give each in-range bar its reference close, so a
  // stock suspended on the first test days is still checked against its price limits when it resumes.
  const first = calendar.findIndex((d) => d >= input.from);
  const readFrom = first > 0 ? (calendar[Math.max(0, first - PREVIOUS_CLOSE_LOOKBACK)] as string) : input.from;
  const bars: MarketBar[] = [];
  const stored = await reader.barsMany([...input.codes, input.benchmark], readFrom, input.to);
  for (const code of input.codes) {
    let lastAdjusted: number | undefined;
    for (const b of stored.get(code) ?? []) {
      const factor = b.factor ?? 1;
      const bar: MarketBar = { code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, traded: b.traded, isST: b.isST ?? false, factor };
      // The engine's own rule: the last traded raw close brought to today's share basis by the factors.
      if (lastAdjusted !== undefined) bar.prevClose = lastAdjusted / factor;
      if (b.date >= input.from) bars.push(bar);
      if (isTradedQuote({ ...bar, isST: bar.isST ?? false, factor })) lastAdjusted = b.close * factor;
    }
  }
  const benchmark = (stored.get(input.benchmark) ?? []).filter((b) => b.date >= input.from && (b.traded || b.close > 0)).map((b) => ({ date: b.date, close: b.close * (b.factor ?? 1) }));
  const wanted = new Set(input.codes);
  const listDates = Object.fromEntries((await reader.instruments()).filter((i) => wanted.has(i.code)).map((i) => [i.code, i.firstDate]));
  return inMemoryBacktestMarket({ bars, benchmark, sessions, listDates });
}

/** The cost model of a workflow's `backtest.costs`. */
export function workflowCosts(costs: WorkflowBacktest['costs']): CostModel {
  if (costs.model === 'qlib') return qlibCosts(costs.openCost ?? 0.0005, costs.closeCost ?? 0.0015, costs.minCost ?? 5);
  return aShareCosts({ ...DEFAULT_BROKER_TERMS, ...(costs.commissionRate !== undefined ? { commissionRate: costs.commissionRate } : {}), ...(costs.minCommission !== undefined ? { minCommission: costs.minCommission } : {}) });
}

/**
 * Trades one score series over [start, end] with the workflow's strategy: signals of day T act at
 * T+1, so the last test day's scores trade after the segment and the first test day trades nothing.
 */
export function backtestScores(market: BacktestMarket, signals: readonly BacktestSignal[], settings: WorkflowBacktest, start: string, end: string): BacktestResult {
  return runBacktest(market, signals, {
    strategy: settings.strategy === 'topk' ? { kind: 'topk', topk: settings.topk } : { kind: 'topk-dropout', topk: settings.topk, nDrop: settings.nDrop },
    start,
    end,
    dealPrice: settings.dealPrice,
    initialCash: settings.initialCash,
    costs: workflowCosts(settings.costs),
    blockedOrders: settings.blockedOrders,
  });
}
