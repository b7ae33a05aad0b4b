import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBatch } from '../src/data-source.port';
import { createCsvSource } from '../src/csv-directory.source';

async function collect(it: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('CSV directory source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-src-'));
    await mkdir(join(dir, 'sub'));
    // Any column order and case, a BOM, CRLF, quoted fields, optional columns.
    await writeFile(
      join(dir, 'a.csv'),
      '\uFEFFDate,Code,Open,High,Low,Close,Volume,Amount,isST\r\n' +
        '2024-01-03,600000.SH,10,11,9.5,10.5,1000,"10,500",0\r\n' + // quoted number with a comma: bad number
        '2024-01-02,sh.600000,10,11,9.5,10.5,1000,10500,0\r\n' +
        '2024-01-03,SH600000,10.5,11,10,10.8,0,,1\r\n' + // volume 0, empty amount
        '2024-01-03,SH600000,10.5,11,10,10.8,0,,1\r\n' + // duplicate: passed through
        '2024-01-02,SH600000,10,11,9.5,10.5,1000,10500,0\r\n' + // out of order: passed through
        '2024-01-04,XX999,1,1,1,1,1,1,0\r\n' + // unknown code
        '2024-01-04,600000,1,1,1,1,1,1,0\r\n' + // bare symbol: ambiguous
        '20240105,SZ000001,"1.5",2,1,1.8,5,,\r\n' + // YYYYMMDD and a quoted number
        '2024-02-30,SZ000001,1,1,1,1,1,1,0\r\n' + // no such day
        '2024-01-08,SZ000001,abc,1,1,1,1,1,0\r\n' +
        '2024-01-09,SZ000001,1,1,1,1\r\n' + // too few fields
        '2024-01-10,SZ000001,1,1,1,1,1,1,maybe\r\n',
    );
    await writeFile(join(dir, 'sub', 'b.csv'), 'code,date,open,high,low,close,volume,factor,preclose\nSZ000001,2024-01-02,1,2,0.5,1.5,10,3.2,1.4\n');
    await writeFile(join(dir, 'sub', 'bad-header.csv'), 'code,date,open,close\nSZ000001,2024-01-02,1,1\n');
    await writeFile(join(dir, 'empty.csv'), '');
    await writeFile(join(dir, 'notes.txt'), 'not a csv');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps good rows, passes duplicates and out-of-order days through, reports bad rows with file, line and text', async () => {
    const batches = await collect(createCsvSource(dir).read());
    const bars = batches.flatMap((b) => b.bars);
    const problems = batches.flatMap((b) => b.problems);
    const a = join(dir, 'a.csv');
    expect(bars.filter((b) => b.origin.location === a).map((b) => [b.code, b.date, b.volume, b.amount, b.isST, b.origin.line])).toEqual([
      ['SH600000', '2024-01-02', 1000, 10500, false, 3],
      ['SH600000', '2024-01-03', 0, null, true, 4],
      ['SH600000', '2024-01-03', 0, null, true, 5],
      ['SH600000', '2024-01-02', 1000, 10500, false, 6],
      ['SZ000001', '2024-01-05', 5, null, null, 9],
    ]);
    expect(problems.filter((p) => p.origin.location === a).map((p) => [p.origin.line, p.code])).toEqual([
      [2, 'CSV_BAD_NUMBER'],
      [7, 'CODE_UNKNOWN'],
      [8, 'CODE_UNKNOWN'],
      [10, 'CSV_BAD_DATE'],
      [11, 'CSV_BAD_NUMBER'],
      [12, 'CSV_COLUMN_COUNT'],
      [13, 'CSV_BAD_VALUE'],
    ]);
    expect(problems.find((p) => p.origin.line === 2)!).toMatchObject({ raw: '2024-01-03,600000.SH,10,11,9.5,10.5,1000,"10,500",0', message: 'amount "10,500" is not a number' });
    const b = bars.find((x) => x.origin.location.endsWith('b.csv'))!;
    expect(b).toMatchObject({ code: 'SZ000001', factor: 3.2, preClose: 1.4, amount: null });
    expect(problems.find((p) => p.origin.location.endsWith('bad-header.csv'))).toMatchObject({ code: 'CSV_HEADER_INVALID', origin: { line: 1 } });
    expect(problems.find((p) => p.origin.location.endsWith('empty.csv'))).toMatchObject({ code: 'CSV_HEADER_INVALID' });
    expect(problems.some((p) => p.origin.location.endsWith('notes.txt'))).toBe(false);
  });

  it('infers the exchange of bare stock symbols only when asked', async () => {
    const bars = (await collect(createCsvSource(dir, { inferExchange: true }).read({ from: '2024-01-04', to: '2024-01-04' }))).flatMap((b) => b.bars);
    expect(bars.map((b) => b.code)).toEqual(['SH600000']);
  });

  it('filters by code in any spelling and by date, and splits big files into batches', async () => {
    const batches = await collect(createCsvSource(dir, { batchSize: 2 }).read({ codes: ['600000.SH'], from: '2024-01-02', to: '2024-01-03' }));
    expect(batches.filter((b) => b.bars.length > 0).map((b) => b.bars.length)).toEqual([2, 2]);
    expect(batches.flatMap((b) => b.bars).every((b) => b.code === 'SH600000')).toBe(true);
  });

  it('lists instruments with their first and last dates; has no calendar', async () => {
    const src = createCsvSource(dir);
    expect(await src.instruments()).toEqual([
      { code: 'SH600000', firstDate: '2024-01-02', lastDate: '2024-01-03', name: null },
      { code: 'SZ000001', firstDate: '2024-01-02', lastDate: '2024-01-05', name: null },
    ]);
    expect(await src.calendar()).toEqual([]);
  });

  it('fails clearly on a missing directory or a bad range', async () => {
    await expect(collect(createCsvSource(join(dir, 'nope')).read())).rejects.toThrow(/data directory not found/);
    await expect(collect(createCsvSource(dir).read({ from: '2024-02-01', to: '2024-01-01' }))).rejects.toThrow(/after/);
  });
});
