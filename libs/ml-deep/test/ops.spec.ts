import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { deepBackend, registerGradients } from '../src';
import { attentionHeads, batchMatMul, causalIm2col, causalIm2colAt, convolutionSteps, dense, lastRowsBatchMajor, matMul, mergeHeads } from '../src/ops';
import { lastQueryAttention, layerNorm } from '../src/attention';
import { gruLayer, lstmLayer } from '../src/recurrent-layer';
import { ATTENTION, B, H, I, T, expectGradsClose, gruReference, lastStepAttentionReference, layerNormReference, lstmReference, random } from './op-references';

// tfjs's gradients load at the first fit; here at import, where vitest's transform of them has no hook timeout.
await registerGradients();

describe('hand-written gradients equal autograd', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('matMul', () => {
    expectGradsClose((a, b) => matMul(a as tf.Tensor2D, b as tf.Tensor2D), (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), [random([4, 3], 1), random([3, 5], 2)]);
  });

  it('dense: weight and bias gradients from one product (narrow x) and from two (wide x)', () => {
    const reference = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
    for (const [k, m] of [[3, 5], [5, 3]] as const) {
      const inputs = [random([7, k], 30 + k), random([k, m], 31), tf.randomUniform([m], -1, 1, 'float32', 32)];
      expectGradsClose((x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor, true), reference, inputs);
      const [x, w, b] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor];
      expectGradsClose((wv, bv) => dense(x, wv as tf.Tensor2D, bv as tf.Tensor, false), (wv, bv) => reference(x, wv as tf.Tensor, bv as tf.Tensor), [w, b]);
    }
  });

  it('batchMatMul', () => {
    expectGradsClose((a, b) => batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D), [tf.randomUniform([2, 4, 3], -1, 1, 'float32', 3), tf.randomUniform([2, 3, 5], -1, 1, 'float32', 4)]);
  });

  it('LSTM layer over a sequence (gates i, f, o, g), with and without the input gradient', () => {
    const [x, wx, wh, b] = [random([T * B, I], 5), random([I, 4 * H], 6), random([H, 4 * H], 7), tf.randomUniform([4 * H], -1, 1, 'float32', 15)];
    expectGradsClose(
      (xv, wxv, whv, bv) => lstmLayer(xv as tf.Tensor2D, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, T, B, true),
      (xv, wxv, whv, bv) => lstmReference(xv as tf.Tensor2D, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor),
      [x, wx, wh, b],
    );
    expectGradsClose(
      (wxv, whv, bv) => lstmLayer(x, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, T, B, false),
      (wxv, whv, bv) => lstmReference(x, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor),
      [wx, wh, b],
    );
  });

  it('GRU layer over a sequence (linear before reset), with and without the input gradient', () => {
    const [x, wx, wh, b, bh] = [random([T * B, I], 8), random([I, 3 * H], 9), random([H, 3 * H], 10), tf.randomUniform([3 * H], -1, 1, 'float32', 16), random([1, 3 * H], 11)];
    expectGradsClose(
      (xv, wxv, whv, bv, bhv) => gruLayer(xv as tf.Tensor2D, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, bhv as tf.Tensor2D, T, B, true),
      (xv, wxv, whv, bv, bhv) => gruReference(xv as tf.Tensor2D, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, bhv as tf.Tensor2D),
      [x, wx, wh, b, bh],
    );
    expectGradsClose(
      (wxv, whv, bv, bhv) => gruLayer(x, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, bhv as tf.Tensor2D, T, B, false),
      (wxv, whv, bv, bhv) => gruReference(x, wxv as tf.Tensor2D, whv as tf.Tensor2D, bv as tf.Tensor, bhv as tf.Tensor2D),
      [wx, wh, b, bh],
    );
  });

  it('stacked LSTM and GRU layers (the second forward runs before the first gradient; arrays are reused between calls)', () => {
    const x = random([T * B, I], 17);
    const lstm = [random([I, 4 * H], 18), random([H, 4 * H], 19), tf.randomUniform([4 * H], -1, 1, 'float32', 20)] as const;
    const gru = [random([H, 3 * H], 21), random([H, 3 * H], 22), tf.randomUniform([3 * H], -1, 1, 'float32', 23), random([1, 3 * H], 24)] as const;
    const mine = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor, f: tf.Tensor, g: tf.Tensor): tf.Tensor =>
      gruLayer(lstmLayer(x, a as tf.Tensor2D, b as tf.Tensor2D, c, T, B, false), d as tf.Tensor2D, e as tf.Tensor2D, f, g as tf.Tensor2D, T, B, true);
    const reference = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor, f: tf.Tensor, g: tf.Tensor): tf.Tensor =>
      gruReference(lstmReference(x, a as tf.Tensor2D, b as tf.Tensor2D, c), d as tf.Tensor2D, e as tf.Tensor2D, f, g as tf.Tensor2D);
    // Twice: the second pass takes the arrays the first gave back.
    for (let k = 0; k < 2; k++) expectGradsClose(mine as (...t: tf.Tensor[]) => tf.Tensor, reference as (...t: tf.Tensor[]) => tf.Tensor, [...lstm, ...gru]);
  });

  it('causal im2col places x[t - (k-1-j) d] in column block j, zero before the start', () => {
    // T=3, B=1, C=1: x = [1, 2, 3]; k=2, d=1 -> rows [0 1], [1 2], [2 3].
    const cols = causalIm2col(tf.tensor2d([1, 2, 3], [3, 1]), 3, 1, 2, 1);
    expect(Array.from(cols.dataSync())).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('layer norm (JS op) equals autograd through the tfjs-op formula', () => {
    expectGradsClose((x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), layerNormReference, [random([4, 5], 25), tf.randomUniform([5], 0.5, 1.5, 'float32', 26), tf.randomUniform([5], -1, 1, 'float32', 27)]);
  });

  it('layer norm matches its definition', () => {
    const y = layerNorm(tf.tensor2d([1, 2, 3, 4, 4, 4], [2, 3]), tf.tensor1d([1, 2, 1]), tf.tensor1d([0, 0, 1]), 1e-5).dataSync();
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    [-s, 0, 1 + s, 0, 0, 1].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
  });
});

