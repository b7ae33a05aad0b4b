/**
 * Histogram construction, the hot loop of tree growth.
 *
 * `histKernel` fills the (sum grad, sum hess, count) slots of features[k0..k1) for the rows
 * indices[begin, begin + count). Every slot is summed in leaf row order whatever the feature range,
 * so a later split of the features across threads would give the same bits as one thread.
 */

/** Features per pass over the rows: 32 histograms (32 x 256 bins x 3 doubles = 192 KiB) stay in L2. */
export const HIST_BLOCK = 32;

/**
 * Fills hist for features[k0..k1) from the leaf's rows. With constHess > 0 (every hessian equal: an
 * unweighted L2 loss) the hessian slot is set to count x constHess instead of being summed: a third
 * fewer writes in the hottest loop, and for a hessian of 1 the same exact integers. Row-major bins
 * let one pass over a block of features read each row's codes from one or two cache lines.
 */
export function histKernel(
  hist: Float64Array,
  bins: Uint8Array,
  cols: number,
  offsets: Int32Array,
  valueBins: Int32Array,
  idx: Int32Array,
  begin: number,
  count: number,
  gg: Float64Array,
  gh: Float64Array,
  features: Int32Array,
  k0: number,
  k1: number,
  constHess: number,
  fb: Int32Array,
  ob: Int32Array,
): void {
  for (let k = k0; k < k1; k++) {
    const off = offsets[features[k]!]! * 3;
    hist.fill(0, off, off + (valueBins[features[k]!]! + 1) * 3);
  }
  for (let b0 = k0; b0 < k1; b0 += 32) {
    const nk = Math.min(32, k1 - b0);
    for (let k = 0; k < nk; k++) {
      fb[k] = features[b0 + k]!;
      ob[k] = offsets[fb[k]!]! * 3;
    }
    if (constHess > 0) {
      for (let n = 0; n < count; n++) {
        const at = idx[begin + n]! * cols;
        const g = gg[n]!;
        for (let k = 0; k < nk; k++) {
          const j = ob[k]! + bins[at + fb[k]!]! * 3;
          hist[j] = hist[j]! + g;
          hist[j + 2] = hist[j + 2]! + 1;
        }
      }
    } else {
      for (let n = 0; n < count; n++) {
        const at = idx[begin + n]! * cols;
        const g = gg[n]!;
        const h = gh[n]!;
        for (let k = 0; k < nk; k++) {
          const j = ob[k]! + bins[at + fb[k]!]! * 3;
          hist[j] = hist[j]! + g;
          hist[j + 1] = hist[j + 1]! + h;
          hist[j + 2] = hist[j + 2]! + 1;
        }
      }
    }
  }
  if (constHess > 0) {
    for (let k = k0; k < k1; k++) {
      const off = offsets[features[k]!]! * 3;
      const to = off + (valueBins[features[k]!]! + 1) * 3;
      for (let j = off; j < to; j += 3) hist[j + 1] = hist[j + 2]! * constHess;
    }
  }
}
