/**
 * The training loop shared by gradient boosting and random forests. Boosting fits each tree to the
 * gradients at the current scores and shrinks it by the learning rate; a forest fits every tree to
 * the gradients at the constant start (so each tree predicts the label mean of its leaves) on its
 * own row and feature sample, and averages the trees.
 */
import { QuantError } from '@quant/errors';
import type { Dataset, FitOptions, TreeEnsembleSpec, TreeNode } from '../model.port';
import type { BinnedMatrix } from './binning';
import { checkGroups } from '../linear/validate';
import { checkMatrix } from './ensemble';
import { computeGradients, initScore, validLoss } from './objectives';
import type { TreeParams } from './params';
import { mulberry32 } from './prng';
import { TreeLearner, type GrownNode } from './tree-learner';

export interface TrainResult {
  spec: TreeEnsembleSpec;
  gain: number[];
  split: number[];
  iterations: number;
  bestIteration: number;
  bestValidLoss: number | null;
}

export function checkDataset(data: Dataset, p: TreeParams, where: string): void {
  if (data.featureNames.length !== data.cols) {
    throw new QuantError('ML_BAD_INPUT', `${where}: ${data.featureNames.length} feature names for ${data.cols} columns`);
  }
  checkMatrix(data.x, data.rows, data.cols, where);
  if (data.y.length !== data.rows) throw new QuantError('ML_BAD_INPUT', `${where}: ${data.y.length} labels for ${data.rows} rows`);
  for (let i = 0; i < data.rows; i++) {
    const v = data.y[i]!;
    if (!Number.isFinite(v)) throw new QuantError('ML_BAD_LABEL', `${where}: label of row ${i} is ${v}`, { details: { row: i } });
    if (p.objective === 'binary' && v !== 0 && v !== 1) throw new QuantError('ML_BAD_LABEL', `${where}: binary label of row ${i} must be 0 or 1, got ${v}`, { details: { row: i } });
    if (p.objective === 'lambdarank' && (v < 0 || v > 31)) throw new QuantError('ML_BAD_LABEL', `${where}: relevance of row ${i} must be in [0, 31], got ${v}`, { details: { row: i } });
  }
  if (data.weight) {
    if (data.weight.length !== data.rows) throw new QuantError('ML_BAD_INPUT', `${where}: ${data.weight.length} weights for ${data.rows} rows`);
    for (let i = 0; i < data.rows; i++) {
      const w = data.weight[i]!;
      if (!Number.isFinite(w) || w < 0) throw new QuantError('ML_BAD_INPUT', `${where}: weight of row ${i} must be finite and >= 0, got ${w}`);
    }
  }
  if (p.objective === 'lambdarank' && !data.group) throw new QuantError('ML_BAD_INPUT', `${where}: lambdarank needs query groups (Dataset.group)`);
  if (data.group) checkGroups(where, data.group, data.rows);
}

function toSpecTree(nodes: GrownNode[], scale: number): TreeNode[] {
  return nodes.map((n) =>
    n.feature < 0
      ? { feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leaf: n.value * scale }
      : { feature: n.feature, threshold: n.threshold, left: n.left, right: n.right, missingGoesLeft: n.missingGoesLeft },
  );
}

/**
 * Adds one tree's scaled leaf values to `score` for rows coded with the training edges. A code
 * k <= bin is exactly a value <= thresholds[bin], and NaN has the missing code, so this equals
 * evaluating the float thresholds (CompiledEnsemble) at a byte per value instead of four.
 */
