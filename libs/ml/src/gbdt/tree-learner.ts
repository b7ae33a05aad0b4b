/**
 * Leaf-wise (best-first) growth of one regression tree on binned data from gradients and hessians,
 * the LightGBM way: the leaf whose best split gains most is split next, until `numLeaves` leaves.
 * Histograms of (sum grad, sum hess, count) per bin are built only for the smaller child; the larger
 * child's histogram is the parent's minus the smaller one's (histogram subtraction).
 */
import type { BinnedMatrix } from './binning';
import { HIST_BLOCK, histKernel } from './histogram';

export interface LearnerParams {
  numLeaves: number;
  /** <= 0: unlimited. */
  maxDepth: number;
  lambdaL1: number;
  lambdaL2: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
}

/** One node of a grown tree; `bin` is the split bin used on training data (bin <= bin goes left). */
export interface GrownNode {
  feature: number;
  bin: number;
  threshold: number;
  left: number;
  right: number;
  missingGoesLeft: boolean;
  gain: number;
  /** Raw leaf output -G/(H + lambda2) (before learning rate); NaN on internal nodes. */
  value: number;
}

export interface GrownTree {
  nodes: GrownNode[];
  /** For every leaf node: its rows are indices[begin, begin + count) of the learner's `indices`. */
  leaves: { node: number; begin: number; count: number }[];
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  lg: number;
  lh: number;
  lc: number;
}

interface Leaf {
  node: number;
  begin: number;
  count: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  best: Split | null;
}

export class TreeLearner {
  /** Row ids partitioned by leaf after `grow` (in-bag rows only). */
  readonly indices: Int32Array;
  private readonly scratch: Int32Array;
  private readonly gg: Float64Array;
  private readonly gh: Float64Array;
  private readonly pool: Float64Array[] = [];
  private readonly blockFeature = new Int32Array(HIST_BLOCK);
  private readonly blockOffset = new Int32Array(HIST_BLOCK);

