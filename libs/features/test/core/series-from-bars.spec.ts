import { describe, expect, it } from 'vitest';
import { seriesFromBars } from '../../src';

const calendar = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];
const bar = (date: string, close: number, volume: number | null, factor = 2) => ({ code: 'SZ000001', date, open: close, high: close + 1, low: close - 1, close, volume, factor });

describe('seriesFromBars', () => {
  it('spans the calendar from the first to the last bar, adjusts prices and NaN-s untraded days', () => {
    const s = seriesFromBars([bar('2024-01-08', 10, 0), bar('2024-01-03', 10.5, 100), bar('2024-01-09', 11, 300), bar('2024-01-04', 10, null)], calendar);
    expect(s.code).toBe('SZ000001');
    expect(s.dates).toEqual(['2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09']);
    expect(Array.from(s.fields.close!)).toEqual([21, NaN, NaN, NaN, 22]);
    expect(Array.from(s.fields.high!)).toEqual([23, NaN, NaN, NaN, 24]);
    expect(Array.from(s.fields.volume!)).toEqual([100, NaN, NaN, NaN, 300]);
    expect(Array.from(s.fields.vwap!).every(Number.isNaN)).toBe(true);
  });

  it('rounds adjusted prices to float32 as Qlib stores them, unless asked for float64', () => {
    const b = { ...bar('2024-01-02', 10.37, 5, 1.2345678), amount: 5 * 10.4 };
    expect(seriesFromBars([b], calendar).fields.close![0]).toBe(Math.fround(10.37 * 1.2345678));
    expect(seriesFromBars([b], calendar, 'SZ000001', { adjustedPrecision: 'float64' }).fields.close![0]).toBe(10.37 * 1.2345678);
    expect(seriesFromBars([b], calendar, 'SZ000001', { adjustedPrecision: 'float64' }).fields.vwap![0]).toBeCloseTo(10.4 * 1.2345678, 12);
  });

  it('names the instrument and date of bad input', () => {
    expect(() => seriesFromBars([bar('2024-01-06', 10, 1)], calendar)).toThrow(/SZ000001.*2024-01-06.*not a session/);
    expect(() => seriesFromBars([bar('2024-01-03', 10, 1), bar('2024-01-03', 11, 1)], calendar)).toThrow(/two bars on 2024-01-03/);
    expect(() => seriesFromBars([bar('2024-01-03', 10, 1), { ...bar('2024-01-04', 10, 1), code: 'SH600000' }], calendar)).toThrow(/mixed/);
    expect(() => seriesFromBars([bar('2024-01-03', 10, 1, -1)], calendar)).toThrow(/factor -1/);
  });
});
