import { describe, expect, it } from 'vitest';
import { exceedsPriceLimit, isAtDownLimit, isAtUpLimit, limitPrices, priceLimitRule } from '../src';
import type { LimitContext } from '../src';

// Golden cases: each row is a rule the exchanges published, with the date that decides it.
const cases: Array<[string, LimitContext, number | null, number | null, string]> = [
  ['main board', { code: 'SH600000', date: '2019-03-01' }, 0.1, 0.1, 'main-10'],
  ['main board ST before 2025-07-07', { code: 'SZ000001', date: '2025-07-04', isST: true }, 0.05, 0.05, 'main-st-5'],
  ['main board ST from 2025-07-07', { code: 'SZ000001', date: '2025-07-07', isST: true }, 0.1, 0.1, 'main-st-10'],
  ['ChiNext on the last day of 10%', { code: 'SZ300750', date: '2020-08-21' }, 0.1, 0.1, 'chinext-10'],
  ['ChiNext from the reform day', { code: 'SZ300750', date: '2020-08-24' }, 0.2, 0.2, 'chinext-20'],
  ['ChiNext ST before the reform', { code: 'SZ300104', date: '2019-05-06', isST: true }, 0.05, 0.05, 'chinext-st-5'],
  ['ChiNext ST after the reform', { code: 'SZ300104', date: '2021-05-06', isST: true }, 0.2, 0.2, 'chinext-20'],
  ['ChiNext IPO, 5th session after reform', { code: 'SZ301001', date: '2021-01-08', listDate: '2021-01-04', sessionsSinceListing: 4 }, null, null, 'chinext-first-5-sessions'],
  ['ChiNext IPO, 6th session after reform', { code: 'SZ301001', date: '2021-01-11', listDate: '2021-01-04', sessionsSinceListing: 5 }, 0.2, 0.2, 'chinext-20'],
  ['ChiNext listed before reform, 2nd session after it', { code: 'SZ300999', date: '2020-08-24', listDate: '2020-08-21', sessionsSinceListing: 1 }, 0.2, 0.2, 'chinext-20'],
  ['ChiNext IPO day before reform', { code: 'SZ300888', date: '2019-06-03', listDate: '2019-06-03', sessionsSinceListing: 0 }, 0.44, 0.36, 'ipo-first-day-44-36'],
  ['STAR', { code: 'SH688981', date: '2021-06-01', isST: true }, 0.2, 0.2, 'star-20'],
  ['STAR first day', { code: 'SH688981', date: '2020-07-16', listDate: '2020-07-16', sessionsSinceListing: 0 }, null, null, 'star-first-5-sessions'],
  ['main IPO day 2015', { code: 'SH601888', date: '2015-06-01', listDate: '2015-06-01', sessionsSinceListing: 0 }, 0.44, 0.36, 'ipo-first-day-44-36'],
  ['main IPO 2nd session 2015', { code: 'SH601888', date: '2015-06-02', listDate: '2015-06-01', sessionsSinceListing: 1 }, 0.1, 0.1, 'main-10'],
  ['main IPO 3rd session after registration', { code: 'SH603999', date: '2023-04-12', listDate: '2023-04-10', sessionsSinceListing: 2 }, null, null, 'main-first-5-sessions'],
  ['main IPO day before 2014', { code: 'SH601999', date: '2012-03-01', listDate: '2012-03-01', sessionsSinceListing: 0 }, null, null, 'ipo-first-day'],
  ['BSE', { code: 'BJ830799', date: '2022-03-01' }, 0.3, 0.3, 'bse-30'],
  ['index', { code: 'SH000300', date: '2022-03-01' }, null, null, 'index'],
];

describe('price limits', () => {
  it.each(cases)('%s', (_name, ctx, up, down, rule) => {
    expect(priceLimitRule(ctx)).toEqual({ up, down, rule });
  });

  it('rounds limit prices to the fen, half up', () => {
    const ten = priceLimitRule({ code: 'SH600000', date: '2020-01-02' });
    expect(limitPrices(10, ten)).toEqual({ up: 11, down: 9 });
    // 9.87 * 1.1 = 10.857 -> 10.86; 9.87 * 0.9 = 8.883 -> 8.88
    expect(limitPrices(9.87, ten)).toEqual({ up: 10.86, down: 8.88 });
    // 3.15 * 1.05 = 3.3075 -> 3.31 (half up); 3.15 * 0.95 = 2.9925 -> 2.99
    const st = priceLimitRule({ code: 'SH600000', date: '2020-01-02', isST: true });
    expect(limitPrices(3.15, st)).toEqual({ up: 3.31, down: 2.99 });
    expect(() => limitPrices(0, ten)).toThrowError(/positive/);
  });

  it('detects prices at the limits and moves beyond them', () => {
    const ten = priceLimitRule({ code: 'SH600000', date: '2020-01-02' });
    expect(isAtUpLimit(10.86, 9.87, ten)).toBe(true);
    expect(isAtUpLimit(10.85, 9.87, ten)).toBe(false);
    expect(isAtDownLimit(8.88, 9.87, ten)).toBe(true);
    expect(isAtDownLimit(8.89, 9.87, ten)).toBe(false);
    expect(exceedsPriceLimit(11.0, 10, ten)).toBe(false);
    expect(exceedsPriceLimit(11.5, 10, ten)).toBe(true);
    expect(exceedsPriceLimit(8.5, 10, ten)).toBe(true);
    const chinext = priceLimitRule({ code: 'SZ300750', date: '2020-08-24' });
    expect(exceedsPriceLimit(11.5, 10, chinext)).toBe(false);
    const free = priceLimitRule({ code: 'SH000300', date: '2020-08-24' });
    expect(exceedsPriceLimit(30, 10, free)).toBe(false);
    expect(isAtUpLimit(30, 10, free)).toBe(false);
  });
});
