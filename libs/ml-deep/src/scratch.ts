/**
 * Reused Float32Arrays by length. The training step allocates several MB of plain arrays per call
 * (sequences, transposes, gradients); fresh ones are zero-filled and then collected, which measured
 * ~10% of a Transformer epoch here. An array is taken uninitialised: every user writes all of it
 * before reading it.
 */
import { tf } from './backend';

const pool = new Map<number, Float32Array[]>();

export function take(length: number): Float32Array {
  return pool.get(length)?.pop() ?? new Float32Array(length);
}

export function giveBack(...arrays: Float32Array[]): void {
  for (const a of arrays) {
    const free = pool.get(a.length) ?? [];
    if (free.length < 8) free.push(a);
    pool.set(a.length, free);
  }
}

/**
 * A tensor made from `data` (taken from the pool), which goes back to the pool when the backend has
 * copied it: the wasm backend copies into its heap at creation; others may keep the array, so there
 * it is left to the collector.
 */
export function tensorOf<T extends tf.Tensor>(data: Float32Array, make: (data: Float32Array) => T): T {
  const t = make(data);
  if (tf.getBackend() === 'wasm') giveBack(data);
  return t;
}
