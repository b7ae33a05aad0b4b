// The feature repository and the batch build on embedded chdb (one data directory for this file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import { FeatureRepository } from '../src/feature.repository';
import { buildFeatures, warmupStart } from '../src/feature-build.job';
import { barsToSeries } from '../src/bar-series.mapper';
import { MemoryMarketData, bar, standInSet, weekdays } from './stand-in.fixture';

let dir: string;
let store: Store;
let repo: FeatureRepository;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-feature-store-'));
  store = await openStore(join(dir, 'store'), { database: 'features_test' });
  repo = new FeatureRepository(store);
  await repo.migrate();
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const f32 = (x: number) => Math.fround(x);

describe('FeatureRepository', () => {
  it('round-trips values as Float32 and missing values (NaN, Infinity) as NaN', async () => {
    await repo.write('rt', 'v1', 3, [
      { code: 'SH600000', date: '2021-01-04', values: [1.5, Number.NaN, 0.1] },
      { code: 'SH600000', date: '2021-01-05', values: [Number.NaN, Number.NaN, Number.POSITIVE_INFINITY] },
    ]);
    const rows = await repo.read('rt', 'v1', ['SH600000'], '2021-01-01', '2021-01-31');
    expect(rows.map((r) => r.date)).toEqual(['2021-01-04', '2021-01-05']);
    expect(rows[0]?.values[0]).toBe(1.5);
    expect(rows[0]?.values[1]).toBeNaN();
    expect(f32(rows[0]?.values[2] as number)).toBe(f32(0.1));
    expect([...(rows[1]?.values ?? [])].every(Number.isNaN)).toBe(true);
  });

  it('replaces a re-written row instead of adding one, and keeps only the requested version', async () => {
    const row = (v: number) => ({ code: 'SZ000001', date: '2021-02-01', values: [v] });
    await repo.write('idem', 'v1', 1, [row(1)], Date.UTC(2021, 1, 1));
    await repo.write('idem', 'v1', 1, [row(2)], Date.UTC(2021, 1, 2));
    const once = await repo.read('idem', 'v1', ['SZ000001'], '2021-02-01', '2021-02-01');
    expect(once.map((r) => r.values[0])).toEqual([2]);
    // A newer version replaces the row: the old version no longer reads, the new one does.
    await repo.write('idem', 'v2', 1, [row(3)], Date.UTC(2021, 1, 3));
    expect(await repo.read('idem', 'v1', ['SZ000001'], '2021-02-01', '2021-02-01')).toEqual([]);
    expect((await repo.read('idem', 'v2', ['SZ000001'], '2021-02-01', '2021-02-01')).map((r) => r.values[0])).toEqual([3]);
    expect(await repo.countOn('idem', 'v2', '2021-02-01')).toBe(1);
    expect(await repo.countOn('idem', 'v1', '2021-02-01')).toBe(0);
  });

  it('refuses a row of the wrong width before inserting anything', async () => {
    await expect(
      repo.write('width', 'v1', 2, [
        { code: 'SH600000', date: '2021-03-01', values: [1, 2] },
        { code: 'SH600000', date: '2021-03-02', values: [1] },
      ]),
    ).rejects.toMatchObject({ code: 'FEATURE_ROW_INVALID' });
    expect(await repo.read('width', 'v1', ['SH600000'], '2021-03-01', '2021-03-31')).toEqual([]);
  });

  it('stores column names per set version and the last computed day per instrument', async () => {
    await repo.saveColumns('cols', 'v1', ['A', 'B']);
    expect(await repo.columns('cols', 'v1')).toEqual(['A', 'B']);
    expect(await repo.columns('cols', 'v9')).toBeNull();
    await repo.write('cols', 'v1', 2, [
      { code: 'SH600000', date: '2021-01-04', values: [1, 2] },
      { code: 'SH600000', date: '2021-01-06', values: [1, 2] },
      { code: 'SZ000002', date: '2021-01-05', values: [1, 2] },
    ]);
    expect(Object.fromEntries(await repo.lastComputedDates('cols', 'v1'))).toEqual({ SH600000: '2021-01-06', SZ000002: '2021-01-05' });
    expect(Object.fromEntries(await repo.lastComputedDates('cols', 'v1', ['SZ000002']))).toEqual({ SZ000002: '2021-01-05' });
  });
});

