import type { FeatureSet, SentimentLexicon, SeriesInput } from '@quant/features';
import { dailySentiment, loadSentimentLexicon, scoreNews, seriesFromBars } from '@quant/features';
import { QuantError } from '@quant/errors';
import { BAR_FIELDS } from './bar-series.mapper';
import type { BarRecord, MarketDataReader, NewsRecord, ValuationRecord } from './market-data.reader';

/** The benchmark index whose close is the market family's `index.close` (CSI300). */
export const DEFAULT_INDEX_CODE = 'SH000300';

/** `valuation.*` inputs and the stored valuation field each one reads. */
export const VALUATION_INPUTS = {
  'valuation.peTTM': 'peTTM',
  'valuation.pbMRQ': 'pbMRQ',
  'valuation.psTTM': 'psTTM',
  'valuation.pcfNcfTTM': 'pcfNcfTTM',
  'valuation.turnover': 'turnover',
} as const satisfies Record<string, keyof ValuationRecord>;

export const SENTIMENT_INPUTS = ['sentiment.score', 'sentiment.count'] as const;
export const INDEX_INPUT = 'index.close';
export const ST_INPUT = 'isst';

/**
 * Inputs the market family reads when present and leaves as NaN columns when absent (see
 * market.calculator.ts). The build provides `valuation.turnover` and `isst` when it can and never
 * provides the breadth and limit overrides (they need the whole universe's series, or knowledge of
 * listing regimes, that a per-instrument build does not have).
 */
const MARKET_OPTIONAL = new Set([
  'valuation.turnover',
  ST_INPUT,
  'limit.up',
  'limit.down',
  'market.advancers_ratio',
  'market.limit_up_count',
  'market.limit_down_count',
]);

/** Pseudo-inputs that are not fields: the session date itself (temporal family). */
const NOT_FIELDS = new Set(['date']);

const BAR_INPUTS = new Set<string>(BAR_FIELDS);

/** What a feature set reads beyond the instrument's bars. */
export interface ExtraInputNeeds {
  /** `index.close` is read. */
  index: boolean;
  /** `valuation.*` inputs read, and whether any of them is required (read by a non-optional column). */
  valuation: string[];
  valuationRequired: boolean;
  /** `sentiment.*` inputs are read. */
  sentiment: boolean;
  /** `isst` is read (optional: filled from the bars' ST flag when known). */
  st: boolean;
  /** Optional inputs the build leaves absent (their columns are NaN). */
  absent: string[];
}

/**
 * Works out the extra inputs of a set from its definitions. An input is optional only when every
 * column reading it is a market column and the market family documents it as optional; an input
 * the build does not know how to obtain is an error naming it and the columns reading it.
 */
export function extraInputNeeds(set: FeatureSet): ExtraInputNeeds {
  const readers = new Map<string, { names: string[]; required: boolean }>();
  for (const d of set.definitions()) {
    for (const input of d.inputs) {
      if (BAR_INPUTS.has(input) || NOT_FIELDS.has(input)) continue;
      const entry = readers.get(input) ?? { names: [], required: false };
      entry.names.push(d.name);
      if (!(d.family === 'market' && MARKET_OPTIONAL.has(input))) entry.required = true;
      readers.set(input, entry);
    }
  }
  const needs: ExtraInputNeeds = { index: false, valuation: [], valuationRequired: false, sentiment: false, st: false, absent: [] };
  for (const [input, entry] of readers) {
    if (input === INDEX_INPUT) needs.index = true;
    else if (input in VALUATION_INPUTS) {
      needs.valuation.push(input);
      if (entry.required) needs.valuationRequired = true;
    } else if ((SENTIMENT_INPUTS as readonly string[]).includes(input)) needs.sentiment = true;
    else if (input === ST_INPUT) needs.st = true;
    else if (!entry.required) needs.absent.push(input);
    else {
      throw new QuantError(
        'FEATURE_INPUT_UNAVAILABLE',
        `set ${set.name} reads the input "${input}" (columns ${entry.names.slice(0, 5).join(', ')}${entry.names.length > 5 ? ', ...' : ''}), which features build cannot provide`,
        { details: { set: set.name, input } },
      );
    }
  }
  needs.valuation.sort();
  needs.absent.sort();
  return needs;
}

