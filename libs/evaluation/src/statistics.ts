/**
 * Small numerical building blocks shared by the metric modules. Conventions follow pandas, since Qlib's
 * numbers come from pandas: `std` is the sample standard deviation (ddof = 1), ranks are average ranks.
 */

/** Arithmetic mean; NaN for an empty input. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

/** Sample standard deviation (ddof = 1, as pandas `Series.std()`); NaN with fewer than 2 values. */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/**
 * Pearson correlation (pandas `Series.corr`). Callers pass finite pairs only. NaN with fewer than 2 pairs
 * or when either side is constant, as pandas returns.
 */
export function pearsonCorrelation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return NaN;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n, ties sharing their average rank (pandas `rank(method='average')`). */
export function averageRank(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    const v = values[order[start] as number];
    while (end + 1 < order.length && values[order[end + 1] as number] === v) end++;
    const shared = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k] as number] = shared;
    start = end + 1;
  }
  return ranks;
}

/** Spearman correlation: Pearson of average ranks (pandas `corr(method='spearman')`). */
export function spearmanCorrelation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return pearsonCorrelation(averageRank(xs), averageRank(ys));
}

const LOG_FACTORIAL_TABLE: number[] = [0];

/** ln(n!) exactly summed below 1024, Stirling's series (error < 1e-15 there) above. */
export function logFactorial(n: number): number {
  if (n < 1024) {
    for (let k = LOG_FACTORIAL_TABLE.length; k <= n; k++) LOG_FACTORIAL_TABLE.push(LOG_FACTORIAL_TABLE[k - 1]! + Math.log(k));
    return LOG_FACTORIAL_TABLE[n]!;
  }
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/**
 * Two-sided exact binomial test of `successes` in `trials` against p = 0.5 (scipy `binomtest`): with a
 * symmetric null the p-value is twice the upper tail from max(k, n - k), capped at 1. The tail is summed
 * from its largest term down, relative to it, so it stays exact without overflow for millions of trials.
 */
export function binomialTestHalf(successes: number, trials: number): number {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials < 0 || successes < 0 || successes > trials) return NaN;
  if (trials === 0) return 1;
  const m = Math.max(successes, trials - successes);
  if (2 * m === trials) return 1;
  const logFirst = logFactorial(trials) - logFactorial(m) - logFactorial(trials - m) - trials * Math.LN2;
  let term = 1;
  let sum = 1;
  for (let j = m; j < trials; j++) {
    term *= (trials - j) / (j + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, 2 * Math.exp(logFirst) * sum);
}