describe('buildFeatures', () => {
  const calendar = weekdays(30);
  // A suspended day (volume 0) inside the range, an instrument listed late, one never in range.
  const closes = calendar.map((_, i) => 10 + i);
  const a = calendar.map((d, i) => bar('SH600000', d, closes[i] as number, i === 12 ? { volume: 0, traded: false } : {}));
  const b = calendar.slice(14).map((d, i) => bar('SZ000001', d, 20 - i * 0.5));
  const c = calendar.slice(0, 5).map((d) => bar('SZ000002', d, 5));
  const market = new MemoryMarketData(calendar, new Map([['SH600000', a], ['SZ000001', b], ['SZ000002', c]]), new Map([
    ['u', [{ code: 'SZ000001', start: calendar[0] as string, end: calendar[29] as string }, { code: 'SZ000002', start: calendar[0] as string, end: calendar[3] as string }]],
  ]));

  it('stores rows of [from, to] equal to a full-history batch, suspended days as NaN rows', async () => {
    const from = calendar[10] as string;
    const to = calendar[20] as string;
    // Every stored instrument by default: SZ000002 ended before the warm-up and is not even read.
    const all = await buildFeatures({ store, market, set: { ...standInSet, name: 'all' }, from, to });
    expect(all).toMatchObject({ instruments: 2, withoutBars: [] });
    expect(market.barQueries.some((q) => q.startsWith('SZ000002'))).toBe(false);
    const report = await buildFeatures({ store, market, set: standInSet, codes: ['SZ000002', 'SH600000', 'SZ000001'], from, to, batchRows: 4 });
    expect(report).toMatchObject({ set: 'stand-in', version: 'v1', columns: 2, instruments: 2, rows: 11 + 7, withoutBars: ['SZ000002'], warmupSessions: 3 });
    // Only the warm-up sessions before `from` were read, not the whole history.
    expect(market.barQueries).toContain(`SH600000:${calendar[7]}:${to}`);
    const full = standInSet.calculators[0]?.batch(barsToSeries('SH600000', a, calendar)) as Float64Array[];
    const rows = await repo.read('stand-in', 'v1', ['SH600000', 'SZ000001'], '2000-01-01', '2100-01-01');
    const ofA = rows.filter((r) => r.code === 'SH600000');
    expect(ofA.map((r) => r.date)).toEqual(calendar.slice(10, 21));
    for (const [k, r] of ofA.entries()) {
      const i = k + 10;
      for (let j = 0; j < 2; j++) {
        const expected = (full[j] as Float64Array)[i] as number;
        if (Number.isNaN(expected)) expect(r.values[j]).toBeNaN();
        else expect(r.values[j]).toBe(Math.fround(expected));
      }
    }
    expect(ofA[2]?.values[0]).toBeNaN(); // the suspended day
    expect(ofA[2]?.values[1]).toBe(Math.fround(((20 + 21) / 2) * 2)); // its mean skips the NaN (adjusted: factor 2)
    expect(rows.filter((r) => r.code === 'SZ000001').map((r) => r.date)).toEqual(calendar.slice(14, 21));
    expect(await repo.columns('stand-in', 'v1')).toEqual(['CLOSE', 'MEAN3']);
  });

  it('selects the instruments ever in a universe over the range, intersected with codes', async () => {
    const report = await buildFeatures({ store, market, set: { ...standInSet, name: 'uni' }, universe: 'u', from: calendar[0] as string, to: calendar[29] as string });
    expect(report.instruments).toBe(2);
    expect(report.withoutBars).toEqual([]);
    const onlyB = await buildFeatures({ store, market, set: { ...standInSet, name: 'uni2' }, universe: 'u', codes: ['SZ000001', 'SH600000'], from: calendar[0] as string, to: calendar[29] as string });
    expect(onlyB.instruments).toBe(1);
  });

  it('refuses bad ranges and an empty universe with a clear error', async () => {
    await expect(buildFeatures({ store, market, set: standInSet, from: '2021-02-30', to: '2021-03-01' })).rejects.toMatchObject({ code: 'DATE_INVALID' });
    await expect(buildFeatures({ store, market, set: standInSet, from: '2021-03-01', to: '2021-01-01' })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    await expect(buildFeatures({ store, market, set: standInSet, from: '2030-01-01', to: '2030-02-01' })).rejects.toMatchObject({ code: 'FEATURES_NO_SESSIONS' });
    await expect(buildFeatures({ store, market, set: standInSet, universe: 'nope', from: calendar[0] as string, to: calendar[3] as string })).rejects.toMatchObject({
      code: 'UNIVERSE_EMPTY',
    });
  });

  it('warmupStart clamps to the calendar start', () => {
    expect(warmupStart(calendar, calendar[10] as string, 3)).toBe(calendar[7]);
    expect(warmupStart(calendar, calendar[1] as string, 60)).toBe(calendar[0]);
    expect(warmupStart(calendar, '2000-01-01', 3)).toBe(calendar[0]);
  });
});
