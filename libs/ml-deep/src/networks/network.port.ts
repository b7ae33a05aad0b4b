/**
 * A network is three views of one architecture: its weights (initialised from a seeded generator),
 * its tfjs forward pass (training and predict), and its ONNX graph (serving). The model around it
 * (deep-model.ts) owns data handling, the optimiser and the artefact.
 */
import type { SeededRandom } from '@quant/ml';
import type { tf } from '../backend';
import type { OnnxBuilder } from '../onnx-builder';
import type { DeepParams, SequenceSpec } from '../deep-params';

export interface WeightInit {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Weight decay applies (matrices), or not (biases, layer-norm parameters). */
  decay: boolean;
}

/**
 * How the input batch is laid out for the tfjs forward pass: 'rows' [B, F]; 'time-major' [T*B, C]
 * (row t*B + b); 'batch-major' [B*T, C] (row b*T + t). C = sequence fields.
 */
export type InputLayout = 'rows' | 'time-major' | 'batch-major';

export interface ForwardContext {
  training: boolean;
  /** Inverted dropout when training, identity otherwise. */
  dropout(x: tf.Tensor2D): tf.Tensor2D;
  /** The input batch needs a gradient (saliency for importance), so the first product must pass one back. */
  inputGrad: boolean;
}

export interface Network {
  readonly layout: InputLayout;
  init(rng: SeededRandom): WeightInit[];
  /** Raw score [B, 1] for a batch of B rows laid out as `layout` says. */
  forward(w: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor2D, batch: number, ctx: ForwardContext): tf.Tensor2D;
  /** Appends the graph from the cleaned input [N, F] to a raw score [N, 1]; returns that value's name. */
  onnx(w: ReadonlyMap<string, WeightInit>, g: OnnxBuilder, input: string): string;
}

export interface NetworkDims {
  features: number;
  sequence: SequenceSpec | null;
  params: DeepParams;
}

/** Uniform(-limit, limit) weights from the seeded generator, float32. */
export function uniform(rng: SeededRandom, shape: number[], limit: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** Glorot-uniform matrix [fanIn, fanOut] with zero bias. */
export function denseInit(rng: SeededRandom, name: string, fanIn: number, fanOut: number): WeightInit[] {
  return [
    { name: `W${name}`, shape: [fanIn, fanOut], data: uniform(rng, [fanIn, fanOut], Math.sqrt(6 / (fanIn + fanOut))), decay: true },
    { name: `b${name}`, shape: [fanOut], data: new Float32Array(fanOut), decay: false },
  ];
}

export function weight(w: ReadonlyMap<string, WeightInit>, name: string): WeightInit {
  const v = w.get(name);
  if (!v) throw new Error(`network weight ${name} is missing`);
  return v;
}

/** Stores weight `name` as an ONNX initialiser under the same name (data transposed/reordered by `map`). */
export function onnxWeight(g: OnnxBuilder, w: ReadonlyMap<string, WeightInit>, name: string, dims?: number[], data?: Float32Array): string {
  const v = weight(w, name);
  return g.constant(name, dims ?? v.shape, data ?? v.data);
}
