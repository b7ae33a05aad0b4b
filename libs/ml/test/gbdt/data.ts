/** Small seeded synthetic datasets for the tree tests. */
import type { Dataset } from '../../src';
import { mulberry32 } from '../../src/gbdt';

export function makeData(rows: number, cols: number, seed: number, label: (x: number[], noise: number) => number): Dataset {
  const rng = mulberry32(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) {
      const v = Math.fround(rng() * 2 - 1);
      x[r * cols + c] = v;
      row.push(v);
    }
    // Box-Muller-free noise: a centred uniform is enough for these tests.
    y[r] = label(row, rng() - 0.5);
  }
  return { rows, cols, x, y, featureNames: Array.from({ length: cols }, (_, i) => `f${i}`) };
}

export function mse(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i]! - y[i]!) ** 2;
  return s / y.length;
}

export function constantMse(trainY: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < trainY.length; i++) m += trainY[i]!;
  m /= trainY.length;
  return mse(Array.from(y, () => m), y);
}