function addTreeOnBins(nodes: GrownNode[], scale: number, bins: Uint8Array, rows: number, cols: number, binned: BinnedMatrix, score: Float64Array): void {
  const n = nodes.length;
  const feature = new Int32Array(n);
  const bin = new Int32Array(n);
  const missing = new Int32Array(n);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const missLeft = new Uint8Array(n);
  const value = new Float64Array(n);
  nodes.forEach((node, k) => {
    feature[k] = node.feature;
    if (node.feature < 0) {
      value[k] = node.value * scale;
      return;
    }
    bin[k] = node.bin;
    missing[k] = binned.features[node.feature]!.valueBins;
    left[k] = node.left;
    right[k] = node.right;
    missLeft[k] = node.missingGoesLeft ? 1 : 0;
  });
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    let k = 0;
    for (let f = feature[0]!; f >= 0; f = feature[k]!) {
      const b = bins[at + f]!;
      k = (b === missing[k] ? missLeft[k] === 1 : b <= bin[k]!) ? left[k]! : right[k]!;
    }
    score[r] = score[r]! + value[k]!;
  }
}

export function trainEnsemble(mode: 'gbdt' | 'random-forest', train: Dataset, p: TreeParams, options: FitOptions, seed: number): TrainResult {
  const forest = mode === 'random-forest';
  if (forest && p.objective === 'lambdarank') throw new QuantError('ML_BAD_PARAMS', 'random-forest: lambdarank is not supported (use gbdt)');
  checkDataset(train, p, `${mode} fit (train)`);
  if (train.rows === 0) throw new QuantError('ML_BAD_INPUT', `${mode} fit: the training set is empty`);
  const valid = options.valid;
  if (valid) {
    if (valid.cols !== train.cols) {
      throw new QuantError('ML_FEATURE_COUNT', `${mode} fit: validation set has ${valid.cols} features, training set ${train.cols}`);
    }
    checkDataset(valid, p, `${mode} fit (valid)`);
  }
  if (p.metric === 'ic' && valid && !valid.group) {
    throw new QuantError('ML_BAD_PARAMS', `${mode}: metric ic needs date groups on the validation set (Dataset.group)`);
  }
  if (p.earlyStoppingRounds > 0 && !valid) throw new QuantError('ML_BAD_PARAMS', `${mode}: earlyStoppingRounds needs a validation set`);

  const { rows, cols } = train;
  const learner = TreeLearner.fromMatrix(train.x, rows, cols, p, seed, p.numThreads, valid ? { x: valid.x, rows: valid.rows } : null);
  try {
    return boost(mode, train, p, options, seed, learner.data, learner);
  } finally {
    learner.close();
  }
}

