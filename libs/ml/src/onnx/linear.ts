/**
 * Linear scorers -> ONNX (ai.onnx opset 17):
 *
 *   features --[Where(IsNaN(x), means, x)]--> [(x - center) / scale] --[RFF: cos(x W + b) * s]--> MatMul w + bias [--> Sigmoid]
 *
 * Every optional stage mirrors a step the in-process predictor takes, with the same float32 constants,
 * so ONNX and `predict` differ only by float32 arithmetic.
 */
import { QuantError } from '@quant/errors';
import type { OnnxNode, OnnxTensor } from './model';
import { FEATURES_INPUT, SCORE_OUTPUT, scoringModel } from './model';

export interface RandomFourierMap {
  /** featureCount x components, row-major. */
  weights: ArrayLike<number>;
  /** One phase per component. */
  offsets: ArrayLike<number>;
  components: number;
  /** Multiplies cos(.), usually sqrt(2 / components). */
  scale: number;
}

export interface LinearOnnxSpec {
  /** One weight per (mapped) feature: featureCount, or rff.components when `rff` is set. */
  weights: ArrayLike<number>;
  bias: number;
  featureCount: number;
  postTransform: 'none' | 'logistic';
  /** Replace NaN (missing) in feature j by impute[j] before anything else. */
  impute?: ArrayLike<number>;
  /** Standardise: (x - center) / scale, per feature. */
  center?: ArrayLike<number>;
  scale?: ArrayLike<number>;
  /** Random Fourier features applied after standardisation. */
  rff?: RandomFourierMap;
  metadata?: Record<string, string>;
  docString?: string;
}

function check(name: string, values: ArrayLike<number> | undefined, length: number): void {
  if (values === undefined) return;
  if (values.length !== length) {
    throw new QuantError('ML_ONNX_INVALID_LINEAR', `linear ONNX export: ${name} has ${values.length} values, expected ${length}`, {
      details: { name, length: values.length, expected: length },
    });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      throw new QuantError('ML_ONNX_INVALID_LINEAR', `linear ONNX export: ${name}[${i}] is ${values[i]}, not finite`, { details: { name, index: i } });
    }
  }
}

const tensor = (name: string, dims: number[], data: ArrayLike<number>): OnnxTensor => ({ name, dataType: 'float', dims, data });

export function linearToOnnx(spec: LinearOnnxSpec): Uint8Array {
  const F = spec.featureCount;
  if (!Number.isInteger(F) || F < 1) {
    throw new QuantError('ML_ONNX_INVALID_LINEAR', `linear ONNX export: featureCount must be a positive integer, got ${F}`, { details: { featureCount: F } });
  }
  const width = spec.rff ? spec.rff.components : F;
  check('weights', spec.weights, width);
  check('bias', [spec.bias], 1);
  check('impute', spec.impute, F);
  check('center', spec.center, F);
  check('scale', spec.scale, F);
  if ((spec.center === undefined) !== (spec.scale === undefined)) {
    throw new QuantError('ML_ONNX_INVALID_LINEAR', 'linear ONNX export: center and scale go together', {});
  }
  if (spec.rff) {
    check('rff.weights', spec.rff.weights, F * spec.rff.components);
    check('rff.offsets', spec.rff.offsets, spec.rff.components);
    check('rff.scale', [spec.rff.scale], 1);
  }

  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  let cur = FEATURES_INPUT;
  if (spec.impute) {
    inits.push(tensor('impute_values', [F], spec.impute));
    nodes.push({ opType: 'IsNaN', name: 'missing', inputs: [cur], outputs: ['is_missing'] });
    nodes.push({ opType: 'Where', name: 'impute', inputs: ['is_missing', 'impute_values', cur], outputs: ['imputed'] });
    cur = 'imputed';
  }
  if (spec.center && spec.scale) {
    inits.push(tensor('center', [F], spec.center), tensor('scale', [F], spec.scale));
    nodes.push({ opType: 'Sub', name: 'centre', inputs: [cur, 'center'], outputs: ['centred'] });
    nodes.push({ opType: 'Div', name: 'standardise', inputs: ['centred', 'scale'], outputs: ['standardised'] });
    cur = 'standardised';
  }
  if (spec.rff) {
    const D = spec.rff.components;
    inits.push(tensor('rff_weights', [F, D], spec.rff.weights), tensor('rff_offsets', [D], spec.rff.offsets), tensor('rff_scale', [1], [spec.rff.scale]));
    nodes.push({ opType: 'MatMul', name: 'rff_project', inputs: [cur, 'rff_weights'], outputs: ['rff_projected'] });
    nodes.push({ opType: 'Add', name: 'rff_shift', inputs: ['rff_projected', 'rff_offsets'], outputs: ['rff_shifted'] });
    nodes.push({ opType: 'Cos', name: 'rff_cos', inputs: ['rff_shifted'], outputs: ['rff_cos'] });
    nodes.push({ opType: 'Mul', name: 'rff_scale', inputs: ['rff_cos', 'rff_scale'], outputs: ['rff_features'] });
    cur = 'rff_features';
  }
  inits.push(tensor('weights', [width, 1], spec.weights), tensor('bias', [1], [spec.bias]));
  const logistic = spec.postTransform === 'logistic';
  nodes.push({ opType: 'MatMul', name: 'linear', inputs: [cur, 'weights'], outputs: ['linear'] });
  nodes.push({ opType: 'Add', name: 'bias', inputs: ['linear', 'bias'], outputs: [logistic ? 'margin' : SCORE_OUTPUT] });
  if (logistic) nodes.push({ opType: 'Sigmoid', name: 'probability', inputs: ['margin'], outputs: [SCORE_OUTPUT] });

  return scoringModel(F, nodes, inits, {
    graphName: spec.rff ? 'rff_linear' : 'linear',
    ...(spec.docString ? { docString: spec.docString } : {}),
    ...(spec.metadata ? { metadata: spec.metadata } : {}),
  });
}
