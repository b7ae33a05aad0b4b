/**
 * The Adam update (AdamW's decoupled weight decay, Qlib's gradient value clipping) in JS over one
 * weight's values. The weights are small (thousands of values), so one JS pass per weight is cheaper
 * than the dozen tfjs dispatches per weight that the same arithmetic as tensor ops takes.
 */
export interface AdamStep {
  /** Learning rate of this step. */
  lr: number;
  /** Bias corrections 1 - beta1^t and 1 - beta2^t. */
  c1: number;
  c2: number;
  /** Gradient value clipping bound (0: none). */
  clip: number;
  /** Decoupled weight decay (applied only where `decay`). */
  weightDecay: number;
}

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
const EPSILON = 1e-8;

/** One step on w in place from gradient g, with first and second moments m and s (updated in place). */
export function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, s: Float32Array, decay: boolean, o: AdamStep): void {
  const wd = decay ? o.weightDecay : 0;
  for (let i = 0; i < w.length; i++) {
    let gi = g[i] as number;
    if (o.clip > 0) gi = gi < -o.clip ? -o.clip : gi > o.clip ? o.clip : gi;
    const mi = ADAM_BETA1 * (m[i] as number) + (1 - ADAM_BETA1) * gi;
    const si = ADAM_BETA2 * (s[i] as number) + (1 - ADAM_BETA2) * gi * gi;
    m[i] = mi;
    s[i] = si;
    const wi = w[i] as number;
    w[i] = wi - o.lr * (mi / o.c1 / (Math.sqrt(si / o.c2) + EPSILON) + wd * wi);
  }
}
