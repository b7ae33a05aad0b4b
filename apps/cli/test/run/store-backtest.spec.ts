import { describe, expect, it } from 'vitest';
import type { StoredBar } from '@quant/market-data';
import { weekdays } from '@quant/testing';
import { loadBacktestMarket } from '../../src/run/store-backtest.adapter';

const calendar = weekdays('2024-01-01', 100);
const from = calendar[80] as string;
const to = calendar[89] as string;

function bar(code: string, date: string, close: number, factor = 1, traded = true): StoredBar {
  return { code, date, open: close, high: close, low: close, close, volume: traded ? 1000 : 0, amount: null, factor, traded, isST: null, flags: [], source: 'test', eventId: `${code}|${date}`, ingestedAt: 0 };
}

describe('loadBacktestMarket (store bars for the backtest)', () => {
  it('gives the first bars after a suspension spanning the start their previous close from before the start', async () => {
    const bars: Record<string, StoredBar[]> = {
      // Trades until 3 sessions before the start, suspended over the start, resumes on its 3rd session at +10%.
      SH600000: [...calendar.slice(60, 78).map((d) => bar('SH600000', d, 10)), bar('SH600000', calendar[82] as string, 11)],
      // A 2-for-1 split while suspended: the reference close is brought to the new share basis.
      SH600001: [bar('SH600001', calendar[79] as string, 20, 1), bar('SH600001', calendar[81] as string, 11, 2)],
      SH000300: calendar.slice(60, 90).map((d) => bar('SH000300', d, 3000)),
    };
    const reader = {
      calendar: async () => calendar,
      barsMany: async (codes: readonly string[], f: string, t: string) => new Map(codes.map((code) => [code, (bars[code] ?? []).filter((b) => b.date >= f && b.date <= t)])),
      instruments: async () => [],
    };
    const market = await loadBacktestMarket(reader, { market: 'CN', codes: ['SH600000', 'SH600001'], benchmark: 'SH000300', from, to });
    expect(market.sessions[0]).toBe(from);
    // Nothing before the start is a backtest quote.
    expect(market.quote('SH600000', calendar[77] as string)).toBeUndefined();
    // 10 before the suspension -> the resumption at 11 is exactly at the +10% limit.
    expect(market.quote('SH600000', calendar[82] as string)?.prevClose).toBe(10);
    // 20 x factor 1, now factor 2: 10 on the new basis.
    expect(market.quote('SH600001', calendar[81] as string)?.prevClose).toBe(10);
  });
});
