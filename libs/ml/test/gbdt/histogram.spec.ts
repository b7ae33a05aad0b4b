import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, mulberry32 } from '../../src/gbdt';
import { countBins, histKernel, isDenseLeaf, subtractHist } from '../../src/gbdt/histogram';

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

describe('binMatrix codes at the edges of float32', () => {
  it('match binOf for zeros of both signs, subnormals, extremes, ties and NaN', () => {
    const special = [0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1, 0.5, Number.NaN, 1e30, -1e30];
    const rng = mulberry32(11);
    const rows = 4000;
    const cols = 3;
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < x.length; i++) {
      const f = i % cols;
      // Feature 0: few distinct values (one bin each); 1: many (shared bins); 2: heavy ties.
      x[i] = f === 0 ? special[i % special.length]! : f === 1 ? (rng() < 0.2 ? special[Math.floor(rng() * special.length)]! : Math.fround((rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6))) : Math.round(rng() * 3) - 1.5;
    }
    for (const maxBin of [255, 7]) {
      const m = binMatrix(x, rows, cols, maxBin, 0);
      for (let i = 0; i < x.length; i++) expect(m.bins[i]).toBe(binOf(m.features[i % cols]!, x[i]!));
    }
  });
});

describe('histKernel', () => {
  const rows = 500;
  const cols = 45;
  const x = data(rows, cols);
  const m = binMatrix(x, rows, cols, 32, 0);
  const d = { ...m, valueBins: Int32Array.from(m.features, (f) => f.valueBins) };
  const idx = Int32Array.from({ length: rows }, (_, i) => (i * 7) % rows);
  const rng = mulberry32(3);
  const gg = Float64Array.from({ length: rows }, () => rng() - 0.5);
  const features = Int32Array.from({ length: 40 }, (_, i) => i + (i >= 20 ? 5 : 0));

  function naive(begin: number, count: number, gh: Float64Array | null): Float64Array {
    const s = gh ? 3 : 2;
    const h = new Float64Array(m.totalBins * 3);
    for (const f of features) {
      for (let n = 0; n < count; n++) {
        const j = (m.offsets[f]! + m.bins[idx[begin + n]! * cols + f]!) * s;
        h[j] = h[j]! + gg[n]!;
        if (gh) h[j + 1] = h[j + 1]! + gh[n]!;
        h[j + s - 1] = h[j + s - 1]! + 1;
      }
    }
    return h;
  }

  function expectSame(got: Float64Array, want: Float64Array, s: number): void {
    for (const f of features) {
      const from = m.offsets[f]! * s;
      const to = from + (d.valueBins[f]! + 1) * s;
      expect(Array.from(got.subarray(from, to))).toEqual(Array.from(want.subarray(from, to)));
    }
  }

  // 400 of 500 rows is a dense leaf (column-major kernel), 10 rows a sparse one (row-major kernel).
  for (const [what, begin, count] of [['dense', 50, 400], ['sparse', 123, 10]] as const) {
    it(`sums gradient, hessian and count per bin exactly as a plain per-row loop does (${what})`, () => {
      expect(isDenseLeaf(count, rows)).toBe(what === 'dense');
      const gh = Float64Array.from({ length: rows }, () => rng() + 0.1);
      const hist = new Float64Array(m.totalBins * 3).fill(123); // stale values must be cleared
      histKernel(hist, d, idx, begin, count, gg, gh, features, 0, features.length, 0);
      expectSame(hist, naive(begin, count, gh), 3);
    });

    it(`keeps (gradient, count) pairs with a constant hessian, the same bits over split feature ranges (${what})`, () => {
      const a = new Float64Array(m.totalBins * 3).fill(-7);
      histKernel(a, d, idx, begin, count, gg, gg, features, 0, 17, 1);
      histKernel(a, d, idx, begin, count, gg, gg, features, 17, features.length, 1);
      expectSame(a, naive(begin, count, null), 2);
    });
  }

  it('copies the all-row counts for a root in row order and sums only its gradients', () => {
    const identity = Int32Array.from({ length: rows }, (_, i) => i);
    const counts = new Float64Array(m.totalBins);
    const all = Int32Array.from({ length: cols }, (_, i) => i);
    countBins(d, counts, all, 0, cols);
    const rooted = { ...d, rootCounts: counts };
    const a = new Float64Array(m.totalBins * 3).fill(5);
    histKernel(a, rooted, identity, 0, rows, gg, gg, features, 0, 11, 1);
    histKernel(a, rooted, identity, 0, rows, gg, gg, features, 11, features.length, 1);
    const b = new Float64Array(m.totalBins * 3);
    histKernel(b, d, identity, 0, rows, gg, gg, features, 0, features.length, 1);
    expectSame(a, b, 2);
  });

  it('subtracts a child from its parent slot by slot', () => {
    const parent = naive(0, rows, null);
    const child = naive(0, 100, null);
    const large = Float64Array.from(parent);
    subtractHist(large, child, d, features, 0, features.length, 2);
    for (const f of features) {
      for (let j = m.offsets[f]! * 2; j < (m.offsets[f]! + d.valueBins[f]! + 1) * 2; j++) expect(large[j]).toBe(parent[j]! - child[j]!);
    }
  });
});
