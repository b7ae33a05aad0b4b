/**
 * Deterministic full-batch L-BFGS with Armijo backtracking. Full batch (no sampling) keeps training a
 * pure function of data and parameters; cost per iteration is one pass over the design matrix, which
 * is what lets the linear models scale to 10^6 rows.
 */

export interface LbfgsOptions {
  maxIterations: number;
  /** Stop when the relative decrease of f or the max |gradient| falls below this. */
  tolerance: number;
  memory?: number;
  /** After each accepted step; return true to stop (early stopping). */
  onIteration?: (iteration: number, theta: Float64Array, f: number) => boolean;
}

export interface LbfgsResult {
  theta: Float64Array;
  f: number;
  iterations: number;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

/** Minimises f; `fg(theta, grad)` returns f(theta) and writes its gradient into grad. */
export function lbfgs(fg: (theta: Float64Array, grad: Float64Array) => number, theta0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = theta0.length;
  const m = options.memory ?? 10;
  let theta = Float64Array.from(theta0);
  let g = new Float64Array(n);
  let f = fg(theta, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const RHO: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iterations = 0;

  for (let iter = 1; iter <= options.maxIterations; iter++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i] as number));
    if (gmax < options.tolerance) break;

    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
    for (let k = S.length - 1; k >= 0; k--) {
      const a = (RHO[k] as number) * dot(S[k] as Float64Array, d);
      alpha[k] = a;
      const y = Y[k] as Float64Array;
      for (let i = 0; i < n; i++) d[i] = (d[i] as number) - a * (y[i] as number);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last] as Float64Array, Y[last] as Float64Array) / dot(Y[last] as Float64Array, Y[last] as Float64Array);
      for (let i = 0; i < n; i++) d[i] = (d[i] as number) * gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const b = (RHO[k] as number) * dot(Y[k] as Float64Array, d);
      const s = S[k] as Float64Array;
      const a = alpha[k] as number;
      for (let i = 0; i < n; i++) d[i] = (d[i] as number) + (a - b) * (s[i] as number);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      RHO.length = 0;
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      slope = dot(g, d);
    }

    let step = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const next = new Float64Array(n);
    const gNext = new Float64Array(n);
    let fNext = NaN;
    let accepted = false;
    for (let tries = 0; tries < 50; tries++) {
      for (let i = 0; i < n; i++) next[i] = (theta[i] as number) + step * (d[i] as number);
      fNext = fg(next, gNext);
      if (fNext <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (next[i] as number) - (theta[i] as number);
      y[i] = (gNext[i] as number) - (g[i] as number);
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        RHO.shift();
      }
      S.push(s);
      Y.push(y);
      RHO.push(1 / sy);
    }
    const decrease = f - fNext;
    theta = next;
    g = gNext;
    f = fNext;
    iterations = iter;
    if (options.onIteration?.(iter, theta, f)) break;
    if (decrease <= options.tolerance * Math.max(1, Math.abs(f))) break;
  }
  return { theta, f, iterations };
}

/** Solves the symmetric positive-definite system A x = b (A n x n, row-major) by Cholesky. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        // Tiny jitter guard: a ridge system with l2 > 0 is SPD, but a constant column can make the
        // intercept row nearly singular in floating point.
        L[i * n + i] = Math.sqrt(Math.max(s, 1e-12));
      } else {
        L[i * n + j] = s / (L[j * n + j] as number);
      }
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (z[k] as number);
    z[i] = s / (L[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (x[k] as number);
    x[i] = s / (L[i * n + i] as number);
  }
  return x;
}
