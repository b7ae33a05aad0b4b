import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs's plain JS backend stands in for tfjs-node here: neither has a wasm heap, so the ops take their
// dataSync() path (tfjs-node cannot be installed offline).
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../src';
import { dense, lastRowsBatchMajor } from '../src/ops';
import { lastQueryAttention, layerNorm } from '../src/attention';
import { gruLayer, lstmLayer } from '../src/recurrent-layer';
import { ATTENTION, B, H, I, T, expectGradsClose, gruReference, lastStepAttentionReference, layerNormReference, lstmReference, random } from './op-references';

await registerGradients();

describe('hand-written ops on a backend without a wasm heap', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('runs on the cpu backend', () => {
    expect(tf.getBackend()).toBe('cpu');
  });

  it('dense, LSTM and GRU layers: values and gradients equal autograd', () => {
    const reference = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
    expectGradsClose((x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor, true), reference, [random([7, 3], 40), random([3, 5], 41), tf.randomUniform([5], -1, 1, 'float32', 42)]);
    expectGradsClose(
      (x, wx, wh, b) => lstmLayer(x as tf.Tensor2D, wx as tf.Tensor2D, wh as tf.Tensor2D, b as tf.Tensor, T, B, true),
      (x, wx, wh, b) => lstmReference(x as tf.Tensor2D, wx as tf.Tensor2D, wh as tf.Tensor2D, b as tf.Tensor),
      [random([T * B, I], 43), random([I, 4 * H], 44), random([H, 4 * H], 45), tf.randomUniform([4 * H], -1, 1, 'float32', 46)],
    );
    expectGradsClose(
      (x, wx, wh, b, bh) => gruLayer(x as tf.Tensor2D, wx as tf.Tensor2D, wh as tf.Tensor2D, b as tf.Tensor, bh as tf.Tensor2D, T, B, true),
      (x, wx, wh, b, bh) => gruReference(x as tf.Tensor2D, wx as tf.Tensor2D, wh as tf.Tensor2D, b as tf.Tensor, bh as tf.Tensor2D),
      [random([T * B, I], 47), random([I, 3 * H], 48), random([H, 3 * H], 49), tf.randomUniform([3 * H], -1, 1, 'float32', 50), random([1, 3 * H], 51)],
    );
  });

  it('layer norm and last-query attention: values and gradients equal autograd', () => {
    expectGradsClose((x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), layerNormReference, [random([4, 5], 52), tf.randomUniform([5], 0.5, 1.5, 'float32', 53), tf.randomUniform([5], -1, 1, 'float32', 54)]);
    const { steps, batch, heads, d, scale } = ATTENTION;
    const fused = (qkv: tf.Tensor): tf.Tensor => {
      const x = qkv as tf.Tensor2D;
      const q = tf.slice(lastRowsBatchMajor(x, batch, steps), [0, 0], [batch, d]);
      return lastQueryAttention(q, tf.slice(x, [0, d], [batch * steps, 2 * d]), batch, steps, heads, scale);
    };
    expectGradsClose(fused, lastStepAttentionReference, [random([batch * steps, 3 * d], 55)]);
  });
});
