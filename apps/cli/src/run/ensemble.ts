import type { SegmentPredictions } from '@quant/training';

/**
 * Scores z-scored within each day's cross-section (population std; a constant day becomes 0), so
 * models on different scales weigh alike. Rows are grouped by date (SegmentPredictions' order).
 */
export function dailyZScores(date: Int32Array, scores: Float64Array): Float64Array {
  const out = new Float64Array(scores.length);
  for (let start = 0; start < date.length; ) {
    let end = start;
    while (end < date.length && date[end] === date[start]) end++;
    let sum = 0;
    let n = 0;
    for (let i = start; i < end; i++) {
      const v = scores[i] as number;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let i = start; i < end; i++) {
      const v = scores[i] as number;
      if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
    }
    const sd = n > 0 ? Math.sqrt(ss / n) : 0;
    for (let i = start; i < end; i++) {
      const v = scores[i] as number;
      out[i] = Number.isFinite(v) && sd > 0 ? (v - mean) / sd : Number.isFinite(v) ? 0 : NaN;
    }
    start = end;
  }
  return out;
}

/** The average ensemble: the mean over models of each row's daily z-scored score. */
export function averageEnsemble(predictions: Pick<SegmentPredictions, 'date' | 'scores'>): Float64Array {
  const models = Object.values(predictions.scores);
  const out = new Float64Array(predictions.date.length);
  if (models.length === 0) return out;
  for (const scores of models) {
    const z = dailyZScores(predictions.date, scores);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (z[i] as number) / models.length;
  }
  return out;
}