  private readonly valueBins: Int32Array;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly p: LearnerParams,
  ) {
    this.indices = new Int32Array(data.rows);
    this.scratch = new Int32Array(data.rows);
    this.gg = new Float64Array(data.rows);
    this.gh = new Float64Array(data.rows);
    this.valueBins = Int32Array.from(data.features, (f) => f.valueBins);
  }

  private threshold(g: number): number {
    const l1 = this.p.lambdaL1;
    if (g > l1) return g - l1;
    if (g < -l1) return g + l1;
    return 0;
  }

  leafOutput(g: number, h: number): number {
    const d = h + this.p.lambdaL2;
    return d > 0 ? -this.threshold(g) / d : 0;
  }

  private takeHist(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.data.totalBins * 3);
  }

  /** Fills `hist` for the leaf's rows over `features` (see histKernel). */
  private buildHist(leaf: { begin: number; count: number }, hist: Float64Array, grad: Float64Array, hess: Float64Array, features: Int32Array, constHess: number): void {
    const { begin, count } = leaf;
    const idx = this.indices;
    const gg = this.gg;
    const gh = this.gh;
    // Gather the leaf's gradients once so the per-block passes read them sequentially.
    for (let i = 0; i < count; i++) gg[i] = grad[idx[begin + i]!]!;
    if (constHess <= 0) for (let i = 0; i < count; i++) gh[i] = hess[idx[begin + i]!]!;
    histKernel(hist, this.data.bins, this.data.cols, this.data.offsets, this.valueBins, idx, begin, count, gg, gh, features, 0, features.length, constHess, this.blockFeature, this.blockOffset);
  }

  private findBest(leaf: Leaf, features: Int32Array): Split | null {
    const p = this.p;
    const minData = Math.max(1, p.minDataInLeaf);
    if (leaf.count < 2 * minData) return null;
    const hist = leaf.hist;
    const G = leaf.g;
    const H = leaf.h;
    const C = leaf.count;
    const l1 = p.lambdaL1;
    const l2 = p.lambdaL2;
    const minHess = p.minSumHessianInLeaf;
    // Inlined leafScore (same arithmetic, so the same gains bit for bit): calls in this loop cost more than the maths.
    const score = (g: number, h: number): number => {
      const t = g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
      return (t * t) / (h + l2);
    };
    const parent = score(G, H);
    let bestGain = p.minGainToSplit;
    let bf = -1;
    let bb = 0;
    let bMissLeft = false;
    let blg = 0;
    let blh = 0;
    let blc = 0;
    for (let k = 0; k < features.length; k++) {
      const f = features[k]!;
      const nb = this.data.features[f]!.valueBins;
      const off = this.data.offsets[f]! * 3;
      const mo = off + nb * 3;
      const mg = hist[mo]!;
      const mh = hist[mo + 1]!;
      const mc = hist[mo + 2]!;
      const hasMissing = mc > 0;
      const lastBin = hasMissing ? nb - 1 : nb - 2;
      let ag = 0;
      let ah = 0;
      let ac = 0;
      for (let b = 0, j = off; b <= lastBin; b++, j += 3) {
        ag += hist[j]!;
        ah += hist[j + 1]!;
        ac += hist[j + 2]!;
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
    return bf < 0 ? null : { feature: bf, bin: bb, missingLeft: bMissLeft, gain: bestGain, lg: blg, lh: blh, lc: blc };
  }

  /** Grows one tree on the rows `bag[0..bagSize)` using only `features` (sorted ids). */
  grow(grad: Float64Array, hess: Float64Array, bag: Int32Array, bagSize: number, features: Int32Array): GrownTree {
    const p = this.p;
    this.indices.set(bag.subarray(0, bagSize));
    let g = 0;
    let h = 0;
    for (let i = 0; i < bagSize; i++) {
      const r = bag[i]!;
      g += grad[r]!;
      h += hess[r]!;
    }
    const nodes: GrownNode[] = [{ feature: -1, bin: -1, threshold: 0, left: -1, right: -1, missingGoesLeft: false, gain: 0, value: this.leafOutput(g, h) }];
    // A hessian equal on every in-bag row (unweighted L2) lets buildHist skip accumulating it.
    let constHess = bagSize > 0 ? hess[bag[0]!]! : 0;
    for (let i = 1; i < bagSize && constHess > 0; i++) if (hess[bag[i]!] !== constHess) constHess = 0;
    const root: Leaf = { node: 0, begin: 0, count: bagSize, depth: 0, g, h, hist: this.takeHist(), best: null };
    this.buildHist(root, root.hist, grad, hess, features, constHess);
    const canSplit = (leaf: Leaf): boolean => p.maxDepth <= 0 || leaf.depth < p.maxDepth;
    root.best = canSplit(root) ? this.findBest(root, features) : null;
    const leaves: Leaf[] = [root];
    const bins = this.data.bins;
    while (leaves.length < p.numLeaves) {
      let pick = -1;
      for (let i = 0; i < leaves.length; i++) {
        const s = leaves[i]!.best;
        if (s && (pick < 0 || s.gain > leaves[pick]!.best!.gain)) pick = i;
      }
      if (pick < 0) break;
      const leaf = leaves[pick]!;
      const s = leaf.best!;
      const fb = this.data.features[s.feature]!;
      const missingBin = fb.valueBins;
      // Stable partition of the leaf's rows: left rows stay in front, right rows follow.
      const idx = this.indices;
      const cols = this.data.cols;
      let nl = 0;
      let nr = 0;
      for (let i = leaf.begin; i < leaf.begin + leaf.count; i++) {
        const r = idx[i]!;
        const b = bins[r * cols + s.feature]!;
        const left = b === missingBin ? s.missingLeft : b <= s.bin;
        if (left) idx[leaf.begin + nl++] = r;
        else this.scratch[nr++] = r;
      }
      idx.set(this.scratch.subarray(0, nr), leaf.begin + nl);
      const leftNode = nodes.length;
      const rightNode = leftNode + 1;
      const rg = leaf.g - s.lg;
      const rh = leaf.h - s.lh;
      nodes.push({ feature: -1, bin: -1, threshold: 0, left: -1, right: -1, missingGoesLeft: false, gain: 0, value: this.leafOutput(s.lg, s.lh) });
      nodes.push({ feature: -1, bin: -1, threshold: 0, left: -1, right: -1, missingGoesLeft: false, gain: 0, value: this.leafOutput(rg, rh) });
      const parentNode = nodes[leaf.node]!;
      Object.assign(parentNode, { feature: s.feature, bin: s.bin, threshold: fb.thresholds[s.bin]!, left: leftNode, right: rightNode, missingGoesLeft: s.missingLeft, gain: s.gain, value: Number.NaN });
      const lLeaf: Leaf = { node: leftNode, begin: leaf.begin, count: nl, depth: leaf.depth + 1, g: s.lg, h: s.lh, hist: leaf.hist, best: null };
      const rLeaf: Leaf = { node: rightNode, begin: leaf.begin + nl, count: nr, depth: leaf.depth + 1, g: rg, h: rh, hist: leaf.hist, best: null };
      const [small, large] = nl <= nr ? [lLeaf, rLeaf] : [rLeaf, lLeaf];
      small.hist = this.takeHist();
      this.buildHist(small, small.hist, grad, hess, features, constHess);
      const ph = large.hist;
      const sh = small.hist;
      for (let k = 0; k < features.length; k++) {
        const f = features[k]!;
        const from = this.data.offsets[f]! * 3;
        const to = from + (this.data.features[f]!.valueBins + 1) * 3;
        for (let j = from; j < to; j++) ph[j] = ph[j]! - sh[j]!;
      }
      leaves[pick] = lLeaf;
      leaves.push(rLeaf);
      if (leaves.length < p.numLeaves) {
        lLeaf.best = canSplit(lLeaf) ? this.findBest(lLeaf, features) : null;
        rLeaf.best = canSplit(rLeaf) ? this.findBest(rLeaf, features) : null;
      }
    }
    for (const leaf of leaves) this.pool.push(leaf.hist);
    return { nodes, leaves: leaves.map((l) => ({ node: l.node, begin: l.begin, count: l.count })) };
  }
}
