import { describe, expect, it } from 'vitest';
import { createPanel, labelPanel, sampleId, slidingWindows } from '../../src/processing';
import type { Panel } from '../../src/processing';

const DATES = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09'];

/** f1 = 10 * date + code; close A = 1..6, close B = 10, NaN, 12, 13, 14, 15. */
function panel(): Panel {
  const closeA = [1, 2, 3, 4, 5, 6];
  const closeB = [10, NaN, 12, 13, 14, 15];
  const v: number[] = [];
  for (let d = 0; d < 6; d++) v.push(10 * d, closeA[d] as number, 10 * d + 1, closeB[d] as number);
  return createPanel({ dates: DATES, codes: ['A', 'B'], features: ['f1', 'close'], values: Float64Array.from(v), segment: 'train' });
}

describe('slidingWindows', () => {
  it('keeps only complete windows with a complete label by default', () => {
    // lookback 3: T >= 2; default label Ref($close,-2)/Ref($close,-1)-1 needs T+2 <= 5 -> T in {2, 3}; B's windows hold its NaN
    const set = slidingWindows(panel(), { lookback: 3, horizon: 1 });
    expect(set.count).toBe(2);
    expect([sampleId(set, 0), sampleId(set, 1)]).toEqual([
      { date: '2020-01-06', code: 'A' },
      { date: '2020-01-07', code: 'A' },
    ]);
    expect(Array.from(set.x.subarray(0, 6))).toEqual([0, 1, 10, 2, 20, 3]);
    expect(set.y[0]).toBeCloseTo(5 / 4 - 1, 6);
    expect(set.y[1]).toBeCloseTo(6 / 5 - 1, 6);
    expect(set).toMatchObject({ lookback: 3, horizon: 2, features: ['f1', 'close'], labels: ['LABEL0'], segment: 'train' });
    expect(set.x).toBeInstanceOf(Float32Array);
    expect(set.x.length).toBe(2 * 3 * 2);
  });

  it('tolerates a share of missing cells when asked, filling them, in date-major order', () => {
    const set = slidingWindows(panel(), { lookback: 3, horizon: 1, maxMissingRatio: 1 / 6, fillValue: -7 });
    expect(set.count).toBe(4);
    expect(Array.from(set.dateIndex)).toEqual([2, 2, 3, 3]);
    expect(Array.from(set.codeIndex)).toEqual([0, 1, 0, 1]);
    // sample 1 = (2020-01-06, B): rows d0..d2 of [f1, close]
    expect(Array.from(set.x.subarray(6, 12))).toEqual([1, 10, 11, -7, 21, 12]);
    expect(set.y[1]).toBeCloseTo(14 / 13 - 1, 6);
  });

  it('computes a label at the given horizon, or takes a label panel, and restricts T to a range', () => {
    // 2-session return entered at T+1: r(T) = c[T+3]/c[T+1] - 1, so 1 <= T <= 2; B's windows hold its NaN
    const set = slidingWindows(panel(), { lookback: 2, horizon: 2, features: ['close'] });
    expect(set.labels).toEqual(['RET2_LAG1']);
    expect(set.horizon).toBe(3);
    expect(Array.from(set.dateIndex)).toEqual([1, 2]);
    expect(Array.from(set.x)).toEqual([1, 2, 2, 3]);
    expect(set.y[0]).toBeCloseTo(5 / 3 - 1, 6);
    expect(set.y[1]).toBeCloseTo(6 / 4 - 1, 6);
    const labels = labelPanel(panel(), [{ kind: 'forward-return', entryLag: 0 }, { kind: 'future-volatility', horizon: 2 }]);
    const withPanel = slidingWindows(panel(), { lookback: 2, labels, features: ['f1'], range: { start: 0, end: 3 } });
    expect(withPanel.labels).toEqual(['RET1_LAG0', 'VOL2_LAG0']);
    expect(withPanel.horizon).toBe(2);
    // T in [1, 3), f1 has no gap, both labels finite: A at 1 and 2; B only at 2 (its labels at 1 read its NaN close)
    expect(Array.from(withPanel.dateIndex)).toEqual([1, 2, 2]);
    expect(Array.from(withPanel.codeIndex)).toEqual([0, 0, 1]);
    expect(Array.from(withPanel.x)).toEqual([0, 10, 10, 20, 11, 21]);
    expect(withPanel.y[0]).toBeCloseTo(0.5, 6);
  });

  it('refuses bad options and misaligned labels', () => {
    expect(() => slidingWindows(panel(), { lookback: 0 })).toThrow(/lookback must be a positive integer/);
    expect(() => slidingWindows(panel(), { maxMissingRatio: 2 })).toThrow(/maxMissingRatio/);
    expect(() => slidingWindows(panel(), { features: ['nope'] })).toThrow(/no feature "nope"/);
    const other = createPanel({ dates: DATES.slice(1), codes: ['A', 'B'], features: ['y'] });
    expect(() => slidingWindows(panel(), { labels: other })).toThrow(/exactly the dates and codes/);
  });
});
