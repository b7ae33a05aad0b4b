import { QuantError } from '@quant/errors';
import {
  windowCorr,
  windowCount,
  windowCov,
  windowIdxMax,
  windowIdxMin,
  windowMax,
  windowMean,
  windowMin,
  windowQuantile,
  windowRank,
  windowResi,
  windowRsquare,
  windowSlope,
  windowStd,
  windowSum,
  windowVar,
} from './rolling.kernels';

/**
 * Qlib operators (qlib/data/ops.py) over whole series, in batch: each output element i uses only
 * elements <= i. Rolling operators use a window of `min(N, i+1)` calendar rows (pandas min_periods=1).
 */

type Kernel = (a: Float64Array, i: number, n: number) => number;

function checkWindow(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new QuantError('FEATURE_WINDOW_INVALID', `${op}: window must be a positive integer, got ${n}`);
}

function rollingWith(op: string, kernel: Kernel, a: Float64Array, n: number): Float64Array {
  checkWindow(op, n);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = kernel(a, i, Math.min(n, i + 1));
  return out;
}

/** Ref($x, N): the value N rows earlier (NaN before the start). N = 0 is the series itself. */
export function ref(a: Float64Array, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new QuantError('FEATURE_WINDOW_INVALID', `Ref: lag must be a non-negative integer, got ${n}`);
  const out = new Float64Array(a.length).fill(NaN);
  for (let i = n; i < a.length; i++) out[i] = a[i - n]!;
  return out;
}

/** Delta($x, N) = $x - Ref($x, N). */
export function delta(a: Float64Array, n: number): Float64Array {
  const r = ref(a, n);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! - r[i]!;
  return r;
}

export const mean = (a: Float64Array, n: number) => rollingWith('Mean', windowMean, a, n);
export const sum = (a: Float64Array, n: number) => rollingWith('Sum', windowSum, a, n);
export const std = (a: Float64Array, n: number) => rollingWith('Std', windowStd, a, n);
export const variance = (a: Float64Array, n: number) => rollingWith('Var', windowVar, a, n);
export const max = (a: Float64Array, n: number) => rollingWith('Max', windowMax, a, n);
export const min = (a: Float64Array, n: number) => rollingWith('Min', windowMin, a, n);
export const idxMax = (a: Float64Array, n: number) => rollingWith('IdxMax', windowIdxMax, a, n);
export const idxMin = (a: Float64Array, n: number) => rollingWith('IdxMin', windowIdxMin, a, n);
export const rank = (a: Float64Array, n: number) => rollingWith('Rank', windowRank, a, n);
export const slope = (a: Float64Array, n: number) => rollingWith('Slope', windowSlope, a, n);
export const rsquare = (a: Float64Array, n: number) => rollingWith('Rsquare', windowRsquare, a, n);
export const resi = (a: Float64Array, n: number) => rollingWith('Resi', windowResi, a, n);
/** Count of finite values in the window (0, not NaN, when there is none). */
export const count = (a: Float64Array, n: number) => rollingWith('Count', windowCount, a, n);

export function quantile(a: Float64Array, n: number, q: number): Float64Array {
  if (!(q >= 0 && q <= 1)) throw new QuantError('FEATURE_ARGUMENT_INVALID', `Quantile: q must lie in [0, 1], got ${q}`);
  const scratch = new Float64Array(n);
  return rollingWith('Quantile', (x, i, m) => windowQuantile(x, i, m, q, scratch), a, n);
}

function pairRolling(op: string, kernel: (a: Float64Array, b: Float64Array, i: number, n: number) => number, a: Float64Array, b: Float64Array, n: number): Float64Array {
  checkWindow(op, n);
  if (a.length !== b.length) throw new QuantError('FEATURE_INPUT_INVALID', `${op}: series lengths differ (${a.length} and ${b.length})`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = kernel(a, b, i, Math.min(n, i + 1));
  return out;
}

export const corr = (a: Float64Array, b: Float64Array, n: number) => pairRolling('Corr', windowCorr, a, b, n);
export const cov = (a: Float64Array, b: Float64Array, n: number) => pairRolling('Cov', windowCov, a, b, n);

function map1(a: Float64Array, f: (x: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}

function map2(op: string, a: Float64Array, b: Float64Array | number, f: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  if (typeof b === 'number') {
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b);
    return out;
  }
  if (a.length !== b.length) throw new QuantError('FEATURE_INPUT_INVALID', `${op}: series lengths differ (${a.length} and ${b.length})`);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
  return out;
}

export const abs = (a: Float64Array) => map1(a, Math.abs);
export const log = (a: Float64Array) => map1(a, Math.log);
/** Sign: -1, 0 or 1; NaN stays NaN (np.sign). */
export const sign = (a: Float64Array) => map1(a, Math.sign);
/** Greater/Less are np.maximum/np.minimum: NaN propagates. */
export const greater = (a: Float64Array, b: Float64Array | number) => map2('Greater', a, b, (x, y) => (x !== x || y !== y ? NaN : x > y ? x : y));
export const less = (a: Float64Array, b: Float64Array | number) => map2('Less', a, b, (x, y) => (x !== x || y !== y ? NaN : x < y ? x : y));
/** Gt/Lt are np.greater/np.less: a comparison with NaN is false (0), never NaN. */
export const gt = (a: Float64Array, b: Float64Array | number) => map2('Gt', a, b, (x, y) => (x > y ? 1 : 0));
export const lt = (a: Float64Array, b: Float64Array | number) => map2('Lt', a, b, (x, y) => (x < y ? 1 : 0));
