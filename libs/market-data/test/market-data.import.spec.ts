import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvSource, createQlibSource } from '@quant/data-sources';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { MarketDataRepository, runImportJob } from '../src';
import type { RejectRecord } from '../src';
import { CALENDAR, writeQlibFixture } from './qlib-fixture';

const root = mkdtempSync(join(tmpdir(), 'quant-import-'));
const storeDir = join(root, 'store');
const qlibDir = join(root, 'qlib');
const csvDir = join(root, 'csv');

async function withStore<T>(fn: (repo: MarketDataRepository, store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeDir);
  try {
    return await fn(new MarketDataRepository(store), store);
  } finally {
    await store.close();
  }
}

const readRejects = (file: string): RejectRecord[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RejectRecord);

beforeAll(() => {
  writeQlibFixture(qlibDir, CALENDAR, [
    // Suspended on day 3 (volume 0): kept as not traded.
    { code: 'SH600000', start: 0, closes: [10, 10.2, 10.2, 10.4, 10.3, 10.5, 10.6, 10.8, 10.7, 10.9], volumes: [5, 6, 0, 7, 8, 9, 9, 9, 9, 9].map((v) => v * 1000), factor: 2 },
    // A hole (NaN close) on day 5, and a listing on day 2.
    { code: 'SZ000001', start: 2, closes: [20, 20.5, Number.NaN, 21, 21.5, 21, 20.8, 20.9] },
    // Its close file gets truncated below: the complete values before the cut are still read.
    { code: 'SZ300750', start: 0, closes: [100, 101, 102, 103, 104, 105, 106, 107, 108, 109] },
  ]);
  const close = join(qlibDir, 'features', 'SZ300750', 'close.day.bin');
  truncateSync(close, statSync(close).size - 6); // cuts value 10 and half of value 9

  mkdirSync(csvDir);
  writeFileSync(
    join(csvDir, 'more.csv'),
    [
      'code,date,open,high,low,close,volume,amount',
      '600000.SH,2021-01-19,11,11.2,10.9,11.1,8000,88000', // a weekday after the stored calendar: a new day
      'sh.600000,2021-01-15,11,11.2,10.9,11.1,8000,88000', // already stored by the qlib import: skipped
      'SZ000001,2021-01-14,21,21.2,20.8,21.1,1000,21000', // already stored
      'SH600000,2021-01-16,11,11.2,10.9,11.1,8000,88000', // a Saturday
      'SH123456,2021-01-15,5,5.1,4.9,5,100,500', // a code of no stock board (SH 1xxxxx are bonds)
      'XX600000,2021-01-15,5,5.1,4.9,5,100,500', // not a code
      'SH600000,2021-01-14,abc,11.2,10.9,11.1,8000,88000', // bad number
    ].join('\n'),
  );
  // Out of order, duplicated within a file and across files, for an instrument new to the store.
  writeFileSync(
    join(csvDir, 'unordered-a.csv'),
    [
      'date,code,close,open,high,low,volume',
      '2021-01-13,SZ000002,30.5,30,31,29.9,500',
      '2021-01-11,SZ000002,30.1,30,30.2,29.8,400',
      '2021-01-13,SZ000002,30.5,30,31,29.9,500', // the same row again
      '2021-01-12,SZ000002,30.2,30.1,30.4,30,450',
    ].join('\n'),
  );
  writeFileSync(
    join(csvDir, 'unordered-b.csv'),
    ['code,date,open,high,low,close,volume', 'SZ000002,2021-01-12,30.1,30.4,30,30.3,460'].join('\n'), // conflicts with a.csv
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('market-data import (in-process bus, chdb)', () => {
  it('stores every valid bar, rejects the rest with reasons and origins', async () => {
    const rejectsFile = join(root, 'rejects-1.jsonl');
    const report = await runImportJob({ source: createQlibSource(qlibDir), store: storeDir, rejectsFile });
    // SH600000 10 bars, SZ000001 7 (one hole), SZ300750 8 (truncated after value 8).
    expect(report).toMatchObject({ bars: 25, instruments: 3, from: '2021-01-04', to: '2021-01-15', stored: 25, deadLettered: 0, notTraded: 1 });
    expect(report.rejectedByReason).toEqual({ BIN_NAN_CLOSE: 1, BIN_TRUNCATED: 1 });
    const rejects = readRejects(rejectsFile);
    expect(rejects.map((r) => r.reason).sort()).toEqual(['BIN_NAN_CLOSE', 'BIN_TRUNCATED']);
    const hole = rejects.find((r) => r.reason === 'BIN_NAN_CLOSE')!;
    expect(hole.origin.location).toMatch(/SZ000001[/\\]close\.day\.bin$/);
    expect(hole.origin.offset).toBe(4 * (1 + 2)); // header + two values before the hole

    await withStore(async (repo) => {
      const coverage = await repo.coverage();
      expect(coverage.map((c) => [c.code, c.bars, c.from, c.to])).toEqual([
        ['SH600000', 10, '2021-01-04', '2021-01-15'],
        ['SZ000001', 7, '2021-01-06', '2021-01-15'],
        ['SZ300750', 8, '2021-01-04', '2021-01-13'],
      ]);
      const bars = await repo.bars('SH600000', '2021-01-04', '2021-01-06');
      // Raw price = adjusted / factor: the fixture stored 10 x 2.
      expect(bars[0]).toMatchObject({ code: 'SH600000', date: '2021-01-04', close: 10, factor: 2, traded: true, volume: 5000 });
      expect(bars[2]).toMatchObject({ date: '2021-01-06', traded: false, volume: 0 });
      // Many instruments in one query: the same bars per code, an entry for every asked code.
      const many = await repo.barsMany(['SZ300750', 'SH600000', 'SH688999'], '2021-01-04', '2021-01-06');
      expect([...many.keys()]).toEqual(['SZ300750', 'SH600000', 'SH688999']);
      expect(many.get('SH600000')).toEqual(bars);
      expect(many.get('SZ300750')).toEqual(await repo.bars('SZ300750', '2021-01-04', '2021-01-06'));
      expect(many.get('SH688999')).toEqual([]);
      expect((await repo.barsMany([], '2021-01-04', '2021-01-06')).size).toBe(0);
    });
  });

  it('re-importing the same data changes nothing', async () => {
    const report = await runImportJob({ source: createQlibSource(qlibDir), store: storeDir });
    expect(report).toMatchObject({ bars: 0, published: 0, alreadyStored: 25 });
    await withStore(async (repo, store) => {
      expect((await repo.counts()).bars).toBe(25);
      // No duplicate rows even before merges: count without FINAL equals distinct keys.
      const [row] = await store.query<{ n: string; k: string }>('SELECT count() AS n, uniqExact(code, date) AS k FROM daily_bars');
      expect(Number(row!.n)).toBe(25);
      expect(Number(row!.k)).toBe(25);
    });
  });

  it('a CSV with bad rows stores nothing wrong and names each bad line', async () => {
    const rejectsFile = join(root, 'rejects-csv.jsonl');
    const report = await runImportJob({ source: createCsvSource(csvDir), store: storeDir, rejectsFile });
    expect(report.alreadyStored, JSON.stringify(report)).toBe(2);
    expect(report, JSON.stringify(report)).toMatchObject({ bars: 4, from: '2021-01-11', to: '2021-01-19', rejected: 6 });
    const rejects = readRejects(rejectsFile);
    const unordered = rejects.filter((r) => r.code === 'SZ000002');
    expect(unordered.map((r) => [r.reason, r.origin.location.replace(/.*[/\\]/, ''), r.origin.line])).toEqual([
      ['DUPLICATE', 'unordered-a.csv', 4],
      ['DUPLICATE_CONFLICT', 'unordered-b.csv', 2],
    ]);
    expect(unordered[1]!.message).toMatch(/already read from .*unordered-a\.csv:5 with different values/);
    const more = rejects.filter((r) => r.origin.location.endsWith('more.csv'));
    const byLine = Object.fromEntries(more.map((r) => [r.origin.line, r.reason]));
    expect(byLine).toEqual({
      5: 'NOT_A_TRADING_DAY',
      6: 'UNKNOWN_INSTRUMENT',
      7: expect.stringMatching(/CODE/),
      8: expect.stringMatching(/NUMBER|VALUE/),
    });
    await withStore(async (repo) => {
      expect((await repo.counts()).bars).toBe(29);
      const sz2 = await repo.bars('SZ000002', '2021-01-01', '2021-01-31');
      expect(sz2.map((b) => [b.date, b.close])).toEqual([
        ['2021-01-11', 30.1],
        ['2021-01-12', 30.2],
        ['2021-01-13', 30.5],
      ]);
      expect((await repo.calendar('CN')).slice(-2)).toEqual(['2021-01-15', '2021-01-19']);
      expect(await repo.bars('SH600000', '2021-01-19', '2021-01-19')).toMatchObject([{ close: 11.1, amount: 88000, source: 'csv' }]);
    });
    // And once more: nothing changes. Rows on or before an instrument's last stored day are skipped
    // unread (the Saturday row of SH600000 now falls there), so one reject fewer.
    const again = await runImportJob({ source: createCsvSource(csvDir), store: storeDir });
    expect(again).toMatchObject({ bars: 0, alreadyStored: 9, rejected: 3 });
    await withStore(async (repo) => expect((await repo.counts()).bars).toBe(29));
  });

  it('imports a later range incrementally: only the new days are appended', async () => {
    const incremental = join(root, 'inc-store');
    const first = await runImportJob({ source: createQlibSource(qlibDir), store: incremental, to: '2021-01-08' });
    expect(first).toMatchObject({ to: '2021-01-08', bars: 12 });
    const second = await runImportJob({ source: createQlibSource(qlibDir), store: incremental });
    expect(second).toMatchObject({ from: '2021-01-11', to: '2021-01-15', bars: 13, alreadyStored: 12 });
    const store = await openStore(incremental);
    try {
      expect((await new MarketDataRepository(store).counts()).bars).toBe(25);
    } finally {
      await store.close();
    }
  });
});
