/**
 * Window kernels: one value of a rolling statistic for the window `a[i-n+1 .. i]` (n >= 1 rows, counted
 * on the calendar). They follow pandas `rolling(N, min_periods=1)` as Qlib's qlib/data/ops.py uses it:
 * NaN values inside the window are skipped and a window without a finite value gives NaN.
 *
 * Batch operators and streaming states call the same kernels over the same window contents, so both
 * ways give bit-identical numbers. Each kernel is O(n); windows are short (<= 60 for Alpha158).
 */

/** Qlib NaN-s Corr and Rsquare where an input's rolling std is within this of 0 (np.isclose atol). */
export const NEAR_ZERO_STD = 2e-5;

export function windowCount(a: Float64Array, i: number, n: number): number {
  let c = 0;
  for (let j = i - n + 1; j <= i; j++) if (a[j] === a[j]) c++;
  return c;
}

export function windowSum(a: Float64Array, i: number, n: number): number {
  let s = 0;
  let c = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x === x) {
      s += x;
      c++;
    }
  }
  return c === 0 ? NaN : s;
}

export function windowMean(a: Float64Array, i: number, n: number): number {
  let s = 0;
  let c = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x === x) {
      s += x;
      c++;
    }
  }
  return c === 0 ? NaN : s / c;
}

/** Sample variance (ddof=1, as pandas); two passes so that level does not cost precision. */
export function windowVar(a: Float64Array, i: number, n: number): number {
  const m = windowMean(a, i, n);
  if (m !== m) return NaN;
  let ss = 0;
  let c = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x === x) {
      ss += (x - m) * (x - m);
      c++;
    }
  }
  return c < 2 ? NaN : ss / (c - 1);
}

export function windowStd(a: Float64Array, i: number, n: number): number {
  return Math.sqrt(windowVar(a, i, n));
}

export function windowMax(a: Float64Array, i: number, n: number): number {
  let m = NaN;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x > m || m !== m) m = x;
  }
  return m;
}

export function windowMin(a: Float64Array, i: number, n: number): number {
  let m = NaN;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x < m || m !== m) m = x;
  }
  return m;
}

/**
 * 1-based position of the maximum in the window, oldest row = 1, as Qlib's IdxMax
 * (`rolling(N, min_periods=1).apply(lambda x: x.argmax() + 1, raw=True)`): numpy's argmax takes the
 * first occurrence and treats NaN as the maximum, so a window holding a NaN row points at its first NaN.
 * NaN when the window has no finite value (pandas min_periods).
 */
export function windowIdxMax(a: Float64Array, i: number, n: number): number {
  return argExtreme(a, i, n, 1);
}

/** 1-based position of the minimum, with the same NaN rule as {@link windowIdxMax}. */
export function windowIdxMin(a: Float64Array, i: number, n: number): number {
  return argExtreme(a, i, n, -1);
}

function argExtreme(a: Float64Array, i: number, n: number, sign: 1 | -1): number {
  const start = i - n + 1;
  let best = NaN;
  let pos = -1;
  let firstNaN = -1;
  for (let j = start; j <= i; j++) {
    const x = a[j]!;
    if (x !== x) {
      if (firstNaN < 0) firstNaN = j;
    } else if (pos < 0 || sign * x > sign * best) {
      best = x;
      pos = j;
    }
  }
  if (pos < 0) return NaN;
  return (firstNaN >= 0 ? firstNaN : pos) - start + 1;
}

/** pandas rolling quantile, linear interpolation between the order statistics of the finite values. */
export function windowQuantile(a: Float64Array, i: number, n: number, q: number, scratch?: Float64Array): number {
  const buf = scratch && scratch.length >= n ? scratch : new Float64Array(n);
  let m = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x !== x) continue;
    let k = m++;
    while (k > 0 && buf[k - 1]! > x) {
      buf[k] = buf[k - 1]!;
      k--;
    }
    buf[k] = x;
  }
  return sortedQuantile(buf, m, q);
}

/** Quantile of the first `m` values of an ascending array, as pandas computes it. */
export function sortedQuantile(sorted: Float64Array, m: number, q: number): number {
  if (m === 0) return NaN;
  const at = q * (m - 1);
  const lo = Math.floor(at);
  if (at === lo) return sorted[lo]!;
  const vlo = sorted[lo]!;
  return vlo + (sorted[lo + 1]! - vlo) * (at - lo);
}

/** pandas rolling rank(pct=True) of the last value: average rank of ties over the finite count. */
export function windowRank(a: Float64Array, i: number, n: number): number {
  const last = a[i]!;
  if (last !== last) return NaN;
  let less = 0;
  let equal = 0;
  let count = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = a[j]!;
    if (x !== x) continue;
    count++;
    if (x < last) less++;
    else if (x === last) equal++;
  }
  return (less + (equal + 1) / 2) / count;
}

