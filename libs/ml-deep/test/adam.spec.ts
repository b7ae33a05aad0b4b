import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { deepBackend } from '../src';
import { ADAM_BETA1, ADAM_BETA2, adamStep } from '../src/adam';

describe('adamStep', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('equals AdamW with value clipping written as tensor ops, over several steps', () => {
    const n = 50;
    const w0 = tf.randomUniform([n], -1, 1, 'float32', 1);
    const grads = [2, 3, 4].map((seed) => tf.randomUniform([n], -5, 5, 'float32', seed));
    const [lr, clip, weightDecay] = [0.01, 3, 0.1];
    // Reference: the tensor formulation.
    let w = w0;
    let m = tf.zerosLike(w0);
    let s = tf.zerosLike(w0);
    grads.forEach((g0, i) => {
      const g = tf.clipByValue(g0, -clip, clip);
      m = tf.add(tf.mul(m, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1));
      s = tf.add(tf.mul(s, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2));
      const update = tf.add(tf.div(tf.div(m, 1 - ADAM_BETA1 ** (i + 1)), tf.add(tf.sqrt(tf.div(s, 1 - ADAM_BETA2 ** (i + 1))), 1e-8)), tf.mul(w, weightDecay));
      w = tf.sub(w, tf.mul(update, lr));
    });
    const mine = w0.dataSync().slice() as Float32Array;
    const [m1, m2] = [new Float32Array(n), new Float32Array(n)];
    grads.forEach((g, i) => adamStep(mine, g.dataSync() as Float32Array, m1, m2, true, { lr, c1: 1 - ADAM_BETA1 ** (i + 1), c2: 1 - ADAM_BETA2 ** (i + 1), clip, weightDecay }));
    const ref = w.dataSync();
    mine.forEach((v, i) => expect(v).toBeCloseTo(ref[i] as number, 5));
    // Without decay the weights differ (decay is applied only where asked).
    const plain = w0.dataSync().slice() as Float32Array;
    adamStep(plain, (grads[0] as tf.Tensor).dataSync() as Float32Array, new Float32Array(n), new Float32Array(n), false, { lr, c1: 0.1, c2: 0.001, clip, weightDecay });
    expect(Array.from(plain)).not.toEqual(Array.from(mine));
  });
});
