/**
 * Small building blocks of the family calculators: a ring buffer of recent values and an
 * exponential average, both able to undo their last update (so a stream can replace today's bar
 * without copying its whole state), and pandas-style window statistics (min_periods=1: NaN values
 * inside the window are skipped; a window without a finite value gives NaN).
 */

/** Anything updated exactly once per session that can take back that update. */
export interface Undoable {
  undo(): void;
}

export class Ring implements Undoable {
  private readonly buf: Float64Array;
  private head = -1;
  private count = 0;
  private saved = NaN;
  private savedCount = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity).fill(NaN);
  }

  push(value: number): void {
    this.head = (this.head + 1) % this.capacity;
    this.saved = this.buf[this.head]!;
    this.savedCount = this.count;
    this.buf[this.head] = value;
    if (this.count < this.capacity) this.count += 1;
  }

  undo(): void {
    this.buf[this.head] = this.saved;
    this.head = (this.head - 1 + this.capacity) % this.capacity;
    this.count = this.savedCount;
  }

  /** The value `lag` sessions ago (0 = today); NaN before the start of the history. */
  at(lag: number): number {
    if (lag >= this.count) return NaN;
    return this.buf[(this.head - lag + this.capacity) % this.capacity]!;
  }
}

/**
 * Exponential average, `v = v + alpha (x - v)`, seeded with the first finite input (pandas
 * `ewm(adjust=False)`); NaN inputs leave it unchanged. An optional fixed seed (KDJ's 50) replaces the
 * first-value seed. Its weight on the starting state decays as (1-alpha)^k and never reaches 0: see
 * `recursiveWarmup`.
 */
export class Ema implements Undoable {
  value: number;
  private prev: number;

  constructor(readonly alpha: number, seed = NaN) {
    this.value = seed;
    this.prev = seed;
  }

  update(x: number): number {
    this.prev = this.value;
    if (Number.isFinite(x)) this.value = Number.isNaN(this.value) ? x : this.value + this.alpha * (x - this.value);
    return this.value;
  }

  undo(): void {
    this.value = this.prev;
  }
}

/** Relative weight of the initial state below which a recursive average counts as stable. */
export const RECURSIVE_TOLERANCE = 1e-6;

/** Sessions after which a recursion with this alpha keeps less than RECURSIVE_TOLERANCE of its start. */
export function recursiveWarmup(alpha: number): number {
  return Math.ceil(Math.log(RECURSIVE_TOLERANCE) / Math.log(1 - alpha));
}

export const spanAlpha = (span: number): number => 2 / (span + 1);
export const wilderAlpha = (n: number): number => 1 / n;

export function wsum(r: Ring, n: number): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      s += v;
      k++;
    }
  }
  return k === 0 ? NaN : s;
}

export function wmean(r: Ring, n: number): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      s += v;
      k++;
    }
  }
  return k === 0 ? NaN : s / k;
}

/** Count of finite values in the window. */
export function wcount(r: Ring, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (r.at(i) === r.at(i)) k++;
  return k;
}

/** Standard deviation with `ddof` (pandas: 1); NaN when fewer than ddof+1 values. */
export function wstd(r: Ring, n: number, ddof = 1): number {
  const m = wmean(r, n);
  if (m !== m) return NaN;
  let ss = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      ss += (v - m) * (v - m);
      k++;
    }
  }
  return k - ddof <= 0 ? NaN : Math.sqrt(ss / (k - ddof));
}

export function wmax(r: Ring, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v > m) m = v;
  }
  return m === -Infinity ? NaN : m;
}

export function wmin(r: Ring, n: number): number {
  let m = Infinity;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v < m) m = v;
  }
  return m === Infinity ? NaN : m;
}

/** Sessions since the window's maximum (0 = today); the most recent one on ties. */
export function wargmaxAge(r: Ring, n: number): number {
  let m = -Infinity;
  let age = NaN;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v > m) {
      m = v;
      age = i;
    }
  }
  return age;
}

export function wargminAge(r: Ring, n: number): number {
  let m = Infinity;
  let age = NaN;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v < m) {
      m = v;
      age = i;
    }
  }
  return age;
}

/** Mean absolute deviation around the window mean (CCI's denominator). */
export function wmad(r: Ring, n: number): number {
  const m = wmean(r, n);
  if (m !== m) return NaN;
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      s += Math.abs(v - m);
      k++;
    }
  }
  return s / k;
}

/** pandas rolling skew: adjusted Fisher-Pearson, NaN below 3 values or with zero variance. */
export function wskew(r: Ring, n: number): number {
  const m = wmean(r, n);
  if (m !== m) return NaN;
  let m2 = 0;
  let m3 = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      const d = v - m;
      m2 += d * d;
      m3 += d * d * d;
      k++;
    }
  }
  if (k < 3) return NaN;
  m2 /= k;
  m3 /= k;
  if (m2 <= 1e-14 * (m * m + 1e-300)) return NaN;
  return (Math.sqrt(k * (k - 1)) / (k - 2)) * (m3 / Math.pow(m2, 1.5));
}

/** pandas rolling kurt: bias-corrected excess kurtosis, NaN below 4 values or with zero variance. */
export function wkurt(r: Ring, n: number): number {
  const m = wmean(r, n);
  if (m !== m) return NaN;
  let m2 = 0;
  let m4 = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = r.at(i);
    if (v === v) {
      const d = v - m;
      m2 += d * d;
      m4 += d * d * d * d;
      k++;
    }
  }
  if (k < 4) return NaN;
  if (m2 <= 1e-14 * (m * m + 1e-300)) return NaN;
  const num = k * (k + 1) * (k - 1) * m4;
  const den = (k - 2) * (k - 3) * m2 * m2;
  return num / den - (3 * (k - 1) * (k - 1)) / ((k - 2) * (k - 3));
}

/** Pairwise statistics of two windows over the sessions where both are finite. */
export function wpair(a: Ring, b: Ring, n: number): { n: number; cov: number; varA: number; varB: number } {
  let sa = 0;
  let sb = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = a.at(i);
    const y = b.at(i);
    if (x === x && y === y) {
      sa += x;
      sb += y;
      k++;
    }
  }
  if (k < 2) return { n: k, cov: NaN, varA: NaN, varB: NaN };
  const ma = sa / k;
  const mb = sb / k;
  let c = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const x = a.at(i);
    const y = b.at(i);
    if (x === x && y === y) {
      c += (x - ma) * (y - mb);
      va += (x - ma) * (x - ma);
      vb += (y - mb) * (y - mb);
    }
  }
  return { n: k, cov: c / (k - 1), varA: va / (k - 1), varB: vb / (k - 1) };
}

/** a / b, NaN when b is 0 or either is not finite (never Infinity). */
export function ratio(a: number, b: number): number {
  if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return NaN;
  return a / b;
}

/**
 * Exponential average of the last `k` values of a ring, re-run from the oldest one each session
 * (seeded with the first finite value, or with `seed`). Truncating the recursion at the horizon where
 * the start keeps less than RECURSIVE_TOLERANCE of the weight makes the value an exact function of a
 * finite window: a stream started anywhere gives bit-identical values after `k` sessions, at the
 * price of a difference of at most that weight from the untruncated average.
 */
export function truncatedEma(r: Ring, alpha: number, k: number, seed = NaN): number {
  let v = seed;
  for (let lag = Math.min(k, r.capacity) - 1; lag >= 0; lag--) {
    const x = r.at(lag);
    if (x === x) v = v === v ? v + alpha * (x - v) : x;
  }
  return v;
}
