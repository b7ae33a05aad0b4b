/**
 * Gradients, initial scores and validation losses of the three objectives. Scores are raw
 * (log-odds for binary); losses are "lower is better" so early stopping is one rule for all.
 */
import { pearsonCorrelation } from '@quant/evaluation';
import type { Objective } from '../model.port';
import type { ValidMetric } from './params';

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Constant start: weighted mean for L2, log-odds of the weighted rate for binary, 0 for ranking. */
export function initScore(objective: Objective, y: Float32Array, weight: Float32Array | undefined): number {
  if (objective === 'lambdarank') return 0;
  let sw = 0;
  let sy = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weight ? weight[i]! : 1;
    sw += w;
    sy += w * y[i]!;
  }
  const mean = sw > 0 ? sy / sw : 0;
  if (objective === 'regression') return mean;
  const p = Math.min(Math.max(mean, 1e-15), 1 - 1e-15);
  return Math.log(p / (1 - p));
}

export interface RankingOptions {
  /** Only pairs with at least one member in the current top-k contribute (LightGBM's truncation level). */
  truncation: number;
}

/** Fills grad/hess (length rows) for the current raw scores. */
export function computeGradients(
  objective: Objective,
  score: Float64Array,
  y: Float32Array,
  weight: Float32Array | undefined,
  group: Int32Array | undefined,
  grad: Float64Array,
  hess: Float64Array,
  ranking: RankingOptions,
): void {
  const n = score.length;
  if (objective === 'regression') {
    for (let i = 0; i < n; i++) {
      const w = weight ? weight[i]! : 1;
      grad[i] = w * (score[i]! - y[i]!);
      hess[i] = w;
    }
    return;
  }
  if (objective === 'binary') {
    for (let i = 0; i < n; i++) {
      const w = weight ? weight[i]! : 1;
      const p = sigmoid(score[i]!);
      grad[i] = w * (p - y[i]!);
      hess[i] = w * Math.max(p * (1 - p), 1e-16);
    }
    return;
  }
  lambdarankGradients(score, y, weight, group!, grad, hess, ranking.truncation);
}

const discountCache: number[] = [];
function discount(rank: number): number {
  while (discountCache.length <= rank) discountCache.push(1 / Math.log2(discountCache.length + 2));
  return discountCache[rank]!;
}
function gainOf(rel: number): number {
  return 2 ** rel - 1;
}

/** DCG of the best ordering of `labels`, truncated at k. */
function idealDcg(labels: number[], k: number): number {
  const sorted = [...labels].sort((a, b) => b - a);
  let dcg = 0;
  for (let i = 0; i < Math.min(k, sorted.length); i++) dcg += gainOf(sorted[i]!) * discount(i);
  return dcg;
}

/**
 * LambdaRank (Burges 2010): for each pair (i, j) with rel_i > rel_j, lambda = sigma * rho * |dNDCG|
 * where rho = 1 / (1 + exp(s_i - s_j)) and |dNDCG| is the change of NDCG when i and j swap places
 * in the current ordering. Ties in score are broken by row order so the result is deterministic.
 */
function lambdarankGradients(
  score: Float64Array,
  y: Float32Array,
  weight: Float32Array | undefined,
  group: Int32Array,
  grad: Float64Array,
  hess: Float64Array,
  truncation: number,
): void {
  grad.fill(0);
  hess.fill(0);
  let start = 0;
  for (let g = 0; g < group.length; g++) {
    const size = group[g]!;
    const ids = Array.from({ length: size }, (_, k) => start + k);
    const maxDcg = idealDcg(ids.map((i) => y[i]!), size);
    if (maxDcg > 0) {
      ids.sort((a, b) => score[b]! - score[a]! || a - b);
      const top = Math.min(truncation, size);
      for (let pi = 0; pi < top; pi++) {
        for (let pj = pi + 1; pj < size; pj++) {
          const a = ids[pi]!;
          const b = ids[pj]!;
          const ya = y[a]!;
          const yb = y[b]!;
          if (ya === yb) continue;
          const [hi, lo, phi, plo] = ya > yb ? [a, b, pi, pj] : [b, a, pj, pi];
          const delta = Math.abs((gainOf(y[hi]!) - gainOf(y[lo]!)) * (discount(phi) - discount(plo))) / maxDcg;
          const rho = 1 / (1 + Math.exp(score[hi]! - score[lo]!));
          const lambda = rho * delta;
          const h = Math.max(rho * (1 - rho) * delta, 1e-16);
          grad[hi] = grad[hi]! - lambda;
          grad[lo] = grad[lo]! + lambda;
          hess[hi] = hess[hi]! + h;
          hess[lo] = hess[lo]! + h;
        }
      }
      if (weight) for (const i of ids) { grad[i] = grad[i]! * weight[i]!; hess[i] = hess[i]! * weight[i]!; }
    }
    start += size;
  }
}

/** NDCG@k averaged over groups (groups with no relevant item count as 1, as LightGBM does). */
export function meanNdcg(score: ArrayLike<number>, y: ArrayLike<number>, group: Int32Array, k: number): number {
  let start = 0;
  let total = 0;
  for (let g = 0; g < group.length; g++) {
    const size = group[g]!;
    const ids = Array.from({ length: size }, (_, i) => start + i);
    const maxDcg = idealDcg(ids.map((i) => y[i]!), k);
    if (maxDcg <= 0) total += 1;
    else {
      ids.sort((a, b) => score[b]! - score[a]! || a - b);
      let dcg = 0;
      for (let r = 0; r < Math.min(k, size); r++) dcg += gainOf(y[ids[r]!]!) * discount(r);
      total += dcg / maxDcg;
    }
    start += size;
  }
  return group.length > 0 ? total / group.length : 1;
}

/**
 * Pearson correlation of score and label within each group (a date), averaged over the groups
 * where both vary. Weights are not used: a daily IC weighs each stock of the day alike.
 */
export function meanGroupCorrelation(score: Float64Array | Float32Array, y: Float64Array | Float32Array, group: Int32Array): number {
  let start = 0;
  let total = 0;
  let counted = 0;
  for (const size of group) {
    const ic = pearsonCorrelation(score.subarray(start, start + size), y.subarray(start, start + size));
    if (!Number.isNaN(ic)) {
      total += ic;
      counted++;
    }
    start += size;
  }
  return counted > 0 ? total / counted : 0;
}

/**
 * Validation loss (lower is better): MSE, logloss, or 1 - NDCG@k for metric `auto`; minus the mean
 * daily IC for metric `ic`.
 */
export function validLoss(
  objective: Objective,
  score: Float64Array,
  y: Float32Array,
  weight: Float32Array | undefined,
  group: Int32Array | undefined,
  ndcgAt: number,
  metric: ValidMetric = 'auto',
): number {
  if (metric === 'ic') return -meanGroupCorrelation(score, y, group!);
  if (objective === 'lambdarank') return 1 - meanNdcg(score, y, group!, ndcgAt);
  let sw = 0;
  let s = 0;
  for (let i = 0; i < score.length; i++) {
    const w = weight ? weight[i]! : 1;
    sw += w;
    if (objective === 'regression') {
      const d = score[i]! - y[i]!;
      s += w * d * d;
    } else {
      const p = Math.min(Math.max(sigmoid(score[i]!), 1e-15), 1 - 1e-15);
      s -= w * (y[i]! * Math.log(p) + (1 - y[i]!) * Math.log(1 - p));
    }
  }
  return sw > 0 ? s / sw : 0;
}
