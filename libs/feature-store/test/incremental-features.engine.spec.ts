// The streaming engine against the reader double: equal to a full-history batch, warm-up from stored bars only.
import { describe, expect, it } from 'vitest';
import { barsToSeries, barToDayInput } from '../src/bar-series.mapper';
import { IncrementalFeatureEngine } from '../src/incremental-features.engine';
import { MemoryMarketData, bar, standInSet, weekdays } from './stand-in.fixture';

const calendar = weekdays(20);
const history = calendar.map((d, i) => bar('SH600000', d, 10 + ((i * 7) % 5), i === 6 ? { volume: null } : {}));

function batchRow(i: number): number[] {
  const cols = standInSet.calculators[0]?.batch(barsToSeries('SH600000', history, calendar)) as Float64Array[];
  return cols.map((c) => c[i] as number);
}

describe('IncrementalFeatureEngine', () => {
  it('warms from the stored bars strictly before the day, then adds each next day equal to the batch', async () => {
    // The store holds history up to day 9; days 10.. arrive as events.
    const market = new MemoryMarketData(calendar, new Map([['SH600000', history.slice(0, 10)]]));
    const engine = new IncrementalFeatureEngine(standInSet, market);
    const first = await engine.next(history[10]!);
    expect(first.action).toBe('warmed');
    expect(market.barQueries).toEqual([`SH600000:${calendar[7]}:${calendar[9]}`]);
    expect([...first.values]).toEqual(batchRow(10));
    for (let i = 11; i < 20; i++) {
      const r = await engine.next(history[i]!);
      expect(r.action).toBe('added');
      expect([...r.values]).toEqual(batchRow(i));
    }
    expect(market.barQueries).toHaveLength(1);
    expect(engine.lastDate('SH600000')).toBe(calendar[19]);
  });

  it('replaces a corrected last day and rebuilds after a gap (the missed session read from the store)', async () => {
    const market = new MemoryMarketData(calendar, new Map([['SH600000', history]]));
    const engine = new IncrementalFeatureEngine(standInSet, market);
    await engine.warm('SH600000', calendar[5]!);
    expect(engine.lastDate('SH600000')).toBe(calendar[4]);
    expect((await engine.next(history[5]!)).action).toBe('added');
    const corrected = await engine.next({ ...history[5]!, close: 100 });
    expect(corrected.action).toBe('replaced');
    expect(corrected.values[0]).toBe(200);
    // Day 6 never arrives (the suspended day); day 7 rebuilds from the store, which has the original day 5.
    const afterGap = await engine.next(history[7]!);
    expect(afterGap.action).toBe('warmed');
    expect([...afterGap.values]).toEqual(batchRow(7));
  });

  it('treats a day without trading as a NaN row in every field', () => {
    const day = barToDayInput(bar('SZ000001', '2021-01-04', 10, { volume: 0 }));
    expect(Object.values(day.values).every(Number.isNaN)).toBe(true);
    const traded = barToDayInput(bar('SZ000001', '2021-01-04', 10));
    expect(traded.values).toMatchObject({ close: 20, open: 20, volume: 1000 });
    expect(traded.values['vwap']).toBeNaN();
  });

  it('starts a new listing with no history', async () => {
    const market = new MemoryMarketData(calendar, new Map());
    const engine = new IncrementalFeatureEngine(standInSet, market);
    const r = await engine.next(bar('BJ430047', calendar[3]!, 4));
    expect(r.action).toBe('warmed');
    expect([...r.values]).toEqual([8, 8]);
  });
});
