import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBatch } from '../src/data-source.port';
import { createBaostockSource } from '../src/baostock-csv.source';

const HEADER = 'volume,code,psTTM,high,adjustflag,tradestatus,pbMRQ,preclose,pctChg,open,close,peTTM,isST,turn,pcfNcfTTM,low,date,amount,time';
const BAOSTOCK_DIR = fileURLToPath(new URL('../../../../shared/data/cn/baostock', import.meta.url));

async function collect(it: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('baostock CSV source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baostock-src-'));
    await writeFile(
      join(dir, 'sh.600009.csv'),
      [
        HEADER,
        '100,sh.600009,26.6,49.0,3,1,3.27,48.85,0.1,48.9,48.9,-52.7,0,0.5,66.7,48.8,2021-06-09,4890.5,2021-06-09',
        '0,sh.600009,26.6,48.85,3,0,3.27,48.85,0.0,48.85,48.85,,0,,66.7,48.85,2021-06-10,0.0000,2021-06-10', // suspended, empty pe/turn
        '100,sh.600009,26.6,49.0,2,1,3.27,48.85,0.1,48.9,48.9,-52.7,0,0.5,66.7,48.8,2021-06-11,4890.5,2021-06-11', // adjusted prices
        '100,sh.600009,26.6,49.0,3,1,3.27,48.85,0.1,,48.9,-52.7,1,0.5,66.7,48.8,2021-06-15,4890.5,2021-06-15', // empty open
      ].join('\n'),
    );
    await writeFile(join(dir, 'sz.000001.csv'), `${HEADER}\n5,sz.000001,1,11,3,1,1,10,1,10,10.5,5,1,1,1,9.9,2021-06-09,52.5,2021-06-09\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('emits raw bars with status flags and valuations; empty cells are null, not 0', async () => {
    const batches = await collect(createBaostockSource(dir).read({ codes: ['SH600009'] }));
    const bars = batches.flatMap((b) => b.bars);
    const vals = batches.flatMap((b) => b.valuations);
    expect(bars.map((b) => [b.date, b.close, b.volume, b.amount, b.preClose, b.traded, b.isST, b.factor])).toEqual([
      ['2021-06-09', 48.9, 100, 4890.5, 48.85, true, false, null],
      ['2021-06-10', 48.85, 0, 0, 48.85, false, false, null],
    ]);
    expect(vals[1]).toMatchObject({ code: 'SH600009', date: '2021-06-10', peTTM: null, turnover: null, pbMRQ: 3.27, psTTM: 26.6, pcfNcfTTM: 66.7 });
    const problems = batches.flatMap((b) => b.problems);
    expect(problems.map((p) => [p.code, p.origin.line])).toEqual([
      ['BAOSTOCK_ADJUSTED', 4],
      ['CSV_BAD_NUMBER', 5],
    ]);
    expect(bars.every((b) => !b.origin.location.endsWith('sz.000001.csv'))).toBe(true);
  });

  it('derives the calendar from the union of dates and lists instruments', async () => {
    const src = createBaostockSource(dir);
    expect(await src.calendar()).toEqual(['2021-06-09', '2021-06-10']);
    expect((await src.instruments()).map((i) => i.code)).toEqual(['SH600009', 'SZ000001']);
  });

  it.skipIf(!existsSync(BAOSTOCK_DIR))('reads the real sh.600000.csv first row as published', async () => {
    const batches = await collect(createBaostockSource(BAOSTOCK_DIR).read({ codes: ['SH600000'], to: '2020-01-02' }));
    expect(batches.flatMap((b) => b.problems)).toEqual([]);
    expect(batches.flatMap((b) => b.bars)).toMatchObject([
      { code: 'SH600000', date: '2020-01-02', open: 12.47, high: 12.64, low: 12.45, close: 12.47, volume: 51629079, amount: 647446166, preClose: 12.37, traded: true, isST: false },
    ]);
    expect(batches.flatMap((b) => b.valuations)).toMatchObject([{ peTTM: 5.994733, pbMRQ: 0.762284, turnover: 0.1837 }]);
  });
});
