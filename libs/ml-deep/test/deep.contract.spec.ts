import { DeepModel, registerGradients } from '../src';
import type { DeepKind } from '../src';
// The model contract lives with the port in @quant/ml's tests; no package exports test code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { describeModelContract, syntheticData } from '../../ml/test/model-contract';

// tfjs's gradients load at the first fit; here at import, where vitest's transform of them has no hook timeout.
await registerGradients();

const sequence = { steps: 4, fields: 2, layout: 'field-major' };
const small = { epochs: 4, batchSize: 64, learningRate: 0.01, earlyStoppingRounds: 2 };
const data = (seed: number) => syntheticData({ seed, objective: 'regression', cols: 8 });
const load = (bytes: Uint8Array) => DeepModel.load(bytes);

const cases: [string, DeepKind, Record<string, unknown>][] = [
  ['mlp', 'mlp', { hiddenSizes: [16, 8], dropout: 0.1, weightDecay: 1e-4 }],
  ['lstm (2 layers)', 'lstm', { sequence, hiddenSize: 8, numLayers: 2, dropout: 0.1 }],
  // 2 layers: the upper recurrent layer and the lower Transformer layer take the input-gradient and
  // every-step paths (the 1-layer networks are in alpha360-shape.spec.ts).
  ['gru (2 layers)', 'gru', { sequence, hiddenSize: 8, numLayers: 2, lrSchedule: 'cosine' }],
  ['tcn', 'tcn', { sequence, channels: [8, 8], kernelSize: 2, lrSchedule: 'step', lrStepSize: 2 }],
  ['transformer (2 layers)', 'transformer', { sequence: { ...sequence, layout: 'time-major' }, dModel: 8, heads: 2, numLayers: 2, ffnSize: 16, dropout: 0.1 }],
];

for (const [name, kind, params] of cases) {
  describeModelContract(`deep ${name}`, () => new DeepModel(kind, { ...small, ...params }), data, { load });
}

describeModelContract('deep mlp, binary', () => new DeepModel('mlp', { ...small, objective: 'binary', hiddenSizes: [8] }), (seed) => syntheticData({ seed, objective: 'binary' }), { load });
