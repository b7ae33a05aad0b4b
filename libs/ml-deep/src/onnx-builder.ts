/**
 * A small graph builder over @quant/ml's ONNX description: unique value names, float initialisers, and
 * the input stages every deep model shares (standardise, NaN -> 0, flat row -> sequence).
 */
import type { OnnxAttribute, OnnxNode, OnnxTensor } from '@quant/ml';
import type { SequenceSpec } from './deep-params';

export class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  /** A float initialiser (or int64 with dataType). */
  constant(name: string, dims: number[], data: ArrayLike<number>, dataType: 'float' | 'int64' = 'float'): string {
    this.initializers.push({ name, dataType, dims, data });
    return name;
  }

  ints(name: string, data: number[]): string {
    return this.constant(name, [data.length], data, 'int64');
  }

  op(opType: string, inputs: string[], attributes: OnnxAttribute[] = [], output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.count++}`;
    this.nodes.push({ opType, name: `${out}_node`, inputs, outputs: [out], ...(attributes.length ? { attributes } : {}) });
    return out;
  }

  /** A node with several outputs, named `${prefix}_${i}`; '' skips an optional output. */
  opOutputs(opType: string, inputs: string[], outputs: number, attributes: OnnxAttribute[] = []): string[] {
    const id = this.count++;
    const names = Array.from({ length: outputs }, (_, i) => `${opType.toLowerCase()}_${id}_${i}`);
    this.nodes.push({ opType, name: `${opType.toLowerCase()}_${id}_node`, inputs, outputs: names, ...(attributes.length ? { attributes } : {}) });
    return names;
  }

  /** x W + b for x [..., in] and a stored [in, out] weight. */
  dense(x: string, w: string, b: string | null): string {
    const y = this.op('MatMul', [x, w]);
    return b ? this.op('Add', [y, b]) : y;
  }
}

/** Standardise (optional), then NaN -> 0: the model's input cleaning, as the tfjs path does it. */
export function cleanInput(g: OnnxBuilder, input: string, center: Float32Array | null, scale: Float32Array | null): string {
  let cur = input;
  if (center && scale) {
    g.constant('center', [center.length], center);
    g.constant('scale', [scale.length], scale);
    cur = g.op('Div', [g.op('Sub', [cur, 'center']), 'scale']);
  }
  g.constant('zero', [1], [0]);
  return g.op('Where', [g.op('IsNaN', [cur]), 'zero', cur], [], 'clean');
}

/** [N, F] -> a 3-D sequence in the axis order wanted: N batch, T time, C fields. */
export function sequenceInput(g: OnnxBuilder, x: string, seq: SequenceSpec, want: 'TNC' | 'NTC' | 'NCT'): string {
  const fieldMajor = seq.layout === 'field-major';
  const shaped = g.op('Reshape', [x, g.ints('sequence_shape', fieldMajor ? [-1, seq.fields, seq.steps] : [-1, seq.steps, seq.fields])]);
  // Permutation from the stored order (NCT or NTC) to the wanted one.
  const from = fieldMajor ? 'NCT' : 'NTC';
  if (from === want) return shaped;
  const perm = [...want].map((axis) => from.indexOf(axis));
  return g.op('Transpose', [shaped], [{ name: 'perm', type: 'ints', value: perm }]);
}
