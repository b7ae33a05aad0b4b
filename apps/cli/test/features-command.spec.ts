// quant features build|export on a chdb store seeded with a few bars, with a stand-in feature set.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import { openStore } from '@quant/storage';
import type { CliContext } from '../src/commands/command-module';
import type { CommandModule } from '../src/commands/command-module';
import { createFeaturesCommand, featuresCommand } from '../src/commands/features.command';
import { standInFeatureSet } from '@quant/testing';
import { DEFAULT_LEXICON_FILES } from '@quant/features';

const standInSet = standInFeatureSet;

const calendar = ['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08', '2021-01-11'];
let dir: string;
let storeDir: string;

function storedBar(code: string, i: number, close: number, traded = true): StoredBar {
  const date = calendar[i] as string;
  return {
    code, date, open: close, high: close, low: close, close, volume: traded ? 100 : 0, amount: null, factor: 2,
    traded, isST: false, flags: [], source: 'test', eventId: `bar:test:${code}:${date}`, ingestedAt: Date.UTC(2021, 0, 1),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-features-cli-'));
  storeDir = join(dir, 'store');
  const store = await openStore(storeDir);
  const market = new MarketDataRepository(store);
  // Market data first, features afterwards (as a user would): the shared ledger must allow it.
  await market.migrate();
  await market.saveCalendar('CN', calendar, 'test');
  await market.saveInstruments([{ code: 'SH600000', firstDate: calendar[0] as string, lastDate: calendar[5] as string }, { code: 'SZ000001', firstDate: calendar[2] as string, lastDate: calendar[5] as string }], 'test');
  await market.insertBars([
    ...[1, 2, 3, 4, 5, 6].map((c, i) => storedBar('SH600000', i, c, i !== 3)),
    ...[10, 11, 12, 13].map((c, k) => storedBar('SZ000001', k + 2, c)),
  ]);
  await store.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The program with only this module, failing the way runCli does (exit code, one line on stderr). */
async function quant(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return run(
    createFeaturesCommand(async (name) => {
      if (name !== 'stand-in') throw new QuantError('ARGUMENT_INVALID', `--set "${name}" is not a feature set; known sets: stand-in`);
      return standInSet;
    }),
    args,
  );
}

/** Runs `quant` with only this module through runCli (its exit codes and error lines), capturing output. */
async function run(module: CommandModule, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const context = { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } } as unknown as CliContext;
  const code = await runCli(['node', 'quant', ...args], context, [module]);
  return { code, out: out.join(''), err: err.join('') };
}

describe('quant features', () => {
  it('export refuses rows the store lacks, names them and suggests build, leaving no file', async () => {
    const out = join(dir, 'missing.csv');
    const r = await quant('features', 'export', '--set', 'stand-in', '--codes', 'SH600000', '--from', '2021-01-04', '--to', '2021-01-11', '--out', out, '--store', storeDir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[FEATURES_MISSING]');
    expect(r.err).toContain('SH600000: 6 of 6 days (2021-01-04, 2021-01-05, 2021-01-06, 2021-01-07, 2021-01-08, ...)');
    expect(r.err).toContain('quant features build --set stand-in --codes SH600000 --from 2021-01-04 --to 2021-01-11');
    expect(existsSync(out)).toBe(false);
  });

  it('build stores the range and prints a JSON summary', async () => {
    const r = await quant('features', 'build', '--set', 'stand-in', '--codes', 'sh600000,000001.SZ', '--from', '2021-01-05', '--to', '2021-01-11', '--store', storeDir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ set: 'stand-in', version: 'v1', columns: 2, instruments: 2, rows: 5 + 4, from: '2021-01-05', to: '2021-01-11' });
  });

  it('export writes code,date and the columns by name, an empty cell for a missing value', async () => {
    const out = join(dir, 'nested', 'features.csv');
    const r = await quant('features', 'export', '--set', 'stand-in', '--codes', 'SH600000,SZ000001', '--from', '2021-01-06', '--to', '2021-01-08', '--out', out, '--store', storeDir);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ rows: 6, columns: 2, codes: 2 });
    // Adjusted close = raw x 2; MEAN3 from the warm-up day before --from; 2021-01-07 did not trade.
    expect(readFileSync(out, 'utf8')).toBe(
      [
        'code,date,CLOSE,MEAN3',
        'SH600000,2021-01-06,6,4',
        'SH600000,2021-01-07,,5',
        'SH600000,2021-01-08,10,8',
        'SZ000001,2021-01-06,20,20',
        'SZ000001,2021-01-07,22,21',
        'SZ000001,2021-01-08,24,22',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [['features', 'build', '--set', 'stand-in', '--to', '2021-01-08'], "required option '--from <date>' not specified"],
    [['features', 'build', '--set', 'stand-in', '--from', '2021-13-01', '--to', '2021-01-08', '--store', 'x'], '[DATE_INVALID]: --from "2021-13-01" is not a calendar date'],
    [['features', 'build', '--set', 'stand-in', '--from', '2021-01-08', '--to', '2021-01-04', '--store', 'x'], '[ARGUMENT_INVALID]: --from 2021-01-08 is after --to 2021-01-04'],
    [['features', 'build', '--set', 'nope', '--from', '2021-01-04', '--to', '2021-01-08', '--store', 'x'], '--set "nope" is not a feature set'],
    [['features', 'export', '--set', 'stand-in', '--codes', ',', '--from', '2021-01-04', '--to', '2021-01-08', '--out', 'x.csv', '--store', 'x'], '--codes needs at least one instrument code'],
  ])('refuses bad flags %j', async (args, message) => {
    const r = await quant(...args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
  });

  it('export refuses an instrument without bars', async () => {
    const r = await quant('features', 'export', '--set', 'stand-in', '--codes', 'SH600001', '--from', '2021-01-04', '--to', '2021-01-08', '--out', join(dir, 'x.csv'), '--store', storeDir);
    expect(r.err).toContain('[INSTRUMENT_UNKNOWN]: no bars stored for SH600001');
  });

  it('builds and exports the real Alpha158 with Qlib column names', async () => {
    const built = await run(featuresCommand, ['features', 'build', '--set', 'alpha158', '--codes', 'SZ000001', '--from', '2021-01-06', '--to', '2021-01-11', '--store', storeDir]);
    expect(JSON.parse(built.out)).toMatchObject({ set: 'alpha158', columns: 158, rows: 4 });
    const out = join(dir, 'alpha158.csv');
    const exported = await run(featuresCommand, ['features', 'export', '--set', 'alpha158', '--codes', 'SZ000001', '--from', '2021-01-06', '--to', '2021-01-11', '--out', out, '--store', storeDir]);
    expect(exported.err).toBe('');
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header?.split(',').slice(0, 4)).toEqual(['code', 'date', 'KMID', 'KLEN']);
    expect(header?.split(',')).toHaveLength(160);
    expect(header?.split(',')).toContain('VSUMD60');
    expect(lines).toHaveLength(4);
  });

  it('names the known sets for an unknown --set', async () => {
    const r = await run(featuresCommand, ['features', 'build', '--set', 'nope', '--from', '2021-01-04', '--to', '2021-01-08', '--store', storeDir]);
    expect(r.err).toMatch(/--set "nope" is not a feature set; known sets: .*alpha158/);
  });
});

describe('quant features build with inputs beyond the bars', () => {
  let richStore: string;
  let lexicons: string;
  const day = (i: number) => calendar[i] as string;

  beforeAll(async () => {
    richStore = join(dir, 'rich-store');
    const store = await openStore(richStore);
    const market = new MarketDataRepository(store);
    await market.migrate();
    await market.saveCalendar('CN', calendar, 'test');
    await market.saveInstruments([{ code: 'SH600000', firstDate: day(0), lastDate: day(5) }], 'test');
    await market.insertBars([...[1, 2, 3, 4, 5, 6].map((c, i) => storedBar('SH600000', i, c)), ...[40, 41, 39, 42, 43, 44].map((c, i) => storedBar('SH000300', i, c))]);
    const valuation = (i: number, pe: number | null, ingestedAt = Date.UTC(2021, 0, 1)) => ({
      code: 'SH600000', date: day(i), peTTM: pe, pbMRQ: 2, psTTM: 4, pcfNcfTTM: 5, turnover: 1.5,
      totalMarketValue: null, circulatingMarketValue: null, source: 'test', eventId: `val:${i}`, ingestedAt,
    });
    // Day 2 is stored twice: the later ingestion wins (FINAL); day 3 has none.
    await market.insertValuations([valuation(0, 10), valuation(1, 20), valuation(2, 40), valuation(4, null), valuation(5, 8)]);
    await market.insertValuations([valuation(2, 25, Date.UTC(2021, 0, 2))]);
    const news = (id: string, date: string, text: string) => ({
      id, code: 'SH600000', publishedDate: date, publishedAt: null, title: null, text, label: null, source: 'test', ingestedAt: Date.UTC(2021, 0, 1),
    });
    // One item on session 2 (counts on session 3), one on Saturday 2021-01-09 (counts on 2021-01-11).
    await market.insertNews([news('a', day(2), '上涨'), news('b', '2021-01-09', '亏损'), news('c', day(2), '上涨')]);
    await store.close();
    lexicons = join(dir, 'lexicons');
    for (const [rel, word] of [[DEFAULT_LEXICON_FILES.positive[0], '上涨'], [DEFAULT_LEXICON_FILES.positive[1], '利好'], [DEFAULT_LEXICON_FILES.negative[0], '亏损'], [DEFAULT_LEXICON_FILES.negative[1], '下跌']] as const) {
      mkdirSync(join(lexicons, rel, '..'), { recursive: true });
      writeFileSync(join(lexicons, rel), `${word}\n`);
    }
  });

  const build = (...args: string[]) =>
    run(featuresCommand, ['features', 'build', '--codes', 'SH600000', '--from', day(0), '--to', day(5), '--store', richStore, ...args]);
  const exported = async (set: string, columns: string[]): Promise<string[][]> => {
    const out = join(dir, `${set}.csv`);
    const r = await run(featuresCommand, ['features', 'export', '--set', set, '--codes', 'SH600000', '--from', day(0), '--to', day(5), '--out', out, '--store', richStore]);
    expect(r.err).toBe('');
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    const index = columns.map((c) => header?.split(',').indexOf(c) as number);
    expect(index.every((i) => i >= 2)).toBe(true);
    return lines.map((l) => index.map((i) => l.split(',')[i] as string));
  };

  it('fundamental: the stored valuation of each day, latest version, empty where none', async () => {
    const r = await build('--set', 'fundamental');
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ set: 'fundamental', rows: 6, inputs: { valuationRows: 5 } });
    const ep = (await exported('fundamental', ['EP'])).map(([v]) => (v === '' ? NaN : Math.fround(Number(v))));
    expect(ep).toEqual([1 / 10, 1 / 20, 1 / 25, NaN, NaN, 1 / 8].map(Math.fround));
  });

  it('market: reads the index named by --index, refuses one without bars', async () => {
    const r = await build('--set', 'market', '--index', 'sh.000300');
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ rows: 6, inputs: { indexCode: 'SH000300' } });
    const idx = (await exported('market', ['IDX_RET1'])).map(([v]) => v);
    expect(Math.fround(Number(idx[1]))).toBe(Math.fround(41 / 40 - 1));
    const missing = await build('--set', 'market', '--index', 'SZ399001');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\[FEATURE_INPUT_UNAVAILABLE\].*SZ399001.*--index CODE/);
  });

  it('sentiment: needs --lexicons; a news item counts from the next session on', async () => {
    const missing = await build('--set', 'sentiment');
    expect(missing.err).toMatch(/\[FEATURE_INPUT_UNAVAILABLE\].*--lexicons DIR/);
    const r = await build('--set', 'sentiment', '--lexicons', lexicons);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ rows: 6, inputs: { newsItems: 3 } });
    const rows = await exported('sentiment', ['NEWS_COUNT', 'SENT_SCORE']);
    expect(rows).toEqual([['0', ''], ['0', ''], ['0', ''], ['2', '0.5'], ['0', ''], ['1', '-0.5']]);
  });
});
