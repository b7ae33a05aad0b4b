import { QuantError } from '@quant/errors';
import { crossSectionalPercentiles } from './cross-section';
import type { SignalRow } from './signal-metrics';
import { groupByDate } from './signal-metrics';
import { averageRank, binomialTestHalf } from './statistics';

/** A scored example: predicted positive when `score > threshold`; `actual` is the true class. */
export interface ScoredExample {
  score: number;
  actual: boolean;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** tp / (tp + fp); 0 when nothing is predicted positive (sklearn's zero_division=0). */
  precision: number;
  /** tp / (tp + fn); 0 when there is no positive example. */
  recall: number;
  f1: number;
  /** Area under the ROC curve from the scores (Mann-Whitney U, ties counted half); NaN with one class only. */
  auc: number;
  /** Matthews correlation coefficient; 0 when a confusion-matrix margin is empty (sklearn). */
  mcc: number;
  /** Two-sided exact binomial test of the number of correct predictions against p = 0.5. */
  accuracyPValue: number;
  rows: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
}

/** Accuracy, precision, recall, F1, AUC, MCC and the binomial test of accuracy against a coin flip. */
export function classificationMetrics(examples: readonly ScoredExample[], threshold = 0): ClassificationMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const scores = new Float64Array(examples.length);
  examples.forEach((e, i) => {
    if (!Number.isFinite(e.score)) {
      throw new QuantError('EVALUATION_INPUT_INVALID', `example ${i} has a non-finite score ${e.score}`, { details: { index: i } });
    }
    scores[i] = e.score;
    const predicted = e.score > threshold;
    if (predicted && e.actual) tp++;
    else if (predicted) fp++;
    else if (e.actual) fn++;
    else tn++;
  });
  const n = examples.length;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const margins = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  return {
    accuracy: n ? (tp + tn) / n : NaN,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    auc: rocAuc(scores, examples.map((e) => e.actual)),
    mcc: margins > 0 ? (tp * tn - fp * fn) / Math.sqrt(margins) : 0,
    accuracyPValue: binomialTestHalf(tp + tn, n),
    rows: n,
    confusion: { tp, fp, tn, fn },
  };
}

/** ROC AUC as the Mann-Whitney statistic over average ranks, so tied scores count one half. */
export function rocAuc(scores: ArrayLike<number>, actual: readonly boolean[]): number {
  const ranks = averageRank(scores);
  let positives = 0;
  let rankSum = 0;
  actual.forEach((a, i) => {
    if (a) {
      positives++;
      rankSum += ranks[i] as number;
    }
  });
  const negatives = actual.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * How a ranking signal is read as a classifier (Qlib defines no accuracy for signals):
 * - `cross-section` (default): each day, a stock is predicted to beat the day's median when its score
 *   percentile is above 0.5, and actually did when its label percentile is above 0.5; AUC uses the
 *   score percentiles, so every day weighs by its stock count and no day's score scale dominates.
 * - `sign`: predicted positive when score > 0, actual positive when label > 0 (for return-valued scores).
 */
export type SignalClassificationMode = 'cross-section' | 'sign';

/** Classification metrics of a ranking signal; label NaN rows are dropped. */
export function signalClassificationMetrics(rows: readonly SignalRow[], mode: SignalClassificationMode = 'cross-section'): ClassificationMetrics {
  const kept = (r: SignalRow): boolean => Number.isFinite(r.label) && Number.isFinite(r.score);
  if (mode === 'sign') {
    return classificationMetrics(rows.filter(kept).map((r) => ({ score: r.score, actual: r.label > 0 })), 0);
  }
  const examples: ScoredExample[] = [];
  for (const day of groupByDate(rows, kept).values()) {
    const scorePct = crossSectionalPercentiles(day.map((r) => r.score));
    const labelPct = crossSectionalPercentiles(day.map((r) => r.label));
    for (let i = 0; i < day.length; i++) examples.push({ score: scorePct[i] as number, actual: (labelPct[i] as number) > 0.5 });
  }
  return classificationMetrics(examples, 0.5);
}
