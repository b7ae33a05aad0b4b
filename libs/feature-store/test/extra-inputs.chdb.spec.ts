// buildFeatures for sets reading inputs beyond the bars (index, valuations, news), on embedded chdb.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureSet, SeriesInput } from '@quant/features';
import { DEFAULT_LEXICON_FILES, createFundamentalCalculator, createMarketCalculator, createSentimentCalculator, familySet } from '@quant/features';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import { barsToSeries } from '../src/bar-series.mapper';
import { extraInputNeeds } from '../src/extra-inputs.loader';
import { buildFeatures } from '../src/feature-build.job';
import { FeatureRepository } from '../src/feature.repository';
import type { BarRecord, NewsRecord, ValuationRecord } from '../src/market-data.reader';
import { MemoryMarketData, bar, weekdays } from './stand-in.fixture';

/** The memory reader plus stored valuations and news, as MarketDataRepository serves them. */
class RichMarketData extends MemoryMarketData {
  constructor(
    calendarDays: string[],
    barsByCode: Map<string, BarRecord[]>,
    public valuationRows: ValuationRecord[] = [],
    public newsRows: NewsRecord[] = [],
  ) {
    super(calendarDays, barsByCode);
  }

  async valuations(code: string, from: string, to: string): Promise<ValuationRecord[]> {
    return this.valuationRows.filter((v) => v.code === code && v.date >= from && v.date <= to);
  }

  async news(code: string, from: string, to: string): Promise<NewsRecord[]> {
    return this.newsRows.filter((n) => n.code === code && n.publishedDate >= from && n.publishedDate <= to);
  }
}

const fundamental = familySet('fundamental', [createFundamentalCalculator()]);
const market = familySet('market', [createMarketCalculator()]);
const sentiment = familySet('sentiment', [createSentimentCalculator()]);

let dir: string;
let store: Store;
let repo: FeatureRepository;
let lexiconDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-extra-inputs-'));
  store = await openStore(join(dir, 'store'), { database: 'extra_inputs_test' });
  repo = new FeatureRepository(store);
  await repo.migrate();
  lexiconDir = join(dir, 'lexicons');
  const write = (rel: string, words: string[]) => {
    mkdirSync(dirname(join(lexiconDir, rel)), { recursive: true });
    writeFileSync(join(lexiconDir, rel), `${words.join('\n')}\n`);
  };
  write(DEFAULT_LEXICON_FILES.positive[0], ['上涨', '增长']);
  write(DEFAULT_LEXICON_FILES.positive[1], ['利好']);
  write(DEFAULT_LEXICON_FILES.negative[0], ['亏损']);
  write(DEFAULT_LEXICON_FILES.negative[1], ['下跌']);
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const calendar = weekdays(40);
const CODE = 'SH600000';
// Suspended on session 12; closes move both ways so every window statistic is non-trivial.
const stockBars = calendar.map((d, i) =>
  bar(CODE, d, 10 + Math.sin(i / 3) * 2 + i * 0.05, { amount: 1e5, volume: 1000 + 37 * i, isST: false, ...(i === 12 ? { volume: 0, traded: false } : {}) }),
);
const indexBars = calendar.map((d, i) => bar('SH000300', d, 4000 + Math.cos(i / 4) * 80, { factor: 1 }));
const from = calendar[8] as string;
const to = calendar[39] as string;

/** Stored rows of [from, to] equal the calculator's batch over the hand-made input, as Float32 (the store's text is Float32's shortest). */
async function expectStoredEqual(set: FeatureSet, input: SeriesInput): Promise<void> {
  const expected = set.calculators.flatMap((c) => c.batch(input));
  const rows = await repo.read(set.name, set.version, [CODE], from, to);
  expect(rows.map((r) => r.date)).toEqual(input.dates.filter((d) => d >= from && d <= to));
  let finite = 0;
  for (const r of rows) {
    const i = input.dates.indexOf(r.date);
    for (let j = 0; j < expected.length; j++) {
      const e = (expected[j] as Float64Array)[i] as number;
      if (Number.isFinite(e)) {
        expect(Math.fround(r.values[j] as number), `${set.definitions()[j]?.name} on ${r.date}`).toBe(Math.fround(e));
        finite++;
      } else expect(r.values[j], `${set.definitions()[j]?.name} on ${r.date}`).toBeNaN();
    }
  }
  expect(finite).toBeGreaterThan(rows.length); // the comparison is not NaN against NaN
}

const column = (values: number[]): Float64Array => Float64Array.from(values);

