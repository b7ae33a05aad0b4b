/**
 * Plain-op references for the hand-written ops and the gradient check, shared by the op tests on each
 * backend. The hand-written gradients must equal tfjs's autograd through the same computation written
 * with plain ops, on random inputs.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';

export const T = 3;
export const B = 2;
export const H = 3;
export const I = 2;

export function random(shape: [number, number], seed: number): tf.Tensor2D {
  return tf.randomUniform(shape, -1, 1, 'float32', seed) as tf.Tensor2D;
}

export function lstmReference(x: tf.Tensor2D, wx: tf.Tensor2D, wh: tf.Tensor2D, b: tf.Tensor): tf.Tensor2D {
  const xp = tf.add(tf.matMul(x, wx), b);
  let h: tf.Tensor2D = tf.zeros([B, H]);
  let c: tf.Tensor2D = tf.zeros([B, H]);
  const hs = [];
  for (let t = 0; t < T; t++) {
    const pre = tf.add(tf.slice(xp, [t * B, 0], [B, 4 * H]), tf.matMul(h, wh));
    const [i, f, o, g] = tf.split(pre, 4, 1) as tf.Tensor2D[];
    c = tf.add(tf.mul(tf.sigmoid(f as tf.Tensor), c), tf.mul(tf.sigmoid(i as tf.Tensor), tf.tanh(g as tf.Tensor)));
    h = tf.mul(tf.sigmoid(o as tf.Tensor), tf.tanh(c));
    hs.push(h);
  }
  return tf.concat(hs, 0);
}

export function gruReference(x: tf.Tensor2D, wx: tf.Tensor2D, wh: tf.Tensor2D, b: tf.Tensor, bh: tf.Tensor2D): tf.Tensor2D {
  const xp = tf.add(tf.matMul(x, wx), b);
  let h: tf.Tensor2D = tf.zeros([B, H]);
  const hs = [];
  for (let t = 0; t < T; t++) {
    const [xz, xr, xn] = tf.split(tf.slice(xp, [t * B, 0], [B, 3 * H]), 3, 1) as tf.Tensor2D[];
    const [hz, hr, hn] = tf.split(tf.add(tf.matMul(h, wh), bh), 3, 1) as tf.Tensor2D[];
    const z = tf.sigmoid(tf.add(xz as tf.Tensor, hz as tf.Tensor));
    const r = tf.sigmoid(tf.add(xr as tf.Tensor, hr as tf.Tensor));
    const n = tf.tanh(tf.add(xn as tf.Tensor, tf.mul(r, hn as tf.Tensor)));
    h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    hs.push(h);
  }
  return tf.concat(hs, 0);
}

export function expectGradsClose(mine: (...t: tf.Tensor[]) => tf.Tensor, reference: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): void {
  // A weighted sum so every output element has a different upstream gradient.
  const loss = (f: (...t: tf.Tensor[]) => tf.Tensor) => (...t: tf.Tensor[]) => {
    const y = f(...t);
    return tf.sum(tf.mul(y, tf.randomUniform(y.shape, 0.5, 1.5, 'float32', 99)));
  };
  const a = tf.grads(loss(mine))(inputs);
  const b = tf.grads(loss(reference))(inputs);
  const ya = mine(...inputs).dataSync();
  const yb = reference(...inputs).dataSync();
  ya.forEach((v, i) => expect(v).toBeCloseTo(yb[i] as number, 5));
  a.forEach((g, k) => {
    const gb = (b[k] as tf.Tensor).dataSync();
    g.dataSync().forEach((v, i) => expect(v, `input ${k}, element ${i}`).toBeCloseTo(gb[i] as number, 4));
  });
}


/** Shapes of the attention checks: 2 sequences of 4 steps, d 6 in 2 heads. */
export const ATTENTION = { steps: 4, batch: 2, heads: 2, d: 6, scale: 0.5 } as const;

/** The last step of full multi-head attention over qkv [batch * steps, 3d] (slices and 4-D transposes). */
export function lastStepAttentionReference(qkv: tf.Tensor): tf.Tensor {
  const { steps, batch, heads, d, scale } = ATTENTION;
  const dh = d / heads;
  const split = (v: tf.Tensor, rows: number): tf.Tensor3D => tf.reshape(tf.transpose(tf.reshape(v, [batch, rows, heads, dh]), [0, 2, 1, 3]), [batch * heads, rows, dh]);
  const q = split(tf.mul(tf.slice(qkv, [0, 0], [batch * steps, d]), scale), steps);
  const k = split(tf.slice(qkv, [0, d], [batch * steps, d]), steps);
  const v = split(tf.slice(qkv, [0, 2 * d], [batch * steps, d]), steps);
  const context = tf.matMul(tf.softmax(tf.matMul(q, k, false, true)), v);
  const rows = tf.reshape(tf.transpose(tf.reshape(context, [batch, heads, steps, dh]), [0, 2, 1, 3]), [batch, steps, d]);
  return tf.reshape(tf.slice(rows, [0, steps - 1, 0], [batch, 1, d]), [batch, d]);
}

/** layer norm written with tfjs ops. */
export function layerNormReference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), 1e-5))), g), b);
}
