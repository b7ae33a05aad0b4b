import { describe, expect, it } from 'vitest';
import { averageEnsemble, dailyZScores } from '../../src/run/ensemble';

describe('average ensemble', () => {
  it('z-scores each day (population std), constant days become 0, NaN stays missing', () => {
    const date = Int32Array.from([0, 0, 0, 1, 1, 2, 2]);
    const z = dailyZScores(date, Float64Array.from([1, 2, 3, 5, 5, 4, NaN]));
    const s = Math.sqrt(2 / 3);
    expect(Array.from(z.subarray(0, 3))).toEqual([-1 / s, 0, 1 / s]);
    expect(Array.from(z.subarray(3, 5))).toEqual([0, 0]);
    expect(z[5]).toBe(0);
    expect(z[6]).toBeNaN();
  });

  it('averages the z-scored scores, so a model on a 1000x scale weighs the same', () => {
    const date = Int32Array.from([0, 0, 0]);
    const e = averageEnsemble({ date, scores: { a: Float64Array.from([1, 2, 3]), b: Float64Array.from([3000, 2000, 1000]) } });
    for (const v of e) expect(v).toBeCloseTo(0, 12);
    const same = averageEnsemble({ date, scores: { a: Float64Array.from([1, 2, 3]), b: Float64Array.from([1000, 2000, 3000]) } });
    expect(same[2]).toBeCloseTo(Math.sqrt(3 / 2), 12);
  });
});