export interface ExtraInputsOptions {
  set: FeatureSet;
  market: MarketDataReader;
  /** The whole trading calendar (sentiment lags items to the next session of it). */
  calendar: readonly string[];
  /** Benchmark of `index.close`. Default SH000300. */
  indexCode?: string;
  /** Directory of the sentiment word lists (DEFAULT_LEXICON_FILES under it). */
  lexiconDir?: string;
  /** Instruments of the build: a required input is checked to exist for at least one of them. */
  codes: readonly string[];
  /** Range the build reads (warm-up start to last day). */
  from: string;
  to: string;
}

/** Counts of what was attached, for the build report. */
export interface ExtraInputsStats {
  indexCode: string | null;
  valuationRows: number;
  newsItems: number;
  absent: string[];
}

/**
 * Extends one instrument's bar series with the set's extra inputs, aligned on its sessions:
 * - `index.close`: the index's adjusted close of the same session (NaN where the index has no traded bar);
 * - `valuation.*`: the stored value of that very day, NaN when none (no filling: a family that wants
 *   the last known value does it itself, so stored and streamed values agree);
 * - `sentiment.*`: `dailySentiment` over the stored items, each counting from the first session
 *   strictly after its publication day, never on it;
 * - `isst`: 1/0 from the bars' ST flag where known, NaN otherwise.
 */
export interface ExtraInputs {
  readonly needs: ExtraInputNeeds;
  readonly stats: ExtraInputsStats;
  attach(series: SeriesInput, bars: readonly BarRecord[]): Promise<SeriesInput>;
}

const notProvidable = (set: string, what: string, how: string, details: Record<string, string>): QuantError =>
  new QuantError('FEATURE_INPUT_UNAVAILABLE', `set ${set} needs ${what}: ${how}`, { details: { set, ...details } });

