import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { deepBackend } from '../src';
import { giveBack, take, tensorOf } from '../src/scratch';

describe('scratch arrays', () => {
  beforeAll(async () => {
    await deepBackend();
  });

  it('reuses a given-back array, and a tensor made from one keeps its values after the array is reused', () => {
    const a = take(1234);
    giveBack(a);
    expect(take(1234)).toBe(a);
    a.fill(7);
    const t = tensorOf(a, (v) => tf.tensor1d(v));
    // On wasm the values were copied and the array is back in the pool; elsewhere it is not reused.
    const again = take(1234);
    again.fill(-1);
    expect(Array.from(t.dataSync().slice(0, 3))).toEqual([7, 7, 7]);
    expect(again === a).toBe(tf.getBackend() === 'wasm');
  });
});
