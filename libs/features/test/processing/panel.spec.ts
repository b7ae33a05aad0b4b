import { describe, expect, it } from 'vitest';
import { createPanel, instrumentSeries, panelFromColumns, panelIndex, panelValue, selectDates, sliceDates, withSegment } from '../../src/processing';

describe('panel', () => {
  it('builds a date-major panel from per-instrument columns, NaN where an instrument has no row', () => {
    const panel = panelFromColumns([
      { code: 'SH600000', dates: ['2020-01-02', '2020-01-03'], fields: { close: [10, 11], volume: [100, 200] } },
      { code: 'SZ000001', dates: ['2020-01-03', '2020-01-06'], fields: { close: [20, 21], volume: [300, 400] } },
    ]);
    expect(panel.dates).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(panel.features).toEqual(['close', 'volume']);
    // [date][code][feature]
    expect(Array.from(panel.values)).toEqual([10, 100, NaN, NaN, 11, 200, 20, 300, NaN, NaN, 21, 400]);
    expect(panelValue(panel, '2020-01-06', 'SZ000001', 'volume')).toBe(400);
    expect(panelIndex(panel, 1, 1, 0)).toBe(6);
    expect(Array.from(instrumentSeries(panel, 'SZ000001', 'close'))).toEqual([NaN, 20, 21]);
  });

  it('slices a date range as a copy and marks the segment', () => {
    const panel = createPanel({ dates: ['2020-01-02', '2020-01-03', '2020-01-06'], codes: ['A'], features: ['x'], values: Float64Array.from([1, 2, 3]) });
    const mid = selectDates(panel, '2020-01-03', '2020-01-05', 'valid');
    expect(mid.dates).toEqual(['2020-01-03']);
    expect(Array.from(mid.values)).toEqual([2]);
    expect(mid.segment).toBe('valid');
    mid.values[0] = 99;
    expect(panel.values[1]).toBe(2);
    expect(sliceDates(panel, 1, 3).values.length).toBe(2);
    expect(withSegment(panel, 'train').segment).toBe('train');
  });

  it('refuses bad shapes with errors naming what is wrong', () => {
    expect(() => createPanel({ dates: ['2020-01-03', '2020-01-02'], codes: ['A'], features: ['x'] })).toThrow(/strictly ascending/);
    expect(() => createPanel({ dates: ['2020-1-3'], codes: ['A'], features: ['x'] })).toThrow(/not a YYYY-MM-DD/);
    expect(() => createPanel({ dates: ['2020-01-02'], codes: ['A', 'A'], features: ['x'] })).toThrow(/duplicate code "A"/);
    expect(() => createPanel({ dates: ['2020-01-02'], codes: ['A'], features: ['x'], values: new Float64Array(2) })).toThrow(/length 2, expected 1/);
    expect(() =>
      panelFromColumns([{ code: 'A', dates: ['2020-01-02'], fields: { x: [1] } }], { features: ['x', 'y'] }),
    ).toThrow(/instrument A has no field "y"/);
    expect(() => sliceDates(createPanel({ dates: ['2020-01-02'], codes: ['A'], features: ['x'] }), 0, 2)).toThrow(/outside/);
  });
});
