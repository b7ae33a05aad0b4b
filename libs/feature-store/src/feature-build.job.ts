import type { FeatureSet } from '@quant/features';
import { QuantError } from '@quant/errors';
import { assertIsoDate, sessionMembership } from '@quant/market';
import type { Store } from '@quant/storage';
import { barsToSeries } from './bar-series.mapper';
import { prepareExtraInputs } from './extra-inputs.loader';
import type { ExtraInputsStats } from './extra-inputs.loader';
import type { FeatureRow } from './feature.repository';
import { FEATURE_INSERT_ROWS, FeatureRepository } from './feature.repository';
import type { MarketDataReader } from './market-data.reader';

export interface BuildFeaturesOptions {
  /** The store the features are written to (migrated by the caller, see FeatureRepository.migrate). */
  store: Store;
  /** Bars, calendar and universes (a MarketDataRepository in production). */
  market: MarketDataReader;
  set: FeatureSet;
  /** Instruments ever in this point-in-time universe over [from, to]. */
  universe?: string;
  /** Only these instruments (with `universe`: the intersection). Default: every stored instrument. */
  codes?: readonly string[];
  from: string;
  to: string;
  /** Calendar market, default CN. */
  calendarMarket?: string;
  /** Rows per insert. */
  batchRows?: number;
  onProgress?: (text: string) => void;
  /** Benchmark index of the `index.close` input (market family), stored as bars like a stock. Default SH000300. */
  indexCode?: string;
  /** Directory of the sentiment word lists, needed by sets with `sentiment.*` inputs. */
  lexiconDir?: string;
}

export interface BuildFeaturesReport {
  set: string;
  version: string;
  columns: number;
  from: string;
  to: string;
  /** Instruments with at least one stored row. */
  instruments: number;
  rows: number;
  /** Requested instruments without any bar in [from, to]. */
  withoutBars: string[];
  warmupSessions: number;
  /** Extra inputs attached beyond the bars (index used, valuation rows and news items read, optional inputs left absent). */
  inputs: ExtraInputsStats;
  seconds: number;
}

/** Largest warm-up of the set's columns: sessions of history needed before `from` for exact values. */
export function setWarmup(set: FeatureSet): number {
  let warmup = 0;
  for (const d of set.definitions()) warmup = Math.max(warmup, d.warmup);
  return warmup;
}