function boost(mode: 'gbdt' | 'random-forest', train: Dataset, p: TreeParams, options: FitOptions, seed: number, binned: BinnedMatrix, learner: TreeLearner): TrainResult {
  const forest = mode === 'random-forest';
  const valid = options.valid;
  const { rows, cols } = train;
  const rng = mulberry32(seed);
  // A forest of binary classifiers averages probabilities: its trees regress the 0/1 label.
  const gradObjective = forest ? 'regression' : p.objective;
  const base = forest ? initScore('regression', train.y, train.weight) : initScore(p.objective, train.y, train.weight);
  const score = new Float64Array(rows).fill(base);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const ranking = { truncation: p.lambdarankTruncationLevel };
  if (forest) computeGradients(gradObjective, score, train.y, train.weight, train.group, grad, hess, ranking);

  const bag = new Int32Array(rows);
  let bagSize = rows;
  for (let i = 0; i < rows; i++) bag[i] = i;
  const allFeatures = Int32Array.from({ length: cols }, (_, i) => i);
  const useBagging = p.baggingFraction < 1 && (forest || p.baggingFreq > 0);

  const validScore = valid ? new Float64Array(valid.rows).fill(base) : null;
  const trees: GrownNode[][] = [];
  let bestIteration = 0;
  let bestLoss = Infinity;
  let lastLoss = Infinity;
  const scale = forest ? 1 / p.numIterations : p.learningRate;

  for (let it = 0; it < p.numIterations; it++) {
    if (!forest) computeGradients(gradObjective, score, train.y, train.weight, train.group, grad, hess, ranking);
    if (useBagging && (forest || it % p.baggingFreq === 0)) {
      bagSize = 0;
      for (let i = 0; i < rows; i++) if (rng() < p.baggingFraction) bag[bagSize++] = i;
      if (bagSize === 0) bag[bagSize++] = Math.floor(rng() * rows);
    }
    let features = allFeatures;
    if (p.featureFraction < 1) {
      const k = Math.max(1, Math.round(p.featureFraction * cols));
      const ids = Int32Array.from(allFeatures);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rng() * (cols - i));
        const t = ids[i]!;
        ids[i] = ids[j]!;
        ids[j] = t;
      }
      features = ids.subarray(0, k).sort();
    }
    const tree = learner.grow(grad, hess, bag, bagSize, features);
    trees.push(tree.nodes);

    if (!forest) {
      const nodes = tree.nodes;
      // In-bag rows sit in their leaf's index range: no traversal needed for them.
      for (const leaf of tree.leaves) {
        const v = nodes[leaf.node]!.value * scale;
        for (let i = leaf.begin; i < leaf.begin + leaf.count; i++) { const r = learner.indices[i]!; score[r] = score[r]! + v; }
      }
      if (bagSize < rows) {
        // Out-of-bag rows walk the tree on their bins (the bag is sorted, so a merge finds them).
        const bins = binned.bins;
        for (let r = 0, b = 0; r < rows; r++) {
          if (b < bagSize && bag[b] === r) { b++; continue; }
          let k = 0;
          for (;;) {
            const n = nodes[k]!;
            if (n.feature < 0) break;
            const bn = bins[r * cols + n.feature]!;
            k = (bn === binned.features[n.feature]!.valueBins ? n.missingGoesLeft : bn <= n.bin) ? n.left : n.right;
          }
          score[r] = score[r]! + nodes[k]!.value * scale;
        }
      }
    }

    let vl: number | undefined;
    if (valid && validScore) {
      addTreeOnBins(tree.nodes, scale, learner.validBins!, valid.rows, cols, binned, validScore);
      if (forest) {
        // Partial forest: rescale the running sum to an average of the trees so far.
        const f = p.numIterations / (it + 1);
        const cur = validScore.map((s) => base + (s - base) * f);
        const asRaw = p.objective === 'binary' ? cur.map((q) => { const c = Math.min(Math.max(q, 1e-15), 1 - 1e-15); return Math.log(c / (1 - c)); }) : cur;
        vl = validLoss(p.objective, asRaw, valid.y, valid.weight, valid.group, p.ndcgAt, p.metric);
      } else {
        vl = validLoss(p.objective, validScore, valid.y, valid.weight, valid.group, p.ndcgAt, p.metric);
      }
      lastLoss = vl;
      if (vl < bestLoss) {
        bestLoss = vl;
        bestIteration = it + 1;
      }
    }
    options.onProgress?.({ iteration: it + 1, ...(vl === undefined ? {} : { validLoss: vl }) });
    if (!forest && p.earlyStoppingRounds > 0 && it + 1 - bestIteration >= p.earlyStoppingRounds) break;
  }

  let kept = trees.length;
  if (!forest && p.earlyStoppingRounds > 0 && bestIteration > 0) kept = bestIteration;
  if (forest) {
    // A forest is not truncated: its score is the full average, so report that.
    bestIteration = kept;
    bestLoss = lastLoss;
  }
  const used = trees.slice(0, kept);
  const gain = new Array<number>(cols).fill(0);
  const split = new Array<number>(cols).fill(0);
  for (const nodes of used) {
    for (const n of nodes) {
      if (n.feature >= 0) {
        gain[n.feature]! += n.gain;
        split[n.feature]! += 1;
      }
    }
  }
  const spec: TreeEnsembleSpec = {
    trees: used.map((nodes) => toSpecTree(nodes, scale)),
    baseScore: base,
    postTransform: !forest && p.objective === 'binary' ? 'logistic' : 'none',
    featureCount: cols,
  };
  return { spec, gain, split, iterations: kept, bestIteration: valid ? bestIteration : kept, bestValidLoss: valid ? bestLoss : null };
}

