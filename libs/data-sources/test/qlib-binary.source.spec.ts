import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBatch, SourceProblem } from '../src/data-source.port';
import { createQlibSource, toFloat32 } from '../src/qlib-binary.source';

const DAYS = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11'];

function bin(start: number, values: number[], extraBytes = 0): Buffer {
  const b = Buffer.alloc((values.length + 1) * 4 + extraBytes);
  b.writeFloatLE(start, 0);
  values.forEach((v, i) => b.writeFloatLE(v, (i + 1) * 4));
  return b;
}

async function instrument(root: string, dirName: string, fields: Record<string, Buffer | undefined>): Promise<void> {
  const d = join(root, 'features', dirName);
  await mkdir(d, { recursive: true });
  for (const [f, b] of Object.entries(fields)) if (b) await writeFile(join(d, `${f}.day.bin`), b);
}

async function readAll(root: string, options = {}): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of createQlibSource(root).read(options)) out.push(b);
  return out;
}

const flat = (batches: SourceBatch[]) => ({ bars: batches.flatMap((b) => b.bars), problems: batches.flatMap((b) => b.problems) });
const codesOf = (ps: SourceProblem[]) => ps.map((p) => p.code).sort();

describe('Qlib binary source', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'qlib-src-'));
    await mkdir(join(root, 'calendars'), { recursive: true });
    await mkdir(join(root, 'instruments'), { recursive: true });
    await writeFile(join(root, 'calendars', 'day.txt'), DAYS.join('\n') + '\n');
    await writeFile(join(root, 'instruments', 'idx.txt'), 'SH600000\t2024-01-02\t2024-01-05\nSHT00018\t2024-01-02\t2024-01-03\nsz000001\t2024-01-08\t2024-01-11\n');
    // Fields with different starts and lengths, aligned by date. Back-adjusted prices = raw x 2.
    await instrument(root, 'SH600000', {
      close: bin(1, [NaN, 20, 22, NaN, 24, 26]), // idx1 leading pad, idx4 hole
      open: bin(2, [20, 22, 23, 24, 26]),
      high: bin(1, [NaN, 21, 23, 23, 25, 27]),
      low: bin(1, [NaN, 19, 21, 21, 23, 25]),
      factor: bin(1, [2, 2, 2, 2, 0, 2]), // idx5 factor 0
      volume: bin(1, [0, 100, 0, NaN, 5, NaN]),
      change: undefined,
    });
    await instrument(root, 'SZ000001', {
      close: bin(0, [10, 11, 12], 2), // 2 stray bytes: truncated
      open: bin(0, [10, 11, 12]),
      high: bin(0, [10, 11]), // ends a day early
      low: bin(0, [10, 11, 12]),
      factor: bin(0, [1, 1, 1]),
      volume: bin(0, [1, 2, 3]),
    });
    await instrument(root, 'SZ000002', {
      close: bin(0, [1]),
      open: bin(99, [1]), // start index outside the calendar
      high: bin(0, [1]),
      low: bin(0, [1]),
      factor: bin(0, [1]),
      volume: bin(0, [1]),
    });
    await instrument(root, 'SZ000004', { close: bin(0, [1]), open: bin(0, [1]), high: bin(0, [1]), low: bin(0, [1]), factor: bin(0, [1]) });
    await instrument(root, 'SZ000005', {
      close: bin(6, [5, 6, 7, 8]), // two values beyond the last calendar day
      open: bin(6, [5, 6, 7, 8]),
      high: bin(6, [5, 6, 7, 8]),
      low: bin(6, [5, 6, 7, 8]),
      factor: bin(6, [1, 1, 1, 1]),
      volume: bin(6, [1, 1, 1, 1]),
    });
    await mkdir(join(root, 'features', 'not_a_code'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('emits raw prices aligned by date, volume 0 and null kept, holes and bad factors as problems', async () => {
    const { bars, problems } = flat(await readAll(root, { codes: ['SH600000'] }));
    expect(bars.map((b) => [b.date, b.open, b.high, b.low, b.close, b.volume, b.factor])).toEqual([
      ['2024-01-04', 10, 10.5, 9.5, 10, 100, 2],
      ['2024-01-05', 11, 11.5, 10.5, 11, 0, 2],
      ['2024-01-10', 13, 13.5, 12.5, 13, null, 2],
    ]);
    expect(bars[0]!.origin).toEqual({ source: 'qlib', location: join(root, 'features', 'SH600000', 'close.day.bin'), offset: 8 });
    expect(bars[0]!.amount).toBeNull();
    const nan = problems.find((p) => p.code === 'BIN_NAN_CLOSE')!;
    expect(nan.origin.offset).toBe(16);
    expect(nan.message).toContain('2024-01-08');
    const factor = problems.find((p) => p.code === 'BIN_BAD_FACTOR')!;
    expect(factor.origin).toMatchObject({ location: join(root, 'features', 'SH600000', 'factor.day.bin'), offset: 20 });
    expect(codesOf(problems)).toEqual(['BIN_BAD_FACTOR', 'BIN_NAN_CLOSE']); // the leading NaN is padding
  });

  it('reads what a truncated file still holds and reports each defect with file and offset', async () => {
    const { bars, problems } = flat(await readAll(root, { codes: ['SZ000001', 'SZ000002', 'SZ000004', 'SZ000005'] }));
    expect(bars.filter((b) => b.code === 'SZ000001').map((b) => b.date)).toEqual(['2024-01-02', '2024-01-03']);
    expect(bars.filter((b) => b.code === 'SZ000005').map((b) => b.date)).toEqual(['2024-01-10', '2024-01-11']);
    expect(bars.some((b) => b.code === 'SZ000002' || b.code === 'SZ000004')).toBe(false);
    expect(codesOf(problems)).toEqual([
      ...Array<string>(6).fill('BIN_BEYOND_CALENDAR'), // one per field file of SZ000005
      'BIN_FIELD_MISSING',
      'BIN_START_OUT_OF_RANGE',
      'BIN_TRUNCATED',
      'BIN_VALUE_MISSING',
      'INSTRUMENT_UNREADABLE',
      'INSTRUMENT_UNREADABLE',
    ]);
    const trunc = problems.find((p) => p.code === 'BIN_TRUNCATED')!;
    expect(trunc.origin).toMatchObject({ location: join(root, 'features', 'SZ000001', 'close.day.bin'), offset: 16 });
    expect(problems.find((p) => p.code === 'BIN_VALUE_MISSING')!.message).toMatch(/high is absent/);
    const beyond = problems.find((p) => p.code === 'BIN_BEYOND_CALENDAR' && p.origin.location.endsWith('close.day.bin'))!;
    expect(beyond.origin.offset).toBe(12);
    expect(beyond.message).toMatch(/2 value\(s\)/);
    expect(problems.find((p) => p.code === 'BIN_FIELD_MISSING')!.origin.location).toBe(join(root, 'features', 'SZ000004', 'volume.day.bin'));
  });

  it('filters by date range and reports folders that are not codes and codes that are absent', async () => {
    const { bars, problems } = flat(await readAll(root, { from: '2024-01-05', to: '2024-01-10' }));
    expect(bars.every((b) => b.date >= '2024-01-05' && b.date <= '2024-01-10')).toBe(true);
    expect(problems.some((p) => p.code === 'CODE_UNKNOWN' && p.origin.location.endsWith('not_a_code'))).toBe(true);
    const missing = flat(await readAll(root, { codes: ['600519.SH'] })).problems;
    expect(missing.map((p) => p.code)).toEqual(['INSTRUMENT_NOT_FOUND']);
  });

  it('yields one batch per instrument', async () => {
    const batches = await readAll(root);
    expect(batches.filter((b) => b.bars.length > 0).map((b) => b.bars[0]!.code)).toEqual(['SH600000', 'SZ000001', 'SZ000005']);
  });

  it('lists instruments and the calendar', async () => {
    const src = createQlibSource(root);
    expect(await src.calendar()).toEqual(DAYS);
    const infos = await src.instruments();
    expect(infos.find((i) => i.code === 'SH600000')).toEqual({ code: 'SH600000', firstDate: '2024-01-03', lastDate: '2024-01-10', name: null });
  });

  it('reads universes point in time and reports lines with a code that is no code', async () => {
    const problems: SourceProblem[] = [];
    const spells = await createQlibSource(root).universe('idx', (p) => problems.push(p));
    expect(spells).toEqual([
      { code: 'SH600000', start: '2024-01-02', end: '2024-01-05' },
      { code: 'SZ000001', start: '2024-01-08', end: '2024-01-11' },
    ]);
    expect(problems).toMatchObject([{ code: 'CODE_UNKNOWN', origin: { line: 2 }, raw: 'SHT00018\t2024-01-02\t2024-01-03' }]);
    await expect(createQlibSource(root).universe('csi9999')).rejects.toThrow(/no universe "csi9999".*found: idx/);
    await expect(createQlibSource(root).universe('../x')).rejects.toThrow(/may only hold/);
  });

  it('fails clearly on a broken calendar or a missing directory', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'qlib-bad-'));
    await mkdir(join(bad, 'calendars'));
    await writeFile(join(bad, 'calendars', 'day.txt'), '2024-01-02\n2024-13-01\n');
    await expect(createQlibSource(bad).calendar()).rejects.toThrow(/day\.txt:2: "2024-13-01" is not a date/);
    await writeFile(join(bad, 'calendars', 'day.txt'), '2024-01-03\n2024-01-02\n');
    await expect(createQlibSource(bad).calendar()).rejects.toThrow(/does not come after/);
    await rm(bad, { recursive: true, force: true });
    await expect(createQlibSource(join(tmpdir(), 'no-such-qlib-dir')).calendar()).rejects.toThrow(/not found/);
  });

  it('copies unaligned buffers instead of building a misaligned view', () => {
    const backing = Buffer.alloc(13);
    backing.writeFloatLE(1.5, 1);
    backing.writeFloatLE(-2, 5);
    backing.writeFloatLE(3.25, 9);
    const view = toFloat32(backing.subarray(1), 12);
    expect([...view]).toEqual([1.5, -2, 3.25]);
  });
});
