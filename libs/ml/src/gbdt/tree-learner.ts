/**
 * Leaf-wise (best-first) growth of one regression tree on binned data from gradients and hessians,
 * the LightGBM way: the leaf whose best split gains most is split next, until `numLeaves` leaves.
 * Histograms (see histogram.ts) are built only for the smaller child; the larger child's histogram is
 * the parent's minus the smaller one's (histogram subtraction), and a child that can never split gets
 * none. Histogram jobs, with the split search, run on the learner's threads (hist-pool.ts).
 */
import { QuantError } from '@quant/errors';
import { binSample, type BinnedMatrix } from './binning';
import { HistPool } from './hist-pool';
import { MAX_CHUNKS, allocateShared, type HistWork, type JobLeaf } from './hist-work';
import { SPLIT_WORDS, type SplitRules } from './split-finder';
import { isDenseLeaf } from './histogram';

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
  /** Histogram slot in the shared pool; -1 once released. */
  slot: number;
  best: Split | null;
}

export interface LearnerOptions {
  /** Threads building histograms, this one included (>= 1). */
  threads: number;
}

/** Below this many (row, feature) updates a histogram job runs on the training thread alone. */
const SHARE_MIN_UPDATES = 60_000;
/** Features per chunk of a dense job: one eight-feature (or two four-feature) column passes. */
const DENSE_CHUNK = 8;

/** A tree never holds more leaves than numLeaves, nor more than rows / minDataInLeaf. */
function slotsFor(p: LearnerParams, rows: number): number {
  return Math.max(1, Math.min(p.numLeaves, Math.floor(rows / Math.max(1, p.minDataInLeaf)) + 1));
}

export class TreeLearner {
  /** Row ids partitioned by leaf after `grow` (in-bag rows only). */
  readonly indices: Int32Array;
  /** Row-major codes of the validation matrix given to fromMatrix, with the training edges. */
  validBins: Uint8Array | null = null;
  /** The binned training matrix (on the threads' shared memory). */
  readonly data: BinnedMatrix;
  private readonly scratch: Int32Array;
  private readonly goLeft = new Uint8Array(256);
  private readonly pool: HistPool;
  private readonly work: HistWork;
  private readonly freeSlots: number[] = [];
  private readonly valueBins: Int32Array;
  private readonly rules: SplitRules;

  /**
   * Bins the row-major matrix x (rows x cols) on `threads` threads and returns a learner on it,
   * keeping those threads for the histograms. Close it when done.
   */
  static fromMatrix(x: Float32Array, rows: number, cols: number, p: LearnerParams & { maxBin: number }, seed: number, threads: number, valid: { x: Float32Array; rows: number } | null = null): TreeLearner {
    const shared = allocateShared(x, rows, cols, p.maxBin, slotsFor(p, rows), binSample(rows, seed), valid);
    const pool = new HistPool(shared, Math.max(0, threads - 1));
    try {
      const learner = new TreeLearner(pool.binMatrix(), p, pool);
      if (valid) learner.validBins = pool.binValid();
      return learner;
    } catch (error) {
      pool.close();
      throw error;
    }
  }