/** Least squares of the finite values on their row position; shared by Slope, Rsquare and Resi. */
interface Fit {
  n: number;
  /** n*Sxy - Sx*Sy, n*Sxx - Sx^2, n*Syy - Sy^2 with y shifted by `shift`. */
  sxy: number;
  sxx: number;
  syy: number;
  meanX: number;
  meanY: number;
  shift: number;
}

const FIT: Fit = { n: 0, sxy: 0, sxx: 0, syy: 0, meanX: 0, meanY: 0, shift: 0 };

function fit(a: Float64Array, i: number, n: number): Fit {
  let shift = NaN;
  let c = 0;
  let sx = 0;
  let sxx = 0;
  let sy = 0;
  let syy = 0;
  let sxy = 0;
  for (let j = i; j > i - n; j--) {
    const raw = a[j]!;
    if (raw !== raw) continue;
    if (shift !== shift) shift = raw;
    const x = j - i;
    const y = raw - shift;
    c++;
    sx += x;
    sxx += x * x;
    sy += y;
    syy += y * y;
    sxy += x * y;
  }
  FIT.n = c;
  FIT.sxy = c * sxy - sx * sy;
  FIT.sxx = c * sxx - sx * sx;
  FIT.syy = c * syy - sy * sy;
  FIT.meanX = c === 0 ? NaN : sx / c;
  FIT.meanY = c === 0 ? NaN : sy / c;
  FIT.shift = shift;
  return FIT;
}

/** Qlib Slope: regression slope per row; NaN with fewer than 2 finite values. */
export function windowSlope(a: Float64Array, i: number, n: number): number {
  const f = fit(a, i, n);
  return f.n < 2 ? NaN : f.sxy / f.sxx;
}

/** Qlib Rsquare: NaN where the window's std is within 2e-5 of 0 (Qlib's np.isclose rule). */
export function windowRsquare(a: Float64Array, i: number, n: number): number {
  const f = fit(a, i, n);
  if (f.n < 2) return NaN;
  const variance = Math.max(0, f.syy) / (f.n * (f.n - 1));
  if (Math.sqrt(variance) <= NEAR_ZERO_STD) return NaN;
  return (f.sxy * f.sxy) / (f.sxx * f.syy);
}

/** Qlib Resi: residual of the last row against the window's fitted line; NaN when the last value is. */
export function windowResi(a: Float64Array, i: number, n: number): number {
  const last = a[i]!;
  if (last !== last) return NaN;
  const f = fit(a, i, n);
  if (f.n < 2) return NaN;
  const slope = f.sxy / f.sxx;
  // Fitted value at x = 0 (the last row): meanY - slope*meanX; last - shift = 0 since last is the shift.
  return last - f.shift - (f.meanY - slope * f.meanX);
}

/**
 * Pairwise statistics over rows where both inputs are finite (pandas aligns the NaN of either series
 * before a rolling cov/corr). Returns the covariance (ddof=1) and fills `out` with the variances.
 */
function pairStats(a: Float64Array, b: Float64Array, i: number, n: number, out: Float64Array): number {
  let ra = NaN;
  let rb = NaN;
  let c = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let j = i; j > i - n; j--) {
    const x = a[j]!;
    const y = b[j]!;
    if (x !== x || y !== y) continue;
    if (ra !== ra) {
      ra = x;
      rb = y;
    }
    const dx = x - ra;
    const dy = y - rb;
    c++;
    sa += dx;
    sb += dy;
    saa += dx * dx;
    sbb += dy * dy;
    sab += dx * dy;
  }
  if (c < 2) {
    out[0] = NaN;
    out[1] = NaN;
    return NaN;
  }
  out[0] = Math.max(0, saa - (sa * sa) / c) / (c - 1);
  out[1] = Math.max(0, sbb - (sb * sb) / c) / (c - 1);
  return (sab - (sa * sb) / c) / (c - 1);
}

const PAIR = new Float64Array(2);

export function windowCov(a: Float64Array, b: Float64Array, i: number, n: number): number {
  return pairStats(a, b, i, n, PAIR);
}

/** Qlib Corr: pandas pairwise rolling corr, NaN where either input's own rolling std is near 0. */
export function windowCorr(a: Float64Array, b: Float64Array, i: number, n: number): number {
  const cov = pairStats(a, b, i, n, PAIR);
  if (cov !== cov) return NaN;
  const va = PAIR[0]!;
  const vb = PAIR[1]!;
  const sa = windowStd(a, i, n);
  const sb = windowStd(b, i, n);
  if ((sa === sa && Math.abs(sa) <= NEAR_ZERO_STD) || (sb === sb && Math.abs(sb) <= NEAR_ZERO_STD)) return NaN;
  return cov / Math.sqrt(va * vb);
}
