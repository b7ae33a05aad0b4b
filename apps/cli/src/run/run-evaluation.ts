import { portfolioMetrics, signalClassificationMetrics, signalMetrics } from '@quant/evaluation';
import type { ClassificationMetrics, DailyPortfolioReturn, SignalMetrics, SignalRow } from '@quant/evaluation';
import type { SegmentPredictions } from '@quant/training';
import { dailyZScores } from './ensemble';

/** One model's (or the ensemble's) line of metrics.json: snake_case, Qlib's definitions (METRICS.md of @quant/evaluation). */
export interface RunMetrics {
  ic: number;
  icir: number;
  rank_ic: number;
  rank_icir: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number;
  mcc: number;
  accuracy_p_value: number;
  annualized_return: number;
  annualized_excess_return: number;
  information_ratio: number;
  max_drawdown: number;
  annualized_excess_return_without_cost: number;
  information_ratio_without_cost: number;
  max_drawdown_without_cost: number;
  sharpe: number;
  win_rate: number;
  turnover: number;
  /** Days with an IC; rows with a label. */
  signal_days: number;
  signal_rows: number;
  backtest_days: number;
}

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
  const p = daily.length > 1 ? portfolioMetrics(daily) : null;
  const c = signal.classification;
  return {
    ic: signal.ic,
    icir: signal.icir,
    rank_ic: signal.rankIc,
    rank_icir: signal.rankIcir,
    accuracy: c.accuracy,
    precision: c.precision,
    recall: c.recall,
    f1: c.f1,
    auc: c.auc,
    mcc: c.mcc,
    accuracy_p_value: c.accuracyPValue,
    annualized_return: p?.annualizedReturn ?? NaN,
    annualized_excess_return: p?.annualizedExcessReturn ?? NaN,
    information_ratio: p?.informationRatio ?? NaN,
    max_drawdown: p?.maxDrawdown ?? NaN,
    annualized_excess_return_without_cost: p?.excessReturnWithoutCost.annualizedReturn ?? NaN,
    information_ratio_without_cost: p?.excessReturnWithoutCost.informationRatio ?? NaN,
    max_drawdown_without_cost: p?.excessReturnWithoutCost.maxDrawdown ?? NaN,
    sharpe: p?.sharpe ?? NaN,
    win_rate: p?.winRate ?? NaN,
    turnover: p?.turnover ?? NaN,
    signal_days: signal.days,
    signal_rows: signal.rows,
    backtest_days: daily.length,
  };
}
