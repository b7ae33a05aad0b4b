import { averageRank, pearsonCorrelation, spearmanCorrelation } from '@quant/evaluation';

/** The pairs where both sides are finite (a missing label or score drops its row, as Qlib's dropna). */
function finitePairs(a: ArrayLike<number>, b: ArrayLike<number>): [number[], number[]] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  }
  return [xs, ys];
}

/** Pearson correlation of the finite pairs; NaN with fewer than 2 pairs or no variance. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearsonCorrelation(...finitePairs(a, b));
}

/** Ranks 1..n with ties sharing their average rank (pandas rank(method='average')). */
export const averageRanks = averageRank;

/** Spearman correlation of the finite pairs (Pearson of their average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return spearmanCorrelation(...finitePairs(a, b));
}

export interface PredictionMetrics {
  /** Mean over dates of the cross-sectional Pearson correlation of prediction and label (Qlib's IC). */
  ic: number | null;
  /** Mean over dates of the cross-sectional Spearman correlation (Qlib's Rank IC). */
  rankIc: number | null;
  /** IC mean / IC std (ddof 1) over dates. */
  icir: number | null;
  rankIcir: number | null;
  /** Mean squared error against the training target (the label after label processors). */
  mse: number | null;
  /** Dates with a defined IC. */
  dates: number;
  rows: number;
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function meanAndIr(values: readonly number[]): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return [mean, NaN];
  const variance = values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (values.length - 1);
  return [mean, variance > 0 ? mean / Math.sqrt(variance) : NaN];
}

/**
 * Qlib's signal metrics: correlations are per date (the cross-section is what a daily strategy ranks),
 * then averaged, so a date with many instruments does not outweigh the others.
 * `group` gives the sizes of consecutive date groups in the rows.
 */
export function predictionMetrics(pred: ArrayLike<number>, label: ArrayLike<number>, target: ArrayLike<number>, group: ArrayLike<number>): PredictionMetrics {
  const ics: number[] = [];
  const rics: number[] = [];
  let offset = 0;
  for (let g = 0; g < group.length; g++) {
    const size = group[g] as number;
    const p = Array.prototype.slice.call(pred, offset, offset + size) as number[];
    const l = Array.prototype.slice.call(label, offset, offset + size) as number[];
    offset += size;
    const ic = pearson(p, l);
    const ric = spearman(p, l);
    if (Number.isFinite(ic)) ics.push(ic);
    if (Number.isFinite(ric)) rics.push(ric);
  }
  let se = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = (pred[i] as number) - (target[i] as number);
    if (Number.isFinite(d)) {
      se += d * d;
      n++;
    }
  }
  const [ic, icir] = meanAndIr(ics);
  const [rankIc, rankIcir] = meanAndIr(rics);
  return { ic: orNull(ic), rankIc: orNull(rankIc), icir: orNull(icir), rankIcir: orNull(rankIcir), mse: n > 0 ? se / n : null, dates: ics.length, rows: pred.length };
}
