/**
 * The model port. Every model (trees, linear, kernel approximations, later deep nets) fits on a
 * training set with an optional validation set for early stopping, predicts, explains itself
 * (feature importance), saves and loads its artefact, and exports to ONNX so that serving is one
 * uniform path (onnxruntime-node). One contract test suite is applied to every model.
 */

/** A dense row-major matrix of features with labels. NaN in `x` means missing. */
export interface Dataset {
  rows: number;
  cols: number;
  /** rows x cols, row-major. */
  x: Float32Array;
  /** One label per row (regression target, 0/1 for binary, relevance for ranking). */
  y: Float32Array;
  /** Optional per-row weights. */
  weight?: Float32Array;
  /** Ranking: sizes of consecutive query groups (e.g. one group per date); sums to rows. */
  group?: Int32Array;
  featureNames: readonly string[];
}

export type Objective = 'regression' | 'binary' | 'lambdarank';

export interface FitOptions {
  valid?: Dataset;
  /** Deterministic training: same seed + same data + same params = byte-identical artefact. */
  seed?: number;
  /** Called after each boosting round / epoch with validation metrics, for progress displays. */
  onProgress?: (info: { iteration: number; trainLoss?: number; validLoss?: number }) => void;
}

export interface FitReport {
  /** Iterations (trees, epochs) kept after early stopping. */
  iterations: number;
  bestIteration: number;
  bestValidLoss: number | null;
  seconds: number;
}

/** What an artefact carries about itself (the registry adds lineage: data range, set hash...). */
export interface ModelMetadata {
  kind: string;
  objective: Objective;
  featureNames: string[];
  params: Record<string, unknown>;
  seed: number;
  /** Free-form extras set by the trainer: label, training window, data hash, metrics, normalisation. */
  extra: Record<string, unknown>;
}

export interface Model {
  readonly kind: string;
  fit(train: Dataset, options?: FitOptions): Promise<FitReport>;
  /** Scores for `rows` rows of `x` (rows x featureNames.length, row-major); raw score for ranking/regression,
   * probability of class 1 for binary. Throws a QuantError on a wrong width or non-finite-only rows? No:
   * NaN is a missing value; +-Infinity is refused. */
  predict(x: Float32Array, rows: number): Float64Array;
  importance(type: 'gain' | 'split'): Record<string, number>;
  /** ONNX ModelProto bytes: input `features` float32 [N, F]; output `score` float32 [N, 1]. */
  toOnnx(): Uint8Array;
  /** Artefact bytes (deterministic); `ModelFactory.load` reads them back. */
  save(): Uint8Array;
  metadata(): ModelMetadata;
}

export interface ModelFactory {
  readonly kind: string;
  create(params: Record<string, unknown>): Model;
  load(artefact: Uint8Array): Model;
}

/**
 * Trees as plain data, for ONNX export (ai.onnx.ml TreeEnsembleRegressor) and for inspection.
 * Node ids are per tree; a leaf has `leaf` set. Missing values follow `missingGoesLeft`.
 */
export interface TreeNode {
  feature: number;
  /** Go left when x[feature] <= threshold (BRANCH_LEQ). */
  threshold: number;
  left: number;
  right: number;
  missingGoesLeft: boolean;
  /** Leaf value (already multiplied by the learning rate); set only on leaves. */
  leaf?: number;
}

export interface TreeEnsembleSpec {
  trees: TreeNode[][];
  /** Added to the sum of leaves. */
  baseScore: number;
  /** 'none' for regression/ranking, 'logistic' for binary probabilities. */
  postTransform: 'none' | 'logistic';
  featureCount: number;
}
