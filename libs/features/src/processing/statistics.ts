/**
 * Statistics over finite values only: NaN is missing and +-Infinity (a division by zero upstream) would
 * otherwise poison every mean, so both are skipped.
 */

/** Finite values of `values[offset + k * stride]`, k < count, sorted ascending, into `scratch`; returns how many. */
export function gatherFiniteSorted(values: ArrayLike<number>, offset: number, stride: number, count: number, scratch: Float64Array): number {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k * stride] as number;
    if (Number.isFinite(v)) scratch[n++] = v;
  }
  scratch.subarray(0, n).sort();
  return n;
}

/** Linear-interpolated quantile of the first `n` sorted values (numpy's and pandas' default); NaN when n = 0. */
export function quantileSorted(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Median absolute deviation from `median` of the first `n` values of `sorted` (ascending); uses `scratch`. */
export function madSorted(sorted: ArrayLike<number>, n: number, median: number, scratch: Float64Array): number {
  for (let i = 0; i < n; i++) scratch[i] = Math.abs((sorted[i] as number) - median);
  scratch.subarray(0, n).sort();
  return quantileSorted(scratch, n, 0.5);
}

export interface Moments {
  count: number;
  mean: number;
  /** Sample standard deviation (ddof = 1, pandas' default); NaN below 2 values. */
  std: number;
}

/** Mean and sample std of the finite values among `values[offset + k * stride]`, two-pass for accuracy. */
export function moments(values: ArrayLike<number>, offset: number, stride: number, count: number): Moments {
  let n = 0;
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k * stride] as number;
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k * stride] as number;
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  return { count: n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}