  /** A learner on an already binned matrix (copied to shared memory when `threads` > 1 asks for a pool). */
  constructor(data: BinnedMatrix, private readonly p: LearnerParams, pool: HistPool | LearnerOptions = { threads: 1 }) {
    this.valueBins = Int32Array.from(data.features, (f) => f.valueBins);
    this.rules = { lambdaL1: p.lambdaL1, lambdaL2: p.lambdaL2, minData: Math.max(1, p.minDataInLeaf), minHess: p.minSumHessianInLeaf, minGain: p.minGainToSplit };
    if (pool instanceof HistPool) {
      this.pool = pool;
      this.data = data;
    } else {
      const maxBin = Math.max(1, ...this.valueBins) - 1;
      this.pool = new HistPool(allocateShared(null, data.rows, data.cols, maxBin, slotsFor(p, data.rows), null), Math.max(0, pool.threads - 1));
      const d = this.pool.work.data;
      d.bins.set(data.bins);
      d.columns.set(data.columns);
      d.offsets.set(data.offsets);
      d.valueBins.set(this.valueBins);
      this.pool.countRoot();
      this.data = { ...data, bins: d.bins, columns: d.columns };
    }
    this.work = this.pool.work;
    this.indices = this.work.indices;
    this.scratch = new Int32Array(data.rows);
    const slots = this.work.hist.length;
    for (let i = slots - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  /** Chunks of histogram work done by helper threads so far (tests check the workers really ran). */
  workerChunks(): number {
    return this.pool.workerChunks();
  }

  /** Helper threads started and waiting for work. */
  helpersReady(): number {
    return this.pool.ready();
  }

  /** Stops the helper threads. */
  close(): void {
    this.pool.close();
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

  private takeSlot(): number {
    const slot = this.freeSlots.pop();
    if (slot === undefined) throw new QuantError('ML_INTERNAL', 'gbdt: out of histogram slots');
    return slot;
  }

  /**
   * Builds `small`'s histogram into its slot and, with `large`, turns the parent's histogram in
   * large's slot into large's by subtraction; then sets `best` of the leaves asked for by `scan`.
   */
  private buildHist(small: Leaf, large: Leaf | null, scanSmall: boolean, scanLarge: boolean, grad: Float64Array, hess: Float64Array, nf: number, constHess: number): void {
    const { begin, count } = small;
    const idx = this.indices;
    const gg = this.work.gg;
    const gh = this.work.gh;
    // Gather the leaf's gradients once so the kernels read them sequentially.
    for (let i = 0; i < count; i++) gg[i] = grad[idx[begin + i]!]!;
    if (constHess <= 0) for (let i = 0; i < count; i++) gh[i] = hess[idx[begin + i]!]!;
    const helpers = this.pool.helpers;
    // Dense jobs cut into small chunks (they balance well); sparse ones read every row once per
    // chunk, so they get one chunk per thread.
    const chunk = isDenseLeaf(count, this.data.rows) ? Math.max(DENSE_CHUNK, Math.ceil(nf / MAX_CHUNKS)) : Math.max(1, Math.ceil(nf / (helpers + 1)));
    const chunks = Math.ceil(nf / chunk);
    const leafOf = (l: Leaf, scan: boolean): JobLeaf => ({ slot: l.slot, g: l.g, h: l.h, count: l.count, scan });
    this.work.setJob(begin, leafOf(small, scanSmall), large ? leafOf(large, scanLarge) : null, nf, chunk, constHess, this.rules);
    this.pool.run(chunks, helpers > 0 && count * nf >= SHARE_MIN_UPDATES);
    small.best = scanSmall ? this.mergeBest(chunks, 0) : null;
    if (large) large.best = scanLarge ? this.mergeBest(chunks, 1) : null;
  }

  /** The best of the chunks' splits for the job's small (0) or large (1) leaf: the first reaching the top gain. */
  private mergeBest(chunks: number, which: 0 | 1): Split | null {
    const r = this.work.best;
    let bestGain = this.rules.minGain;
    let at = -1;
    for (let c = 0; c < chunks; c++) {
      const i = (c * 2 + which) * SPLIT_WORDS;
      if (r[i + 1]! >= 0 && r[i]! > bestGain) {
        bestGain = r[i]!;
        at = i;
      }
    }
    if (at < 0) return null;
    return { gain: r[at]!, feature: r[at + 1]!, bin: r[at + 2]!, missingLeft: r[at + 3] === 1, lg: r[at + 4]!, lh: r[at + 5]!, lc: r[at + 6]! };
  }

  /** Grows one tree on the rows `bag[0..bagSize)` using only `features` (sorted ids). */
  grow(grad: Float64Array, hess: Float64Array, bag: Int32Array, bagSize: number, featureIds: Int32Array): GrownTree {
    const p = this.p;
    const nf = featureIds.length;
    this.work.features.set(featureIds);
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
    const canSplit = (leaf: Leaf): boolean => p.maxDepth <= 0 || leaf.depth < p.maxDepth;
    const minData = this.rules.minData;
    const splittable = (leaf: Leaf): boolean => canSplit(leaf) && leaf.count >= 2 * minData;
    // A leaf that will never split needs no histogram: its slot serves the next one.
    const settle = (leaf: Leaf): void => {
      if (!leaf.best) this.release(leaf);
    };
    const root: Leaf = { node: 0, begin: 0, count: bagSize, depth: 0, g, h, slot: this.takeSlot(), best: null };
    this.buildHist(root, null, splittable(root), false, grad, hess, nf, constHess);
    const leaves: Leaf[] = [root];
    settle(root);
    const columns = this.data.columns;
    const rows = this.data.rows;
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
      const col = s.feature * rows;
      // Side of every code (1: left), so the loop has no data-dependent branch to mispredict.
      const goLeft = this.goLeft;
      for (let b = 0; b < 256; b++) goLeft[b] = (b === missingBin ? s.missingLeft : b <= s.bin) ? 1 : 0;
      const scratch = this.scratch;
      let nl = 0;
      let nr = 0;
      for (let i = leaf.begin; i < leaf.begin + leaf.count; i++) {
        const r = idx[i]!;
        const l = goLeft[columns[col + r]!]!;
        // Both writes are safe: the left write never passes the read position.
        idx[leaf.begin + nl] = r;
        scratch[nr] = r;
        nl += l;
        nr += 1 - l;
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
      const lLeaf: Leaf = { node: leftNode, begin: leaf.begin, count: nl, depth: leaf.depth + 1, g: s.lg, h: s.lh, slot: leaf.slot, best: null };
      const rLeaf: Leaf = { node: rightNode, begin: leaf.begin + nl, count: nr, depth: leaf.depth + 1, g: rg, h: rh, slot: leaf.slot, best: null };
      leaves[pick] = lLeaf;
      leaves.push(rLeaf);
      // The parent's slot passes to the larger child; a child that can never split (too deep, too
      // few rows, or no leaves left to grow) needs no histogram at all.
      const last = leaves.length >= p.numLeaves;
      const [small, large] = nl <= nr ? [lLeaf, rLeaf] : [rLeaf, lLeaf];
      const smallNeeds = !last && splittable(small);
      const largeNeeds = !last && splittable(large);
      if (largeNeeds) {
        small.slot = this.takeSlot();
        this.buildHist(small, large, smallNeeds, true, grad, hess, nf, constHess);
      } else {
        // The small child takes over the parent's slot (the large one's histogram is never needed).
        small.slot = large.slot;
        large.slot = -1;
        if (smallNeeds) this.buildHist(small, null, true, false, grad, hess, nf, constHess);
      }
      settle(lLeaf);
      settle(rLeaf);
      if (last) break;
    }
    for (const leaf of leaves) this.release(leaf);
    return { nodes, leaves: leaves.map((l) => ({ node: l.node, begin: l.begin, count: l.count })) };
  }

  private release(leaf: Leaf): void {
    if (leaf.slot >= 0) this.freeSlots.push(leaf.slot);
    leaf.slot = -1;
  }
}
