import { describe, expect, it } from 'vitest';
import { ops, SeriesWindow } from '../../src';

// Expected values computed with pandas 3.1 rolling(4, min_periods=1) (numpy argmax for IdxMax, as Qlib).
const a = Float64Array.from([3, 1, NaN, 4, 1, 5, 9, 2, 6, 5, NaN, NaN, NaN, 3, 5]);
const b = Float64Array.from([2, 7, 1, 8, NaN, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0]);
const N = NaN;
const PANDAS: Record<string, number[]> = {
  mean: [3, 2, 2, 2.6666666666666665, 2, 3.3333333333333335, 4.75, 4.25, 5.5, 5.5, 4.333333333333333, 5.5, 5, 3, 4],
  sum: [3, 4, 4, 8, 6, 10, 19, 17, 22, 22, 13, 11, 5, 3, 8],
  std: [N, 1.4142135623730951, 1.4142135623730951, 1.5275252316519468, 1.7320508075688772, 2.0816659994661326, 3.304037933599835, 3.593976442141304, 2.886751345948129, 2.886751345948129, 2.0816659994661326, 0.7071067811865462, N, N, 1.4142135623730951],
  max: [3, 3, 3, 4, 4, 5, 9, 9, 9, 9, 6, 6, 5, 3, 5],
  min: [3, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 5, 5, 3, 3],
  idxMax: [1, 1, 3, 3, 2, 1, 4, 3, 2, 1, 4, 3, 2, 1, 1],
  idxMin: [1, 2, 3, 3, 2, 1, 2, 1, 3, 2, 4, 3, 2, 1, 1],
  q08: [3, 2.6, 2.6, 3.6, 2.8000000000000003, 4.6, 6.600000000000001, 6.600000000000001, 7.200000000000001, 7.200000000000001, 5.6, 5.8, 5, 3, 4.6],
  rank: [1, 0.5, N, 1, 0.5, 1, 1, 0.5, 0.75, 0.5, N, N, N, 1, 1],
  corr: [N, -1, -1, -0.033942211665106505, 1, -1, 0.3273268353539886, 0.9526832000714104, 0.8411910241920598, 0.8411910241920598, 0.7824666287099552, 1, N, N, -1],
  cov: [N, -5, -5, -0.16666666666666652, 1.5000000000000004, -3, 3, 12.666666666666666, 9.166666666666666, 9.166666666666666, 6.166666666666666, 2.9999999999999982, N, N, -9],
  slope: [N, -2, -2, 0.5000000000000002, 0.2142857142857145, 0.5000000000000004, 1.9, 0.7000000000000001, -0.39999999999999997, -0.7999999999999999, 1.5, -1, N, N, 2],
};

function close(actual: Float64Array | number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    const x = actual[i]!;
    if (Number.isNaN(e)) expect(x, `index ${i}`).toBeNaN();
    else expect(Math.abs(x - e), `index ${i}: ${x} vs ${e}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
  });
}

describe('series operators (Qlib ops.py semantics)', () => {
  it('match pandas rolling(4, min_periods=1)', () => {
    close(ops.mean(a, 4), PANDAS.mean!);
    close(ops.sum(a, 4), PANDAS.sum!);
    close(ops.std(a, 4), PANDAS.std!);
    close(ops.max(a, 4), PANDAS.max!);
    close(ops.min(a, 4), PANDAS.min!);
    close(ops.idxMax(a, 4), PANDAS.idxMax!);
    close(ops.idxMin(a, 4), PANDAS.idxMin!);
    close(ops.quantile(a, 4, 0.8), PANDAS.q08!);
    close(ops.rank(a, 4), PANDAS.rank!);
    close(ops.corr(a, b, 4), PANDAS.corr!);
    close(ops.cov(a, b, 4), PANDAS.cov!);
    close(ops.slope(a, 4), PANDAS.slope!);
  });

  it('Ref and Delta shift by calendar rows; Greater/Less propagate NaN, Gt/Lt do not', () => {
    close(ops.ref(Float64Array.from([1, 2, NaN, 4]), 1), [N, 1, 2, N]);
    close(ops.delta(Float64Array.from([1, 2, NaN, 4]), 1), [N, 1, N, N]);
    close(ops.greater(Float64Array.from([1, NaN, 3]), 2), [2, N, 3]);
    close(ops.less(Float64Array.from([1, NaN, 3]), 2), [1, N, 2]);
    close(ops.gt(Float64Array.from([1, NaN, 3]), 2), [0, 0, 1]);
    close(ops.sign(Float64Array.from([-2, 0, NaN, 5])), [-1, 0, N, 1]);
  });

  it('Rsquare and Resi of an exact line: 1 and 0; Rsquare is NaN on a flat window (Qlib std rule)', () => {
    const line = Float64Array.from([1, 3, 5, 7, 9, 11]);
    close(ops.rsquare(line, 3).slice(1), [1, 1, 1, 1, 1]);
    close(ops.resi(line, 3).slice(1), [0, 0, 0, 0, 0]);
    close(ops.slope(line, 3).slice(1), [2, 2, 2, 2, 2]);
    close(ops.rsquare(Float64Array.from([2, 2, 2, 2]), 3), [N, N, N, N]);
    close(ops.corr(Float64Array.from([2, 2, 2, 2]), Float64Array.from([1, 2, 3, 4]), 3), [N, N, N, N]);
  });

  it('Std is ddof=1 and exact on large levels', () => {
    const level = Float64Array.from([1e6 + 1, 1e6 + 2, 1e6 + 3]);
    close(ops.std(level, 3), [N, Math.SQRT1_2, 1]);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => ops.mean(a, 0)).toThrow(/window/);
    expect(() => ops.quantile(a, 3, 1.5)).toThrow(/q must/);
    expect(() => ops.corr(a, b.subarray(1), 3)).toThrow(/lengths differ/);
  });

  it('SeriesWindow (streaming) gives the batch values, and replaceLast corrects the newest', () => {
    const w = new SeriesWindow(4, true);
    const stream: Record<string, number[]> = { mean: [], std: [], idxMax: [], q08: [], rank: [], corr: [], slope: [] };
    for (let i = 0; i < a.length; i++) {
      w.push(99, 99);
      w.replaceLast(a[i]!, b[i]!);
      stream.mean!.push(w.mean(4));
      stream.std!.push(w.std(4));
      stream.idxMax!.push(w.idxMax(4));
      stream.q08!.push(w.quantile(4, 0.8));
      stream.rank!.push(w.rank(4));
      stream.corr!.push(w.corr(4));
      stream.slope!.push(w.slope(4));
    }
    for (const k of Object.keys(stream)) close(stream[k]!, PANDAS[k]!);
    expect(w.ref(1)).toBe(3);
    expect(() => w.mean(5)).toThrow(/exceeds/);
  });
});
