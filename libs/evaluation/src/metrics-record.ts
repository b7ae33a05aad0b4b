import type { ClassificationMetrics } from './classification-metrics';
import type { RegressionMetrics } from './regression-metrics';
import type { PortfolioMetrics } from './risk-metrics';
import type { SignalMetrics } from './signal-metrics';

/** A flat, JSON-safe record of metrics with snake_case keys (the `metrics.json` of a run). */
export type MetricsRecord = Record<string, number | null>;

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/**
 * The metrics of one model (or the ensemble) under the keys `metrics.json` uses: signal (ic, icir,
 * rank_ic, rank_icir, ic_days), classification (accuracy, precision, recall, f1, auc, mcc,
 * accuracy_p_value), regression (mse, mae) and backtest (annualized_return, annualized_excess_return,
 * information_ratio, max_drawdown, sharpe, win_rate, turnover, plus the excess return before costs).
 * Parts not given are left out; NaN becomes null.
 */
export function metricsRecord(parts: {
  signal?: SignalMetrics;
  classification?: ClassificationMetrics;
  regression?: RegressionMetrics;
  portfolio?: PortfolioMetrics;
}): MetricsRecord {
  const out: MetricsRecord = {};
  const { signal: s, classification: c, regression: r, portfolio: p } = parts;
  if (s) Object.assign(out, { ic: finite(s.ic), icir: finite(s.icir), rank_ic: finite(s.rankIc), rank_icir: finite(s.rankIcir), ic_days: s.days });
  if (c) {
    Object.assign(out, {
      accuracy: finite(c.accuracy),
      precision: finite(c.precision),
      recall: finite(c.recall),
      f1: finite(c.f1),
      auc: finite(c.auc),
      mcc: finite(c.mcc),
      accuracy_p_value: finite(c.accuracyPValue),
    });
  }
  if (r) Object.assign(out, { mse: finite(r.mse), mae: finite(r.mae) });
  if (p) {
    Object.assign(out, {
      annualized_return: finite(p.annualizedReturn),
      annualized_excess_return: finite(p.annualizedExcessReturn),
      information_ratio: finite(p.informationRatio),
      max_drawdown: finite(p.maxDrawdown),
      sharpe: finite(p.sharpe),
      win_rate: finite(p.winRate),
      turnover: finite(p.turnover),
      annualized_excess_return_without_cost: finite(p.excessReturnWithoutCost.annualizedReturn),
      information_ratio_without_cost: finite(p.excessReturnWithoutCost.informationRatio),
      backtest_days: p.days,
    });
  }
  return out;
}
