import { QuantError } from '@quant/errors';
import { mean, sampleStd } from './statistics';

/** Qlib's annualisation scaler for daily data (`cal_risk_analysis_scaler`: 238 trading days). */
export const TRADING_DAYS_PER_YEAR = 238;

/** Qlib `risk_analysis(r, mode='sum')`. */
export interface RiskAnalysis {
  mean: number;
  /** Sample standard deviation (ddof 1). */
  std: number;
  /** mean * N: returns are summed, not compounded. */
  annualizedReturn: number;
  /** mean / std * sqrt(N). */
  informationRatio: number;
  /** Most negative gap between the cumulative sum of returns and its running maximum (<= 0). */
  maxDrawdown: number;
}

/**
 * Qlib's risk analysis of a daily return series in its default 'sum' mode. The running maximum starts
 * at the first cumulative value, as pandas' `cumsum().cummax()`, not at 0.
 */
export function riskAnalysis(returns: ArrayLike<number>, periodsPerYear = TRADING_DAYS_PER_YEAR): RiskAnalysis {
  for (let i = 0; i < returns.length; i++) {
    if (!Number.isFinite(returns[i] as number)) {
      throw new QuantError('EVALUATION_INPUT_INVALID', `return ${i} is not a finite number (${returns[i]})`, { details: { index: i } });
    }
  }
  const m = mean(returns);
  const s = sampleStd(returns);
  return {
    mean: m,
    std: s,
    annualizedReturn: m * periodsPerYear,
    informationRatio: (m / s) * Math.sqrt(periodsPerYear),
    maxDrawdown: maxDrawdownOfSum(returns),
  };
}

/** min over t of (cumsum_t - max_{s<=t} cumsum_s); NaN for an empty series. */
export function maxDrawdownOfSum(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  return cumulativeCurves(returns).drawdown.reduce((worst, d) => Math.min(worst, d), 0);
}

/** One day of a portfolio report, with Qlib's report columns. */
export interface DailyPortfolioReturn {
  date: string;
  /** Return before costs (Qlib's `return`: (earning + cost) / previous value). */
  return: number;
  /** Benchmark return. */
  bench: number;
  /** Costs paid that day / previous portfolio value (Qlib's `cost`). */
  cost: number;
  /** Value traded (buys + sells) / previous portfolio value (Qlib's `turnover`). */
  turnover: number;
}

export interface PortfolioMetricsOptions {
  /** Annual risk-free rate for the Sharpe ratio; default 0. */
  riskFreeRate?: number;
  periodsPerYear?: number;
}

/** The financial summary of a backtest, Qlib's port-analysis record plus Sharpe, win rate and turnover. */
export interface PortfolioMetrics {
  /** Risk analysis of return - bench (before costs), Qlib's `excess_return_without_cost`. */
  excessReturnWithoutCost: RiskAnalysis;
  /** Risk analysis of return - bench - cost, Qlib's `excess_return_with_cost` (its published table). */
  excessReturnWithCost: RiskAnalysis;
  /** Risk analysis of the portfolio's own return after costs. */
  returnWithCost: RiskAnalysis;
  /** Risk analysis of the benchmark. */
  benchmark: RiskAnalysis;
  /** = returnWithCost.annualizedReturn. */
  annualizedReturn: number;
  /** = excessReturnWithCost.annualizedReturn. */
  annualizedExcessReturn: number;
  /** = excessReturnWithCost.informationRatio. */
  informationRatio: number;
  /** = excessReturnWithCost.maxDrawdown (Qlib's published max drawdown is of the excess return). */
  maxDrawdown: number;
  /** (mean(return - cost) - riskFreeRate / N) / std(return - cost) * sqrt(N). */
  sharpe: number;
  /** Share of days whose excess return after costs is > 0. */
  winRate: number;
  /** Mean daily turnover. */
  turnover: number;
  days: number;
}

/** Financial metrics from a daily report (Qlib's risk_analysis applied as its PortAnaRecord does). */
export function portfolioMetrics(days: readonly DailyPortfolioReturn[], options: PortfolioMetricsOptions = {}): PortfolioMetrics {
  const n = options.periodsPerYear ?? TRADING_DAYS_PER_YEAR;
  const rf = options.riskFreeRate ?? 0;
  const net = days.map((d) => d.return - d.cost);
  const excess = days.map((d) => d.return - d.bench - d.cost);
  const withCost = riskAnalysis(excess, n);
  const own = riskAnalysis(net, n);
  return {
    excessReturnWithoutCost: riskAnalysis(days.map((d) => d.return - d.bench), n),
    excessReturnWithCost: withCost,
    returnWithCost: own,
    benchmark: riskAnalysis(days.map((d) => d.bench), n),
    annualizedReturn: own.annualizedReturn,
    annualizedExcessReturn: withCost.annualizedReturn,
    informationRatio: withCost.informationRatio,
    maxDrawdown: withCost.maxDrawdown,
    sharpe: ((own.mean - rf / n) / own.std) * Math.sqrt(n),
    winRate: days.length ? excess.filter((x) => x > 0).length / days.length : NaN,
    turnover: mean(days.map((d) => d.turnover)),
    days: days.length,
  };
}

/** Cumulative sum of returns and its drawdown from the running peak, per day (Qlib's report curves). */
export function cumulativeCurves(returns: ArrayLike<number>): { cumulative: number[]; drawdown: number[] } {
  const cumulative: number[] = [];
  const drawdown: number[] = [];
  let cum = 0;
  let peak = -Infinity;
  for (let i = 0; i < returns.length; i++) {
    cum += returns[i] as number;
    peak = Math.max(peak, cum);
    cumulative.push(cum);
    drawdown.push(cum - peak);
  }
  return { cumulative, drawdown };
}