/** Prepares the extra inputs of a build: checks up front that each required one can be provided. */
export async function prepareExtraInputs(options: ExtraInputsOptions): Promise<ExtraInputs> {
  const { set, market, calendar, from, to } = options;
  const needs = extraInputNeeds(set);
  const stats: ExtraInputsStats = { indexCode: null, valuationRows: 0, newsItems: 0, absent: [...needs.absent] };

  let indexClose: Map<string, number> | null = null;
  if (needs.index) {
    const indexCode = options.indexCode ?? DEFAULT_INDEX_CODE;
    const bars = await market.bars(indexCode, from, to);
    if (bars.length === 0) {
      throw notProvidable(
        set.name,
        `the input "${INDEX_INPUT}"`,
        `no bar of the index ${indexCode} is stored in ${from}..${to}; import it with "quant data import" (its bars go in the same store) or choose another index with --index CODE`,
        { input: INDEX_INPUT, index: indexCode },
      );
    }
    const series = seriesFromBars(bars, calendar, indexCode);
    const close = series.fields['close'] as Float64Array;
    indexClose = new Map(series.dates.map((d, i) => [d, close[i] as number]));
    stats.indexCode = indexCode;
  }

  const valuations = market.valuations?.bind(market);
  if (needs.valuation.length > 0 && needs.valuationRequired) {
    const how = 'import valuations with "quant data import --source baostock"';
    if (valuations === undefined) {
      throw notProvidable(set.name, `the inputs ${needs.valuation.join(', ')}`, `this market data reader has no valuations; ${how}`, { input: needs.valuation.join(',') });
    }
    // An empty valuations table is a forgotten import, not a market of NaN: refuse before storing anything.
    if (!(await anyRows(options.codes, (code) => valuations(code, from, to)))) {
      throw notProvidable(set.name, `the inputs ${needs.valuation.join(', ')}`, `no valuation is stored for these instruments in ${from}..${to}; ${how}`, {
        input: needs.valuation.join(','),
      });
    }
  }
  // Optional valuation inputs (market's turnover) come along when the reader has them.
  const readValuations = needs.valuation.length > 0 ? valuations : undefined;
  if (needs.valuation.length > 0 && readValuations === undefined) stats.absent.push(...needs.valuation);

  let lexicon: SentimentLexicon | null = null;
  const news = market.news?.bind(market);
  if (needs.sentiment) {
    const inputs = SENTIMENT_INPUTS.join(', ');
    if (options.lexiconDir === undefined) {
      throw notProvidable(set.name, `the inputs ${inputs}`, 'give the sentiment word lists directory with --lexicons DIR (lexiconDir), e.g. shared/data/lexicons/cn_finance', {
        input: inputs,
      });
    }
    if (news === undefined) {
      throw notProvidable(set.name, `the inputs ${inputs}`, 'this market data reader has no news; import news with "quant data import"', { input: inputs });
    }
    if (!(await anyRows(options.codes, (code) => news(code, '1970-01-01', to)))) {
      throw notProvidable(set.name, `the inputs ${inputs}`, `no news item is stored for these instruments up to ${to}; import news with "quant data import"`, {
        input: inputs,
      });
    }
    lexicon = loadSentimentLexicon(options.lexiconDir);
  }

  return {
    needs,
    stats,
    async attach(series, bars) {
      const n = series.dates.length;
      if (n === 0) return series;
      const fields: Record<string, Float64Array> = { ...series.fields };
      const row = new Map(series.dates.map((d, i) => [d, i]));
      const first = series.dates[0] as string;
      const last = series.dates[n - 1] as string;

      if (indexClose !== null) {
        const col = new Float64Array(n).fill(Number.NaN);
        for (let i = 0; i < n; i++) col[i] = indexClose.get(series.dates[i] as string) ?? Number.NaN;
        fields[INDEX_INPUT] = col;
      }

      if (readValuations !== undefined) {
        const cols = needs.valuation.map(() => new Float64Array(n).fill(Number.NaN));
        const rows = await readValuations(series.code, first, last);
        stats.valuationRows += rows.length;
        for (const v of rows) {
          const i = row.get(v.date);
          if (i === undefined) continue; // a valuation on a non-session day is not a session's input
          needs.valuation.forEach((input, k) => {
            const value = v[VALUATION_INPUTS[input as keyof typeof VALUATION_INPUTS]];
            (cols[k] as Float64Array)[i] = value === null ? Number.NaN : value;
          });
        }
        needs.valuation.forEach((input, k) => {
          fields[input] = cols[k] as Float64Array;
        });
      }

      if (lexicon !== null && news !== undefined) {
        // Items dated from the session before the first one on count from the first session on.
        const lo = sessionAtOrAfter(calendar, first);
        const hi = sessionAtOrAfter(calendar, last);
        const sessions = calendar.slice(Math.max(0, lo - 1), hi + 1);
        const since = lo > 0 ? (calendar[lo - 1] as string) : '1970-01-01';
        const items = await news(series.code, since, last);
        stats.newsItems += items.length;
        const daily = dailySentiment(scoreNews(items.map(newsText), lexicon), sessions);
        const offset = daily.dates.indexOf(first);
        for (const input of SENTIMENT_INPUTS) fields[input] = daily.fields[input].slice(offset, offset + n);
      }

      if (needs.st) {
        let known = false;
        const col = new Float64Array(n).fill(Number.NaN);
        for (const b of bars) {
          const i = row.get(b.date);
          if (i === undefined || b.isST === null || b.isST === undefined) continue;
          col[i] = b.isST ? 1 : 0;
          known = true;
        }
        if (known) fields[ST_INPUT] = col;
      }
      return { code: series.code, dates: series.dates, fields };
    },
  };
}

/** The headline and the body, once each (a source without a body repeats the headline as text). */
function newsText(item: NewsRecord): { publishedDate: string; text: string } {
  const text = item.title && item.title !== item.text ? `${item.title}\n${item.text}` : item.text;
  return { publishedDate: item.publishedDate, text };
}

function sessionAtOrAfter(calendar: readonly string[], date: string): number {
  let lo = 0;
  let hi = calendar.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((calendar[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True once one instrument has a row: stops at the first, so a filled store costs one read. */
async function anyRows(codes: readonly string[], read: (code: string) => Promise<readonly unknown[]>): Promise<boolean> {
  for (const code of codes) if ((await read(code)).length > 0) return true;
  return false;
}
