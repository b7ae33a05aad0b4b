import { describe, expect, it } from 'vitest';
import { computeLabel, createPanel, defaultClassificationSpecs, forwardReturn, labelDefinition, labelPanel, purgedSplit } from '../../src/processing';

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i] as number;
    if (Number.isNaN(e)) expect(a, `index ${i}`).toBeNaN();
    else expect(a, `index ${i}`).toBeCloseTo(e, 12);
  });
}

describe('labels', () => {
  const close = [10, 11, NaN, 12, 12.6, 13.23, 12, 10];

  it("defaults to Qlib's Ref($close,-2)/Ref($close,-1)-1: buy at T+1's close, sell at T+2's", () => {
    const def = labelDefinition({ kind: 'forward-return' });
    expect(def).toMatchObject({ name: 'LABEL0', formula: 'Ref($close,-2)/Ref($close,-1)-1', lookahead: 2 });
    // T0 and T1 need the suspended day 2; the last two need days past the data
    expectClose(forwardReturn(close), [NaN, NaN, 12.6 / 12 - 1, 13.23 / 12.6 - 1, 12 / 13.23 - 1, 10 / 12 - 1, NaN, NaN]);
  });

  it('takes a configurable horizon and entry lag', () => {
    expect(labelDefinition({ kind: 'forward-return', horizon: 5, entryLag: 0 })).toMatchObject({ formula: 'Ref($close,-5)/$close-1', lookahead: 5 });
    expectClose(forwardReturn(close, { horizon: 1, entryLag: 0 }), [0.1, NaN, NaN, 0.05, 0.05, 12 / 13.23 - 1, 10 / 12 - 1, NaN]);
    // r(T) = c[T+4]/c[T+1] - 1
    expectClose(forwardReturn(close, { horizon: 3 }), [12.6 / 11 - 1, NaN, 12 / 12 - 1, 10 / 12.6 - 1, NaN, NaN, NaN, NaN]);
  });

  it('classifies the forward return into up / flat / down and up vs not', () => {
    // horizon 2, entry at T+1: r(T) = c[T+3]/c[T+1] - 1 -> 0, -0.1818, 0, 0.1111, then missing
    const c = [1, 1, 1.1, 1, 0.9, 1, 1];
    expectClose(computeLabel(c, { kind: 'return-class', threshold: 0.05, horizon: 2 }), [0, -1, 0, 1, NaN, NaN, NaN]);
    expectClose(computeLabel(c, { kind: 'return-class', threshold: 0.2, horizon: 2 }), [0, 0, 0, 0, NaN, NaN, NaN]);
    expectClose(computeLabel(c, { kind: 'return-up', threshold: 0.05, horizon: 2 }), [0, 0, 0, 1, NaN, NaN, NaN]);
    const specs = defaultClassificationSpecs();
    expect(specs.map((s) => labelDefinition(s).name)).toEqual(['CLS5_3_LAG1', 'UP5_3_LAG1', 'CLS5_5_LAG1', 'UP5_5_LAG1', 'CLS5_10_LAG1', 'UP5_10_LAG1']);
    expect(specs.every((s) => labelDefinition(s).lookahead === 6)).toBe(true);
  });

  it('measures future volatility as the sample std of the next N daily returns, missing when a price is', () => {
    // returns 0.1, -0.1, 0, ...
    expectClose(computeLabel([100, 110, 99, 99], { kind: 'future-volatility', horizon: 2 }), [Math.sqrt(0.02), Math.sqrt(0.005), NaN, NaN]);
    expectClose(computeLabel([100, NaN, 99, 99, 98], { kind: 'future-volatility', horizon: 2 }), [NaN, NaN, Math.sqrt(((0 - -1 / 198) ** 2 + (-1 / 99 + 1 / 198) ** 2) / 1), NaN, NaN]);
    expect(labelDefinition({ kind: 'future-volatility', horizon: 5 })).toMatchObject({ name: 'VOL5_LAG0', lookahead: 5 });
  });

  it('never fills a label: a zero or missing price gives a missing label', () => {
    expectClose(forwardReturn([1, 2, 0, 3], { entryLag: 0 }), [1, NaN, NaN, NaN]);
  });

  it('builds a label panel from the close feature, carrying the largest lookahead', () => {
    const panel = createPanel({
      dates: ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'],
      codes: ['A', 'B'],
      features: ['x', 'close'],
      values: Float64Array.from([0, 10, 0, 20, 0, 11, 0, 22, 0, 12.1, 0, NaN, 0, 13.31, 0, 24]),
    });
    const labels = labelPanel(panel, [{ kind: 'forward-return' }, { kind: 'forward-return', entryLag: 0 }]);
    expect(labels.features).toEqual(['LABEL0', 'RET1_LAG0']);
    expect(labels.lookahead).toBe(2);
    // [date][code][label]
    expectClose(labels.values, [0.1, 0.1, NaN, 0.1, 0.1, 0.1, NaN, NaN, NaN, 0.1, NaN, NaN, NaN, NaN, NaN, NaN]);
  });

  it('rejects invalid specs clearly', () => {
    expect(() => labelDefinition({ kind: 'forward-return', horizon: 0 })).toThrow(/horizon must be an integer >= 1/);
    expect(() => labelDefinition({ kind: 'return-class', threshold: -0.03 })).toThrow(/threshold must be a positive number/);
    expect(() => labelDefinition({ kind: 'future-volatility', horizon: 1 })).toThrow(/>= 2/);
  });
});