describe('extraInputNeeds', () => {
  it('separates required, optional and absent inputs by family', () => {
    expect(extraInputNeeds(fundamental)).toMatchObject({ index: false, valuationRequired: true, sentiment: false });
    const m = extraInputNeeds(market);
    expect(m).toMatchObject({ index: true, valuation: ['valuation.turnover'], valuationRequired: false, st: true });
    expect(m.absent).toEqual(['limit.down', 'limit.up', 'market.advancers_ratio', 'market.limit_down_count', 'market.limit_up_count']);
    expect(extraInputNeeds(sentiment)).toMatchObject({ sentiment: true, index: false, valuation: [] });
  });

  it('refuses a required input it cannot obtain, naming it', () => {
    const odd: FeatureSet = {
      name: 'odd',
      version: 'v1',
      calculators: [],
      definitions: () => [{ name: 'X', family: 'technical', formula: '$foo', inputs: ['close', 'foo.bar'], warmup: 1 }],
    };
    expect(() => extraInputNeeds(odd)).toThrow(/"foo\.bar".*columns X/);
  });
});

describe('buildFeatures with extra inputs', () => {
  it('fundamental: valuation of day T on day T only, NaN where none (no filling)', async () => {
    const valuations: ValuationRecord[] = [];
    calendar.forEach((d, i) => {
      if (i % 7 === 3) return; // days without a stored valuation
      valuations.push({
        code: CODE,
        date: d,
        peTTM: i === 20 ? null : 12 + i * 0.3,
        pbMRQ: 1.5 - i * 0.01,
        psTTM: i % 5 === 0 ? 0 : 2 + Math.sin(i),
        pcfNcfTTM: -8 + i,
        turnover: 0.5 + (i % 4) * 0.2,
      });
    });
    valuations.push({ code: CODE, date: '2021-01-09', peTTM: 99, pbMRQ: 99, psTTM: 99, pcfNcfTTM: 99, turnover: 99 }); // a Saturday
    valuations.push({ code: 'SZ000001', date: calendar[5] as string, peTTM: 1, pbMRQ: 1, psTTM: 1, pcfNcfTTM: 1, turnover: 1 });
    const reader = new RichMarketData(calendar, new Map([[CODE, stockBars]]), valuations);
    const report = await buildFeatures({ store, market: reader, set: fundamental, codes: [CODE], from, to });
    expect(report).toMatchObject({ instruments: 1, rows: 32, inputs: { valuationRows: valuations.length - 1, indexCode: null } });

    // Hand-aligned: by session index, the same rule the data was made with.
    const byIndex = (pick: (i: number) => number): Float64Array => column(calendar.map((_, i) => (i % 7 === 3 ? NaN : pick(i))));
    const input: SeriesInput = {
      ...barsToSeries(CODE, stockBars, calendar),
      fields: {
        ...barsToSeries(CODE, stockBars, calendar).fields,
        'valuation.peTTM': byIndex((i) => (i === 20 ? NaN : 12 + i * 0.3)),
        'valuation.pbMRQ': byIndex((i) => 1.5 - i * 0.01),
        'valuation.psTTM': byIndex((i) => (i % 5 === 0 ? 0 : 2 + Math.sin(i))),
        'valuation.pcfNcfTTM': byIndex((i) => -8 + i),
        'valuation.turnover': byIndex((i) => 0.5 + (i % 4) * 0.2),
      },
    };
    await expectStoredEqual(fundamental, input);
  });

  it('market: index.close is the index adjusted close of the same session, isst from the bars', async () => {
    // The index misses one session: NaN there, never the previous close.
    const index = indexBars.filter((_, i) => i !== 17);
    const reader = new RichMarketData(calendar, new Map([[CODE, stockBars], ['SH000300', index]]));
    const report = await buildFeatures({ store, market: reader, set: market, codes: [CODE], from, to });
    expect(report.inputs).toMatchObject({ indexCode: 'SH000300', valuationRows: 0 });
    const base = barsToSeries(CODE, stockBars, calendar);
    const input: SeriesInput = {
      ...base,
      fields: {
        ...base.fields,
        'index.close': column(calendar.map((_, i) => (i === 17 ? NaN : Math.fround(4000 + Math.cos(i / 4) * 80)))),
        'valuation.turnover': column(calendar.map(() => NaN)),
        isst: column(calendar.map(() => 0)),
      },
    };
    await expectStoredEqual(market, input);
  });

  it('sentiment: items count from the session after their publication day, end to end', async () => {
    const news: NewsRecord[] = [
      { code: CODE, publishedDate: calendar[9] as string, title: null, text: '业绩上涨' }, // 1 pos: 1/2
      { code: CODE, publishedDate: calendar[9] as string, title: '利好', text: '收入增长但亏损' }, // 2 pos 1 neg: 1/4
      { code: CODE, publishedDate: '2021-01-23', title: null, text: '股价下跌' }, // Saturday after session 14: -1/2 on session 15
      { code: CODE, publishedDate: calendar[25] as string, title: null, text: '无关新闻' }, // no listed word: 0
      { code: CODE, publishedDate: calendar[39] as string, title: null, text: '上涨' }, // the last day: not usable yet
      { code: 'SZ000001', publishedDate: calendar[20] as string, title: null, text: '上涨' },
    ];
    expect(calendar[14]! < '2021-01-23' && calendar[15]! > '2021-01-23').toBe(true);
    const reader = new RichMarketData(calendar, new Map([[CODE, stockBars]]), [], news);
    const report = await buildFeatures({ store, market: reader, set: sentiment, codes: [CODE], from, to, lexiconDir });
    expect(report.inputs.newsItems).toBe(5);
    const score = calendar.map(() => NaN);
    const count = calendar.map(() => 0);
    score[10] = (0.5 + 0.25) / 2;
    count[10] = 2;
    score[15] = -0.5;
    count[15] = 1;
    score[26] = 0;
    count[26] = 1;
    const base = barsToSeries(CODE, stockBars, calendar);
    const input: SeriesInput = { ...base, fields: { ...base.fields, 'sentiment.score': column(score), 'sentiment.count': column(count) } };
    await expectStoredEqual(sentiment, input);

    // A new item dated session 30 changes nothing on session 30, and changes session 31.
    const before = await repo.read(sentiment.name, sentiment.version, [CODE], from, to);
    reader.newsRows.push({ code: CODE, publishedDate: calendar[30] as string, title: null, text: '亏损' });
    await buildFeatures({ store, market: reader, set: { ...sentiment, name: 'sentiment-after' }, codes: [CODE], from, to, lexiconDir });
    const after = await repo.read('sentiment-after', sentiment.version, [CODE], from, to);
    const on = (rows: typeof before, d: string) => [...(rows.find((r) => r.date === d)?.values ?? [])];
    for (let i = 8; i <= 30; i++) expect(on(after, calendar[i] as string)).toEqual(on(before, calendar[i] as string));
    expect(on(after, calendar[31] as string)).not.toEqual(on(before, calendar[31] as string));
    expect(on(after, calendar[31] as string)[3]).toBe(1); // NEWS_COUNT
  });

  it('refuses a set whose input cannot be provided, naming it and how to provide it, and stores nothing', async () => {
    const plain = new MemoryMarketData(calendar, new Map([[CODE, stockBars]]));
    const named = (set: FeatureSet, name: string): FeatureSet => ({ ...set, name });
    await expect(buildFeatures({ store, market: plain, set: named(market, 'no-index'), codes: [CODE], from, to })).rejects.toMatchObject({
      code: 'FEATURE_INPUT_UNAVAILABLE',
      message: expect.stringMatching(/index\.close.*SH000300.*--index CODE/),
    });
    await expect(buildFeatures({ store, market: plain, set: named(market, 'no-index'), codes: [CODE], from, to, indexCode: 'SZ399001' })).rejects.toThrow(/SZ399001/);
    await expect(buildFeatures({ store, market: plain, set: named(fundamental, 'no-val'), codes: [CODE], from, to })).rejects.toThrow(
      /valuation\.peTTM.*quant data import --source baostock/,
    );
    const empty = new RichMarketData(calendar, new Map([[CODE, stockBars]]), [{ code: 'SZ000001', date: from, peTTM: 1, pbMRQ: 1, psTTM: 1, pcfNcfTTM: 1, turnover: 1 }]);
    await expect(buildFeatures({ store, market: empty, set: named(fundamental, 'no-val'), codes: [CODE], from, to })).rejects.toThrow(
      /no valuation is stored.*quant data import --source baostock/,
    );
    await expect(buildFeatures({ store, market: empty, set: named(sentiment, 'no-lex'), codes: [CODE], from, to })).rejects.toThrow(/--lexicons DIR/);
    await expect(buildFeatures({ store, market: empty, set: named(sentiment, 'no-lex'), codes: [CODE], from, to, lexiconDir })).rejects.toThrow(/no news item/);
    for (const [name, set] of [['no-index', market], ['no-val', fundamental], ['no-lex', sentiment]] as const) {
      expect(await repo.columns(name, set.version)).toBeNull();
    }
  });
});
