/**
 * The best split of a leaf over a range of features, from its histogram. Threads scan disjoint
 * feature ranges; taking the range results in feature order with a strict "greater gain" gives the
 * same split as one scan over all features (the first feature and bin reaching the best gain).
 */
import { histStride } from './histogram';

export interface SplitRules {
  lambdaL1: number;
  lambdaL2: number;
  /** At least 1. */
  minData: number;
  minHess: number;
  minGain: number;
}

/** Doubles per scan result: gain, feature (-1: none), bin, missing left (0/1), left gradient, hessian, count. */
export const SPLIT_WORDS = 7;

export function scanSplits(
  hist: Float64Array,
  offsets: Int32Array,
  valueBins: Int32Array,
  features: Int32Array,
  k0: number,
  k1: number,
  constHess: number,
  G: number,
  H: number,
  C: number,
  rules: SplitRules,
  out: Float64Array,
  at: number,
): void {
  const s = histStride(constHess);
  const { lambdaL1: l1, lambdaL2: l2, minData, minHess } = rules;
  // Inlined leaf score (the same arithmetic everywhere, so the same gains bit for bit): calls in this loop cost more than the maths.
  const score = (g: number, h: number): number => {
    const t = g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
    return (t * t) / (h + l2);
  };
  const parent = score(G, H);
  let bestGain = rules.minGain;
  let bf = -1;
  let bb = 0;
  let bMissLeft = false;
  let blg = 0;
  let blh = 0;
  let blc = 0;
  for (let k = k0; k < k1; k++) {
    const f = features[k]!;
    const nb = valueBins[f]!;
    const off = offsets[f]! * s;
    const mo = off + nb * s;
    const mg = hist[mo]!;
    const mc = hist[mo + s - 1]!;
    const mh = s === 2 ? mc * constHess : hist[mo + 1]!;
    const hasMissing = mc > 0;
    const lastBin = hasMissing ? nb - 1 : nb - 2;
    let ag = 0;
    let ah = 0;
    let ac = 0;
    for (let b = 0, j = off; b <= lastBin; b++, j += s) {
      ag += hist[j]!;
      const cb = hist[j + s - 1]!;
      ac += cb;
      // A constant hessian's sum is the count times it (exact integers for a hessian of 1).
      ah = s === 2 ? ac * constHess : ah + hist[j + 1]!;
      // Past this bin the right side only shrinks: no later threshold keeps minData rows there.
      if (C - ac < minData) break;
      // Too few rows on the left even with the missing ones.
      if (ac + mc < minData) continue;
      // An empty bin splits the rows as the previous threshold did (its sums differ at most by a
      // subtraction residue): keep the first threshold of such a run.
      if (cb === 0) continue;
      // Two candidates per threshold: missing values right (with the larger bins) or left.
      let lc = ac;
      let rc = C - lc;
      if (lc >= minData && rc >= minData) {
        const rh = H - ah;
        if (ah >= minHess && rh >= minHess) {
          const t = ag > l1 ? ag - l1 : ag < -l1 ? ag + l1 : 0;
          const gR = G - ag;
          const tR = gR > l1 ? gR - l1 : gR < -l1 ? gR + l1 : 0;
          const gain = (t * t) / (ah + l2) + (tR * tR) / (rh + l2) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            bf = f;
            bb = b;
            // Unseen missing values (none in this leaf) follow the side with more training rows.
            bMissLeft = hasMissing ? false : lc >= rc;
            blg = ag;
            blh = ah;
            blc = lc;
          }
        }
      }
      if (hasMissing) {
        const lg = ag + mg;
        const lh = ah + mh;
        lc = ac + mc;
        rc = C - lc;
        if (lc < minData || rc < minData) continue;
        const rh = H - lh;
        if (lh < minHess || rh < minHess) continue;
        const gain = score(lg, lh) + score(G - lg, rh) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bf = f;
          bb = b;
          bMissLeft = true;
          blg = lg;
          blh = lh;
          blc = lc;
        }
      }
    }
  }
  out[at] = bestGain;
  out[at + 1] = bf;
  out[at + 2] = bb;
  out[at + 3] = bMissLeft ? 1 : 0;
  out[at + 4] = blg;
  out[at + 5] = blh;
  out[at + 6] = blc;
}