describe('purgedSplit', () => {
  const dates = Array.from({ length: 10 }, (_, i) => `2020-01-${String(i + 1).padStart(2, '0')}`);

  it('purges the last `horizon` sessions of each segment followed by another', () => {
    const split = purgedSplit(
      dates,
      { train: { from: '2020-01-01', to: '2020-01-05' }, valid: { from: '2020-01-06', to: '2020-01-08' }, test: { from: '2020-01-09', to: '2020-01-10' } },
      2,
    );
    expect(split.train).toEqual({ start: 0, end: 3, from: '2020-01-01', to: '2020-01-03', purged: 2 });
    expect(split.valid).toEqual({ start: 5, end: 6, from: '2020-01-06', to: '2020-01-06', purged: 2 });
    expect(split.test).toEqual({ start: 8, end: 10, from: '2020-01-09', to: '2020-01-10', purged: 0 });
  });

  it('no training label reads a price of the validation period', () => {
    for (let horizon = 0; horizon <= 4; horizon++) {
      const split = purgedSplit(dates, { train: { from: '2020-01-01', to: '2020-01-06' }, valid: { from: '2020-01-07', to: '2020-01-10' } }, horizon);
      for (let t = split.train.start; t < split.train.end; t++) expect(t + horizon).toBeLessThan(split.valid.start);
      // and nothing more than needed is dropped: the next session would read into valid
      expect(split.train.end + horizon).toBe(split.valid.start);
    }
  });

  it('counts a gap between segments towards the embargo, in whatever order segments are given', () => {
    const split = purgedSplit(dates, { valid: { from: '2020-01-06', to: '2020-01-10' }, train: { from: '2020-01-01', to: '2020-01-03' } }, 2);
    expect(split.train).toMatchObject({ start: 0, end: 3, purged: 0 });
    expect(split.valid).toMatchObject({ start: 5, end: 10, purged: 0 });
  });

  it('refuses overlapping, empty or over-purged segments', () => {
    expect(() => purgedSplit(dates, { a: { from: '2020-01-01', to: '2020-01-05' }, b: { from: '2020-01-05', to: '2020-01-08' } }, 1)).toThrow(/overlap/);
    expect(() => purgedSplit(dates, { a: { from: '2021-01-01', to: '2021-01-05' } }, 1)).toThrow(/holds no session/);
    expect(() => purgedSplit(dates, { a: { from: '2020-01-01', to: '2020-01-02' }, b: { from: '2020-01-03', to: '2020-01-08' } }, 2)).toThrow(/empty after purging 2 sessions before b/);
    expect(() => purgedSplit(dates, { a: { from: '2020-01-01', to: '2020-01-02' } }, -1)).toThrow(/non-negative integer/);
  });
});
