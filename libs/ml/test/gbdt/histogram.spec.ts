import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, mulberry32 } from '../../src/gbdt';
import { HIST_BLOCK, histKernel } from '../../src/gbdt/histogram';

function data(rows: number, cols: number) {
  const rng = mulberry32(7);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = rng() < 0.1 ? Number.NaN : Math.fround(rng() * 10 - 5);
  return x;
}

describe('binMatrix layout', () => {
  it('stores row-major codes that match binOf of each value', () => {
    const rows = 300;
    const cols = 37; // more than one feature block
    const x = data(rows, cols);
    const m = binMatrix(x, rows, cols, 16, 0);
    for (let r = 0; r < rows; r++) for (let f = 0; f < cols; f++) expect(m.bins[r * cols + f]).toBe(binOf(m.features[f]!, x[r * cols + f]!));
    expect(m.features.every((f) => f.hasMissing)).toBe(true);
  });
});

describe('histKernel', () => {
  const rows = 500;
  const cols = 45;
  const x = data(rows, cols);
  const m = binMatrix(x, rows, cols, 32, 0);
  const valueBins = Int32Array.from(m.features, (f) => f.valueBins);
  const idx = Int32Array.from({ length: rows }, (_, i) => (i * 7) % rows);
  const rng = mulberry32(3);
  const gg = Float64Array.from({ length: rows }, () => rng() - 0.5);
  const features = Int32Array.from({ length: 40 }, (_, i) => i + (i >= 20 ? 5 : 0));
  const scratch = () => [new Int32Array(HIST_BLOCK), new Int32Array(HIST_BLOCK)] as const;

  function naive(begin: number, count: number, gh: Float64Array): Float64Array {
    const h = new Float64Array(m.totalBins * 3);
    for (const f of features) {
      for (let n = 0; n < count; n++) {
        const j = (m.offsets[f]! + m.bins[idx[begin + n]! * cols + f]!) * 3;
        h[j] = h[j]! + gg[n]!;
        h[j + 1] = h[j + 1]! + gh[n]!;
        h[j + 2] = h[j + 2]! + 1;
      }
    }
    return h;
  }

  it('sums gradient, hessian and count per bin exactly as a plain per-row loop does', () => {
    const gh = Float64Array.from({ length: rows }, () => rng() + 0.1);
    const hist = new Float64Array(m.totalBins * 3).fill(123); // stale values must be cleared
    histKernel(hist, m.bins, cols, m.offsets, valueBins, idx, 50, 400, gg, gh, features, 0, features.length, 0, ...scratch());
    const want = naive(50, 400, gh);
    for (const f of features) {
      const from = m.offsets[f]! * 3;
      expect(Array.from(hist.subarray(from, from + (valueBins[f]! + 1) * 3))).toEqual(Array.from(want.subarray(from, from + (valueBins[f]! + 1) * 3)));
    }
  });

  it('gives the same bits with a constant hessian of 1 (hessian set from the count) and split feature ranges', () => {
    const ones = new Float64Array(rows).fill(1);
    const a = new Float64Array(m.totalBins * 3);
    histKernel(a, m.bins, cols, m.offsets, valueBins, idx, 0, rows, gg, ones, features, 0, 17, 1, ...scratch());
    histKernel(a, m.bins, cols, m.offsets, valueBins, idx, 0, rows, gg, ones, features, 17, features.length, 1, ...scratch());
    const want = naive(0, rows, ones);
    for (const f of features) {
      const from = m.offsets[f]! * 3;
      expect(Array.from(a.subarray(from, from + (valueBins[f]! + 1) * 3))).toEqual(Array.from(want.subarray(from, from + (valueBins[f]! + 1) * 3)));
    }
  });
});
