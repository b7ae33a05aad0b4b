import { metricsRecord, portfolioMetrics, signalClassificationMetrics, signalMetrics } from '@quant/evaluation';
import type { ClassificationMetrics, DailyPortfolioReturn, MetricsRecord, SignalMetrics, SignalRow } from '@quant/evaluation';
import type { SegmentPredictions } from '@quant/training';
import { dailyZScores } from './ensemble';

/** One model's (or the ensemble's) line of metrics.json: snake_case, Qlib's definitions (METRICS.md of @quant/evaluation), null where undefined. */
export type RunMetrics = MetricsRecord;

/** Keys issue 7 requires in every line, null until the backtest fills them (e.g. a test segment of one day). */
const FINANCIAL_KEYS = ['annualized_return', 'annualized_excess_return', 'information_ratio', 'max_drawdown', 'sharpe', 'win_rate', 'turnover'] as const;

/** Qlib's signal analysis plus the classification on the label's sign. */
export type SignalEvaluation = SignalMetrics & { classification: ClassificationMetrics };

function signalRows(predictions: SegmentPredictions, scores: Float64Array): SignalRow[] {
  const rows: SignalRow[] = [];
  for (let i = 0; i < scores.length; i++) {
    const label = predictions.label[i] as number;
    if (!Number.isFinite(label) || !Number.isFinite(scores[i] as number)) continue;
    rows.push({ date: predictions.dates[predictions.date[i] as number] as string, code: predictions.codes[predictions.code[i] as number] as string, score: scores[i] as number, label });
  }
  return rows;
}

/**
 * IC, rank IC and their IRs against the raw label, and classification on the label's sign: a row is
 * predicted positive when its score is above the day's mean (scores z-scored per day, so every model
 * and the ensemble are judged alike whatever their scale).
 */
export function evaluateSignal(predictions: SegmentPredictions, scores: Float64Array): SignalEvaluation {
  return { ...signalMetrics(signalRows(predictions, scores)), classification: signalClassificationMetrics(signalRows(predictions, dailyZScores(predictions.date, scores)), 'sign') };
}

/** The metrics.json entry from the signal evaluation and the backtest's daily report. */
export function runMetrics(signal: SignalEvaluation, daily: readonly DailyPortfolioReturn[]): RunMetrics {
  const empty = Object.fromEntries(FINANCIAL_KEYS.map((k) => [k, null]));
  return { ...empty, ...metricsRecord({ signal, classification: signal.classification, ...(daily.length > 1 ? { portfolio: portfolioMetrics(daily) } : {}) }) };
}
