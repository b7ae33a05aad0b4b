import { describe, expect, it } from 'vitest';
import { TradingCalendar } from '@quant/market';
import { BarValidator } from '../src';
import type { BarCandidate } from '../src';

const calendar = new TradingCalendar(['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08']);
const instruments = new Map([
  ['SH600000', { firstDate: '2010-01-04' }],
  ['SZ300750', { firstDate: '2018-06-11' }],
  ['SH000300', { firstDate: '2010-01-04' }],
]);

let line = 1;
function bar(over: Partial<BarCandidate> = {}): BarCandidate {
  return {
    code: 'SH600000',
    date: '2021-01-04',
    open: 10,
    high: 10.5,
    low: 9.8,
    close: 10.2,
    volume: 1000,
    amount: 10_000,
    factor: 1,
    origin: { source: 'csv', location: 'bars.csv', line: line++ },
    ...over,
  };
}

describe('BarValidator', () => {
  it('accepts good bars, sorted, and marks suspended days as not traded', () => {
    const v = new BarValidator({ calendar, instruments });
    const { valid, rejected } = v.validate([
      bar({ date: '2021-01-06', volume: 0 }),
      bar({ date: '2021-01-05', volume: null }),
      bar(),
    ]);
    expect(rejected).toEqual([]);
    expect(valid.map((b) => [b.date, b.traded])).toEqual([
      ['2021-01-04', true],
      ['2021-01-05', false],
      ['2021-01-06', false],
    ]);
  });

  it.each([
    [{ close: Number.NaN }, 'PRICE_NOT_FINITE', /close is NaN/],
    [{ open: 0 }, 'PRICE_NOT_POSITIVE', /open is 0/],
    [{ low: 11 }, 'OHLC_INCONSISTENT', /low <= open/],
    [{ close: 10.6 }, 'OHLC_INCONSISTENT', /close 10.6/],
    [{ volume: -1 }, 'VOLUME_NEGATIVE', /volume is -1/],
    [{ amount: -5 }, 'AMOUNT_NEGATIVE', /amount/],
    [{ factor: 0 }, 'FACTOR_NOT_POSITIVE', /factor is 0/],
    [{ date: '2021-01-09' }, 'NOT_A_TRADING_DAY', /2021-01-09 is not a trading day/],
    [{ code: 'SH601999' }, 'UNKNOWN_INSTRUMENT', /SH601999/],
  ] as const)('rejects %j as %s, keeping its origin', (over, reason, message) => {
    const v = new BarValidator({ calendar, instruments });
    const bad = bar(over);
    const good = bar({ date: '2021-01-07' });
    const { valid, rejected } = v.validate([bad, good]);
    expect(valid.map((b) => b.date)).toEqual(['2021-01-07']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBe(reason);
    expect(rejected[0]!.message).toMatch(message);
    expect(rejected[0]!.origin).toEqual(bad.origin);
  });

  it('rejects duplicates across batches, keeping the first', () => {
    const v = new BarValidator({ calendar, instruments });
    const first = bar();
    expect(v.validate([first]).valid).toHaveLength(1);
    const again = v.validate([bar(), bar({ close: 10.3 })]);
    expect(again.valid).toEqual([]);
    expect(again.rejected.map((r) => r.reason)).toEqual(['DUPLICATE', 'DUPLICATE_CONFLICT']);
    expect(again.rejected[0]!.message).toContain(`bars.csv:${first.origin.line}`);
  });

  it('flags moves beyond the price limit on adjusted prices, by board and across suspensions', () => {
    const v = new BarValidator({ calendar, instruments });
    const { valid } = v.validate([
      bar({ date: '2021-01-04', close: 10, high: 10, low: 10, open: 10 }),
      // ex-dividend day: raw close drops 20% but the factor rises 25%: adjusted move 0, no flag
      bar({ date: '2021-01-05', close: 8, high: 8, low: 8, open: 8, factor: 1.25 }),
      bar({ date: '2021-01-06', volume: 0 }),
      // +15% against the last traded adjusted close (10): beyond the main board's 10%
      bar({ date: '2021-01-07', close: 9.2, high: 9.2, low: 9.2, open: 9.2, factor: 1.25 }),
      bar({ code: 'SZ300750', date: '2021-01-04', close: 100, high: 100, low: 100, open: 100 }),
      // +15% on ChiNext after 2020-08-24 is within its 20%
      bar({ code: 'SZ300750', date: '2021-01-05', close: 115, high: 115, low: 115, open: 115 }),
      bar({ code: 'SH000300', date: '2021-01-04', close: 5000, high: 5000, low: 5000, open: 5000 }),
      bar({ code: 'SH000300', date: '2021-01-05', close: 6000, high: 6000, low: 6000, open: 6000 }),
    ]);
    const flagged = valid.filter((b) => b.flags.includes('PRICE_LIMIT_EXCEEDED')).map((b) => `${b.code} ${b.date}`);
    expect(flagged).toEqual(['SH600000 2021-01-07']);
  });

  it('checks the first new day of an incremental import against the stored close', () => {
    const v = new BarValidator({ calendar, instruments, lastAdjustedClose: new Map([['SH600000', 8]]) });
    const { valid } = v.validate([bar({ date: '2021-01-08', close: 10, high: 10, low: 10, open: 10 })]);
    expect(valid[0]!.flags).toEqual(['PRICE_LIMIT_EXCEEDED']);
  });
});
