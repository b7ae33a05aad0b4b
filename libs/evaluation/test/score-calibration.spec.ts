import { describe, expect, it } from 'vitest';
import { applyCalibration, crossSectionalPercentiles, fitScoreCalibration, poolAdjacentViolators } from '../src';
import type { CalibrationRow } from '../src';

// Two days of four stocks. Scores .4,.3,.2,.1 -> percentiles 1, .75, .5, .25 -> with 2 bins A,B in bin 1
// (.5, 1] and C,D in bin 0 (0, .5].
// d1 (bench .01): A .03 beat, B .00 no, C .02 beat, D -.01 no.  d2 (bench 0): A .01 beat, B .02 beat, C -.01 no, D 0 no.
// bin 1: beats 3/4; mean return (.03+0+.01+.02)/4 = .015; mean excess (.02-.01+.01+.02)/4 = .01
// bin 0: beats 1/4; mean return (.02-.01-.01+0)/4 = 0;   mean excess (.01-.02-.01+0)/4 = -.005
const day = (date: string, bench: number, returns: number[]): CalibrationRow[] =>
  returns.map((forwardReturn, i) => ({ date, score: 0.4 - 0.1 * i, forwardReturn, benchmarkReturn: bench }));
const rows = [...day('2020-01-02', 0.01, [0.03, 0, 0.02, -0.01]), ...day('2020-01-03', 0, [0.01, 0.02, -0.01, 0])];

describe('score calibration', () => {
  it('bins daily percentiles and measures each bin (no shrinkage)', () => {
    const cal = fitScoreCalibration(rows, { bins: 2, horizon: 2, priorRows: 0 });
    expect(cal.kind).toBe('percentile-bins');
    expect(cal.edges).toEqual([0, 0.5, 1]);
    expect(cal.probabilityBeatBenchmark).toEqual([0.25, 0.75]);
    expect(cal.expectedReturn[0]).toBeCloseTo(0, 12);
    expect(cal.expectedReturn[1]).toBeCloseTo(0.015, 12);
    expect(cal.expectedExcessReturn[0]).toBeCloseTo(-0.005, 12);
    expect(cal.expectedExcessReturn[1]).toBeCloseTo(0.01, 12);
    expect([cal.rows, cal.days, cal.horizon, cal.bins]).toEqual([8, 2, 2, 2]);
  });

  it('shrinks thin bins toward the base rate', () => {
    // 4 pseudo-rows at the base rate 4/8: bin 1 (3+2)/8 = .625, bin 0 (1+2)/8 = .375;
    // returns toward the overall mean .0075: bin 1 (.06+.03)/8 = .01125, bin 0 (0+.03)/8 = .00375
    const cal = fitScoreCalibration(rows, { bins: 2, priorRows: 4 });
    expect(cal.probabilityBeatBenchmark[0]).toBeCloseTo(0.375, 12);
    expect(cal.probabilityBeatBenchmark[1]).toBeCloseTo(0.625, 12);
    expect(cal.expectedReturn[0]).toBeCloseTo(0.00375, 12);
    expect(cal.expectedReturn[1]).toBeCloseTo(0.01125, 12);
    expect(cal.horizon).toBe(1);
  });

  it('pools a reversed signal into a flat, monotone calibration', () => {
    // scores reversed: bin 1 now beats 1/4, bin 0 3/4 -> pooled (1+3)/8 = .5 in both
    const reversed = rows.map((r) => ({ ...r, score: -r.score }));
    const cal = fitScoreCalibration(reversed, { bins: 2, priorRows: 0 });
    expect(cal.probabilityBeatBenchmark).toEqual([0.5, 0.5]);
  });

  it('pools adjacent violators with weights', () => {
    expect(poolAdjacentViolators([0.5, 0.3, 0.4, 0.8], [1, 1, 2, 1])).toEqual([0.4, 0.4, 0.4, 0.8]);
    // .5,.3 -> .4 (w 2); .4 > .2 (w 2) -> .3
    const pooled = poolAdjacentViolators([0.5, 0.3, 0.2], [1, 1, 2]);
    pooled.forEach((p) => expect(p).toBeCloseTo(0.3, 12));
  });

  it('looks a percentile up in its bin', () => {
    const cal = fitScoreCalibration(rows, { bins: 2, priorRows: 0 });
    expect(applyCalibration(cal, 0.5).probabilityBeatBenchmark).toBe(0.25);
    expect(applyCalibration(cal, 0.51).probabilityBeatBenchmark).toBe(0.75);
    expect(applyCalibration(cal, 1)).toEqual({ probabilityBeatBenchmark: 0.75, expectedReturn: expect.closeTo(0.015, 12), expectedExcessReturn: expect.closeTo(0.01, 12) });
    expect(() => applyCalibration(cal, 0)).toThrowError(/percentile must be in \(0, 1\]/);
    expect(() => fitScoreCalibration([], {})).toThrowError(/at least one row/);
    expect(() => fitScoreCalibration(rows, { bins: 0 })).toThrowError(/bins must be a positive integer/);
  });

  it('ranks percentiles with ties sharing, highest = 1', () => {
    expect(Array.from(crossSectionalPercentiles([3, 1, 3, 2]))).toEqual([0.875, 0.25, 0.875, 0.5]);
  });
});
