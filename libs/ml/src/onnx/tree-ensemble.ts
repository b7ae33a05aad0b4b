/**
 * Tree ensembles -> Cast(features, double) -> ai.onnx.ml TreeEnsembleRegressor (opset 3) -> `score`.
 *
 * onnxruntime picks the threshold and accumulator type from the input type (float input: float
 * thresholds and a float sum). Casting the float32 input to double (exact) and writing thresholds,
 * leaf weights and the base score as double tensors (`*_as_tensor`) makes it compare and sum exactly
 * as an in-process predictor over Float32Array input with number (double) thresholds does; only the
 * final score is rounded to float32. With float attributes a threshold lying between two float32
 * values would be rounded and route some rows differently, and a sum of thousands of leaves in
 * float32 would drift from the double sum.
 */
import { QuantError } from '@quant/errors';
import type { TreeEnsembleSpec } from '../model.port';
import type { OnnxAttribute, OnnxNode } from './model';
import { FEATURES_INPUT, ONNX_DTYPE, SCORE_OUTPUT, scoringModel } from './model';

export interface TreeEnsembleOnnxOptions {
  /** Model metadata written as ONNX metadata_props. */
  metadata?: Record<string, string>;
  docString?: string;
}

function invalid(message: string, details: Record<string, string | number | boolean | null>): QuantError {
  return new QuantError('ML_ONNX_INVALID_TREE', message, { details });
}

export function treeEnsembleToOnnx(spec: TreeEnsembleSpec, options: TreeEnsembleOnnxOptions = {}): Uint8Array {
  const F = spec.featureCount;
  if (!Number.isInteger(F) || F < 1) throw invalid(`tree ensemble: featureCount must be a positive integer, got ${F}`, { featureCount: F });
  if (!Number.isFinite(spec.baseScore)) throw invalid(`tree ensemble: baseScore must be finite, got ${spec.baseScore}`, {});

  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tIds: number[] = [];
  const tWeights: number[] = [];

  // An ensemble without trees (e.g. stopped at iteration 0) still exports: one leaf worth 0.
  const trees = spec.trees.length > 0 ? spec.trees : [[{ feature: 0, threshold: 0, left: 0, right: 0, missingGoesLeft: false, leaf: 0 }]];

  trees.forEach((tree, t) => {
    if (tree.length === 0) throw invalid(`tree ensemble: tree ${t} has no nodes`, { tree: t });
    tree.forEach((node, id) => {
      treeIds.push(t);
      nodeIds.push(id);
      if (node.leaf !== undefined) {
        if (!Number.isFinite(node.leaf)) throw invalid(`tree ensemble: tree ${t} leaf ${id} value ${node.leaf} is not finite`, { tree: t, node: id });
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        missingTrue.push(0);
        tTree.push(t);
        tNode.push(id);
        tIds.push(0);
        tWeights.push(node.leaf);
        return;
      }
      if (!Number.isInteger(node.feature) || node.feature < 0 || node.feature >= F) {
        throw invalid(`tree ensemble: tree ${t} node ${id} splits on feature ${node.feature}, outside 0..${F - 1}`, { tree: t, node: id });
      }
      for (const child of [node.left, node.right]) {
        if (!Number.isInteger(child) || child < 0 || child >= tree.length || child === id) {
          throw invalid(`tree ensemble: tree ${t} node ${id} has child ${child}, not a node of this tree`, { tree: t, node: id });
        }
      }
      if (Number.isNaN(node.threshold)) throw invalid(`tree ensemble: tree ${t} node ${id} threshold is NaN`, { tree: t, node: id });
      featureIds.push(node.feature);
      modes.push('BRANCH_LEQ');
      values.push(node.threshold);
      trueIds.push(node.left);
      falseIds.push(node.right);
      missingTrue.push(node.missingGoesLeft ? 1 : 0);
    });
  });

  const n = values.length;
  const m = tWeights.length;
  const attributes: OnnxAttribute[] = [
    { name: 'aggregate_function', type: 'string', value: 'SUM' },
    { name: 'base_values_as_tensor', type: 'tensor', value: { name: '', dataType: 'double', dims: [1], data: [spec.baseScore] } },
    { name: 'n_targets', type: 'int', value: 1 },
    { name: 'nodes_falsenodeids', type: 'ints', value: falseIds },
    { name: 'nodes_featureids', type: 'ints', value: featureIds },
    { name: 'nodes_missing_value_tracks_true', type: 'ints', value: missingTrue },
    { name: 'nodes_modes', type: 'strings', value: modes },
    { name: 'nodes_nodeids', type: 'ints', value: nodeIds },
    { name: 'nodes_treeids', type: 'ints', value: treeIds },
    { name: 'nodes_truenodeids', type: 'ints', value: trueIds },
    { name: 'nodes_values_as_tensor', type: 'tensor', value: { name: '', dataType: 'double', dims: [n], data: values } },
    // onnxruntime's regressor leaves LOGISTIC unapplied, so the logistic link is an explicit Sigmoid node.
    { name: 'post_transform', type: 'string', value: 'NONE' },
    { name: 'target_ids', type: 'ints', value: tIds },
    { name: 'target_nodeids', type: 'ints', value: tNode },
    { name: 'target_treeids', type: 'ints', value: tTree },
    { name: 'target_weights_as_tensor', type: 'tensor', value: { name: '', dataType: 'double', dims: [m], data: tWeights } },
  ];
  // The regressor's output Y (float) is already [N, n_targets] = [N, 1]: the score, or the margin before a Sigmoid.
  const logistic = spec.postTransform === 'logistic';
  const nodes: OnnxNode[] = [
    { opType: 'Cast', name: 'to_double', inputs: [FEATURES_INPUT], outputs: ['features_f64'], attributes: [{ name: 'to', type: 'int', value: ONNX_DTYPE.double }] },
    { opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name: 'trees', inputs: ['features_f64'], outputs: [logistic ? 'margin' : SCORE_OUTPUT], attributes },
  ];
  if (logistic) nodes.push({ opType: 'Sigmoid', name: 'probability', inputs: ['margin'], outputs: [SCORE_OUTPUT] });
  return scoringModel(F, nodes, [], {
    graphName: 'tree_ensemble',
    ...(options.docString ? { docString: options.docString } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
}