describe('causal im2col gradient', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('equals autograd through the same window built with slices and concat', () => {
    const steps = 4;
    const batch = 2;
    const kernel = 3;
    const dilation = 2;
    const reference = (x: tf.Tensor): tf.Tensor => {
      const C = x.shape[1] as number;
      const taps = [];
      for (let j = 0; j < kernel; j++) {
        const shift = (kernel - 1 - j) * dilation;
        taps.push(shift === 0 ? x : shift >= steps ? tf.zeros([steps * batch, C]) : tf.concat([tf.zeros([shift * batch, C]), tf.slice(x, [0, 0], [(steps - shift) * batch, C])], 0));
      }
      return tf.concat(taps, 1);
    };
    expectGradsClose((x) => causalIm2col(x as tf.Tensor2D, steps, batch, kernel, dilation), reference, [random([steps * batch, 3], 12)]);
  });
});

describe('causal im2col on the steps a stack needs', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('plans the steps each layer must compute for the last one (kernel 3, dilations 1, 2, 4)', () => {
    expect(convolutionSteps([59], 3, [1, 2, 4])).toEqual([[47, 49, 51, 53, 55, 57, 59], [51, 55, 59], [59]]);
    expect(convolutionSteps([3], 2, [1, 4])).toEqual([[3], [3]]);
  });

  it('equals the rows of the full im2col at those steps, values and gradients, reading a subset of steps', () => {
    const steps = 6;
    const batch = 2;
    const [want0, want1] = convolutionSteps([steps - 1], 3, [1, 2]) as [number[], number[]];
    const rowsAt = (m: tf.Tensor, at: number[]): tf.Tensor => tf.concat(at.map((t) => tf.slice(m, [t * batch, 0], [batch, m.shape[1] as number])), 0);
    const all = Array.from({ length: steps }, (_, t) => t);
    // Layer 0 from every step; layer 1 from layer 0's subset (stand-in values: the layer-0 im2col's first C columns).
    const reference = (x: tf.Tensor): tf.Tensor => {
      const h = tf.slice(causalIm2col(x as tf.Tensor2D, steps, batch, 3, 1), [0, 0], [steps * batch, 3]);
      return rowsAt(causalIm2col(h as tf.Tensor2D, steps, batch, 3, 2), want1);
    };
    const mine = (x: tf.Tensor): tf.Tensor => {
      const h = tf.slice(causalIm2colAt(x as tf.Tensor2D, all, want0, batch, 3, 1), [0, 0], [want0.length * batch, 3]);
      return causalIm2colAt(h as tf.Tensor2D, want0, want1, batch, 3, 2);
    };
    expectGradsClose(mine, reference, [random([steps * batch, 3], 14)]);
  });
});

describe('attention on the last step only', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('equals the last step of full multi-head attention (slices, 4-D transposes), values and gradients', () => {
    const { steps, batch, heads, d, scale } = ATTENTION;
    const reference = lastStepAttentionReference;
    const mine = (qkv: tf.Tensor): tf.Tensor => {
      const x = qkv as tf.Tensor2D;
      const q = attentionHeads(lastRowsBatchMajor(x, batch, steps), batch, 1, heads, 0, scale, false);
      const kT = attentionHeads(x, batch, steps, heads, 1, 1, true);
      const v = attentionHeads(x, batch, steps, heads, 2, 1, false);
      return mergeHeads(batchMatMul(tf.softmax(batchMatMul(q, kT)), v), batch, heads);
    };
    expectGradsClose(mine, reference, [random([batch * steps, 3 * d], 13)]);
    // The JS op for the same thing, from the last rows' queries and every row's keys and values.
    const fused = (qkv: tf.Tensor): tf.Tensor => {
      const x = qkv as tf.Tensor2D;
      const q = tf.slice(lastRowsBatchMajor(x, batch, steps), [0, 0], [batch, d]);
      return lastQueryAttention(q, tf.slice(x, [0, d], [batch * steps, 2 * d]), batch, steps, heads, scale);
    };
    expectGradsClose(fused, reference, [random([batch * steps, 3 * d], 28)]);
  });
});