/** First index of `calendar` >= date (calendar.length when none): binary search on ISO strings. */
export function sessionIndex(calendar: readonly string[], date: string): number {
  let lo = 0;
  let hi = calendar.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((calendar[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The session `warmup` sessions before the first session on or after `from` (clamped to the calendar start). */
export function warmupStart(calendar: readonly string[], from: string, warmup: number): string {
  if (calendar.length === 0) throw new QuantError('CALENDAR_EMPTY', 'the store has no trading calendar: import market data first');
  const i = Math.max(0, Math.min(sessionIndex(calendar, from), calendar.length - 1) - warmup);
  return calendar[i] as string;
}

/**
 * Codes ever in the universe over the sessions (membership changes on any day): from one read of the
 * membership spans where the reader has it, else one point-in-time lookup per session.
 */
async function universeMembers(market: MarketDataReader, universe: string, sessions: readonly string[]): Promise<Set<string>> {
  const members = new Set<string>();
  if (market.universeSpans && sessions.length > 0) {
    const days = sessionMembership(await market.universeSpans(universe, sessions[0] as string, sessions[sessions.length - 1] as string), sessions);
    for (const day of days) for (const code of day) members.add(code);
    return members;
  }
  for (const day of sessions) for (const code of await market.universeOn(universe, day)) members.add(code);
  return members;
}

/**
 * Computes a feature set in batch for many instruments and stores the rows in [from, to]. Memory is
 * bounded by one instrument's history plus one insert batch: each instrument's bars are loaded from
 * `warmupStart` (the set's largest warm-up before `from`, so values equal a full-history batch) to
 * `to`, computed, and its rows queued; a full batch is inserted before the next instrument loads.
 * Rows cover every session from the instrument's first bar (or `from`) to its last bar (or `to`),
 * suspended days included as rows of NaN, like Qlib's data.
 */
export async function buildFeatures(options: BuildFeaturesOptions): Promise<BuildFeaturesReport> {
  const started = Date.now();
  const from = assertIsoDate(options.from, 'from');
  const to = assertIsoDate(options.to, 'to');
  if (from > to) throw new QuantError('ARGUMENT_INVALID', `from ${from} is after to ${to}`, { details: { from, to } });
  const { set, market } = options;
  const definitions = set.definitions();
  const names = definitions.map((d) => d.name);
  const warmup = setWarmup(set);
  const calendar = await market.calendar(options.calendarMarket ?? 'CN');
  const first = sessionIndex(calendar, from);
  const last = sessionIndex(calendar, to) - (calendar[sessionIndex(calendar, to)] === to ? 0 : 1);
  if (calendar.length === 0 || first > last) {
    throw new QuantError('FEATURES_NO_SESSIONS', `no trading session of the stored calendar lies in ${from}..${to}`, { details: { from, to } });
  }
  const sessions = calendar.slice(first, last + 1);
  const start = warmupStart(calendar, from, warmup);

  let codes: string[];
  if (options.universe !== undefined) {
    const members = await universeMembers(market, options.universe, sessions);
    if (members.size === 0) {
      throw new QuantError('UNIVERSE_EMPTY', `universe ${options.universe} has no member between ${from} and ${to} in the store`, {
        details: { universe: options.universe, from, to },
      });
    }
    codes = options.codes === undefined ? [...members] : options.codes.filter((c) => members.has(c));
  } else if (options.codes !== undefined) {
    codes = [...options.codes];
  } else {
    codes = (await market.instruments()).filter((i) => i.lastDate >= start && i.firstDate <= to).map((i) => i.code);
  }
  codes = [...new Set(codes)].sort();

  // Every extra input is checked before anything is stored: a set that cannot be computed stores nothing.
  const extra = await prepareExtraInputs({
    set,
    market,
    calendar,
    codes,
    from: start,
    to,
    ...(options.indexCode !== undefined ? { indexCode: options.indexCode } : {}),
    ...(options.lexiconDir !== undefined ? { lexiconDir: options.lexiconDir } : {}),
  });

  const repository = new FeatureRepository(options.store);
  await repository.saveColumns(set.name, set.version, names);
  const batchRows = options.batchRows ?? FEATURE_INSERT_ROWS;
  const computedAt = Date.now();
  let pending: FeatureRow[] = [];
  let rows = 0;
  let instruments = 0;
  const withoutBars: string[] = [];
  const flush = async () => {
    await repository.write(set.name, set.version, names.length, pending, computedAt, batchRows);
    rows += pending.length;
    pending = [];
  };

  for (const [n, code] of codes.entries()) {
    const bars = await market.bars(code, start, to);
    const firstBar = bars[0];
    const lastBar = bars[bars.length - 1];
    if (firstBar === undefined || lastBar === undefined || lastBar.date < from) {
      withoutBars.push(code);
      continue;
    }
    // The instrument's own span: from its first stored bar (a listing inside the warm-up) to its last.
    const series = await extra.attach(barsToSeries(code, bars, calendar), bars);
    const columns = set.calculators.flatMap((c) => c.batch(series));
    if (columns.length !== names.length) {
      throw new QuantError('FEATURE_SET_INVALID', `set ${set.name} computed ${columns.length} columns but defines ${names.length}`, { details: { set: set.name } });
    }
    let stored = 0;
    for (let i = 0; i < series.dates.length; i++) {
      const date = series.dates[i] as string;
      if (date < from || date > to) continue;
      const values = new Float64Array(columns.length);
      for (let j = 0; j < columns.length; j++) values[j] = (columns[j] as Float64Array)[i] as number;
      pending.push({ code, date, values });
      stored++;
    }
    if (stored > 0) instruments++;
    if (pending.length >= batchRows) await flush();
    if (options.onProgress && (n + 1) % 100 === 0) options.onProgress(`${n + 1}/${codes.length} instruments, ${rows + pending.length} rows`);
  }
  await flush();
  return {
    set: set.name,
    version: set.version,
    columns: names.length,
    from,
    to,
    instruments,
    rows,
    withoutBars,
    warmupSessions: warmup,
    inputs: extra.stats,
    seconds: (Date.now() - started) / 1000,
  };
}
