import type { Store } from '@quant/storage';
import { MARKET_DATA_MIGRATIONS } from './market-data.migrations';

/** A bar as stored: raw prices, factor, whether it traded, warnings. */
export interface StoredBar {
  code: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  amount: number | null;
  factor: number | null;
  traded: boolean;
  isST: boolean | null;
  flags: string[];
  source: string;
  eventId: string;
  /** Epoch ms. */
  ingestedAt: number;
}

export interface InstrumentCoverage {
  code: string;
  bars: number;
  traded: number;
  from: string;
  to: string;
}

export interface StoredValuation {
  code: string;
  date: string;
  peTTM: number | null;
  pbMRQ: number | null;
  psTTM: number | null;
  pcfNcfTTM: number | null;
  turnover: number | null;
  totalMarketValue: number | null;
  circulatingMarketValue: number | null;
  source: string;
  eventId: string;
  ingestedAt: number;
}

export interface StoredNewsItem {
  id: string;
  code: string;
  publishedDate: string;
  publishedAt: number | null;
  title: string | null;
  text: string;
  label: number | null;
  source: string;
  ingestedAt: number;
}

/** ClickHouse DateTime text in UTC: both the 18.16 server and chdb parse it in JSONEachRow. */
export function toDateTime(epochMs: number): string {
  // One import stamps millions of rows with the same instant: remember the last one formatted.
  if (epochMs !== lastEpochMs) {
    lastEpochMs = epochMs;
    lastDateTime = new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
  }
  return lastDateTime;
}
let lastEpochMs = Number.NaN;
let lastDateTime = '';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

const BAR_COLUMNS = `code, toString(date) AS day, open, high, low, close, volume, amount, factor, traded, is_st, flags, source, event_id,
  toUnixTimestamp(ingested_at) AS ingested_at`;

function storedBarOf(r: Record<string, unknown>): StoredBar {
  return {
    code: String(r['code']),
    date: String(r['day']),
    open: num(r['open']),
    high: num(r['high']),
    low: num(r['low']),
    close: num(r['close']),
    volume: numOrNull(r['volume']),
    amount: numOrNull(r['amount']),
    factor: numOrNull(r['factor']),
    traded: num(r['traded']) === 1,
    isST: r['is_st'] === null ? null : num(r['is_st']) === 1,
    flags: (r['flags'] as string[]) ?? [],
    source: String(r['source']),
    eventId: String(r['event_id']),
    ingestedAt: num(r['ingested_at']) * 1000,
  };
}

/**
 * Market data in the store. Every write is idempotent (ReplacingMergeTree on the natural key), and
 * reads that count or pick the latest use FINAL so that replaced rows never count twice.
 */
export class MarketDataRepository {
  constructor(private readonly store: Store) {}

  async migrate(): Promise<void> {
    await this.store.migrate(MARKET_DATA_MIGRATIONS);
  }

  async saveCalendar(market: string, days: readonly string[], source: string): Promise<void> {
    const updatedAt = toDateTime(Date.now());
    for (let i = 0; i < days.length; i += 50_000) {
      await this.store.insert('trading_calendar', days.slice(i, i + 50_000).map((date) => ({ market, date, source, updated_at: updatedAt })));
    }
  }

  async calendar(market: string): Promise<string[]> {
    const rows = await this.store.query<{ day: string }>(
      'SELECT DISTINCT toString(date) AS day FROM trading_calendar WHERE market = {market:String} ORDER BY day',
      { market },
    );
    return rows.map((r) => r.day);
  }

  async saveInstruments(instruments: ReadonlyArray<{ code: string; firstDate: string; lastDate: string }>, source: string): Promise<void> {
    if (instruments.length === 0) return;
    const updatedAt = toDateTime(Date.now());
    await this.store.insert(
      'instruments',
      instruments.map((i) => ({ code: i.code, first_date: i.firstDate, last_date: i.lastDate, source, updated_at: updatedAt })),
    );
  }

  async instruments(): Promise<Array<{ code: string; firstDate: string; lastDate: string }>> {
    const rows = await this.store.query<{ code: string; first_date: string; last_date: string }>(
      'SELECT code, toString(min(first_date)) AS first_date, toString(max(last_date)) AS last_date FROM instruments GROUP BY code ORDER BY code',
    );
    return rows.map((r) => ({ code: r.code, firstDate: r.first_date, lastDate: r.last_date }));
  }

  async saveUniverse(universe: string, spells: ReadonlyArray<{ code: string; start: string; end: string }>, source: string): Promise<void> {
    if (spells.length === 0) return;
    const updatedAt = toDateTime(Date.now());
    await this.store.insert(
      'universe_members',
      spells.map((s) => ({ universe, code: s.code, start_date: s.start, end_date: s.end, source, updated_at: updatedAt })),
    );
  }

  /** Members of a universe on a day (point in time). */
  async universeOn(universe: string, date: string): Promise<string[]> {
    const rows = await this.store.query<{ code: string }>(
      `SELECT DISTINCT code FROM universe_members FINAL
       WHERE universe = {universe:String} AND start_date <= {date:Date} AND end_date >= {date:Date} ORDER BY code`,
      { universe, date },
    );
    return rows.map((r) => r.code);
  }

  /**
   * Membership spans of a universe that overlap [from, to], in one query: what a caller needs to know the
   * members of every session of a range without one `universeOn` query per session.
   */
  async universeSpans(universe: string, from: string, to: string): Promise<Array<{ code: string; start: string; end: string }>> {
    return this.store.query<{ code: string; start: string; end: string }>(
      `SELECT code, toString(start_date) AS start, toString(end_date) AS end FROM universe_members FINAL
       WHERE universe = {universe:String} AND start_date <= {to:Date} AND end_date >= {from:Date} ORDER BY code, start`,
      { universe, from, to },
    );
  }

  async insertBars(bars: readonly StoredBar[]): Promise<void> {
    if (bars.length === 0) return;
    await this.store.insert(
      'daily_bars',
      bars.map((b) => ({
        code: b.code,
        date: b.date,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
        amount: b.amount,
        factor: b.factor,
        traded: b.traded ? 1 : 0,
        is_st: b.isST === null ? null : b.isST ? 1 : 0,
        flags: b.flags,
        source: b.source,
        event_id: b.eventId,
        ingested_at: toDateTime(b.ingestedAt),
      })),
    );
  }

  /**
   * Last stored day and last traded adjusted close per instrument: the starting point of an
   * incremental import and of its first price-limit check.
   */
  async lastBars(): Promise<Map<string, { lastDate: string; lastAdjustedClose: number | null }>> {
    const rows = await this.store.query<{ code: string; last_date: string; adj_close: number | string | null; traded_days: number | string }>(
      `SELECT code, toString(max(date)) AS last_date,
              argMaxIf(close * ifNull(factor, 1), date, traded = 1) AS adj_close,
              countIf(traded = 1) AS traded_days
       FROM daily_bars GROUP BY code`,
    );
    const out = new Map<string, { lastDate: string; lastAdjustedClose: number | null }>();
    for (const r of rows) {
      out.set(r.code, { lastDate: r.last_date, lastAdjustedClose: num(r.traded_days) > 0 ? num(r.adj_close) : null });
    }
    return out;
  }

  /** Last stored valuation day per instrument (incremental import of valuations). */
  async lastValuationDates(): Promise<Map<string, string>> {
    const rows = await this.store.query<{ code: string; last_date: string }>(
      'SELECT code, toString(max(date)) AS last_date FROM valuations GROUP BY code',
    );
    return new Map(rows.map((r) => [r.code, r.last_date]));
  }

  /** Bars per instrument after deduplication. */
  async coverage(codes?: readonly string[]): Promise<InstrumentCoverage[]> {
    const where = codes && codes.length > 0 ? 'WHERE has({codes:Array(String)}, code)' : '';
    const rows = await this.store.query<{ code: string; bars: string | number; traded: string | number; from: string; to: string }>(
      `SELECT code, count() AS bars, sum(traded) AS traded, toString(min(date)) AS from, toString(max(date)) AS to
       FROM daily_bars FINAL ${where} GROUP BY code ORDER BY code`,
      codes && codes.length > 0 ? { codes: [...codes] } : {},
    );
    return rows.map((r) => ({ code: r.code, bars: num(r.bars), traded: num(r.traded), from: r.from, to: r.to }));
  }

  async bars(code: string, from: string, to: string): Promise<StoredBar[]> {
    const rows = await this.store.query<Record<string, unknown>>(
      `SELECT ${BAR_COLUMNS} FROM daily_bars FINAL WHERE code = {code:String} AND date >= {from:Date} AND date <= {to:Date} ORDER BY date`,
      { code, from, to },
    );
    return rows.map(storedBarOf);
  }

  /**
   * Bars of many instruments over [from, to] in one query (a per-instrument `bars` for a whole universe
   * is one round trip each), ascending by date per code; every asked code has an entry, empty when it
   * has no bar in the range.
   */
  async barsMany(codes: readonly string[], from: string, to: string): Promise<Map<string, StoredBar[]>> {
    const out = new Map<string, StoredBar[]>(codes.map((c) => [c, []]));
    if (codes.length === 0) return out;
    const rows = await this.store.query<Record<string, unknown>>(
      `SELECT ${BAR_COLUMNS} FROM daily_bars FINAL
       WHERE has({codes:Array(String)}, code) AND date >= {from:Date} AND date <= {to:Date} ORDER BY code, date`,
      { codes: [...new Set(codes)], from, to },
    );
    for (const r of rows) out.get(String(r['code']))?.push(storedBarOf(r));
    return out;
  }

  async insertValuations(rows: readonly StoredValuation[]): Promise<void> {
    if (rows.length === 0) return;
    await this.store.insert(
      'valuations',
      rows.map((v) => ({
        code: v.code,
        date: v.date,
        pe_ttm: v.peTTM,
        pb_mrq: v.pbMRQ,
        ps_ttm: v.psTTM,
        pcf_ncf_ttm: v.pcfNcfTTM,
        turnover: v.turnover,
        total_mv: v.totalMarketValue,
        circ_mv: v.circulatingMarketValue,
        source: v.source,
        event_id: v.eventId,
        ingested_at: toDateTime(v.ingestedAt),
      })),
    );
  }

  async insertNews(rows: readonly StoredNewsItem[]): Promise<void> {
    if (rows.length === 0) return;
    await this.store.insert(
      'news_items',
      rows.map((n) => ({
        id: n.id,
        code: n.code,
        published_date: n.publishedDate,
        published_at: n.publishedAt === null ? null : toDateTime(n.publishedAt),
        title: n.title,
        text: n.text,
        label: n.label,
        source: n.source,
        ingested_at: toDateTime(n.ingestedAt),
      })),
    );
  }

  /** Stored valuations of one instrument over [from, to], ascending by date (deduplicated). */
  async valuations(code: string, from: string, to: string): Promise<StoredValuation[]> {
    // `day`, not `date`: chdb resolves a WHERE name to a SELECT alias of the same name first.
    const rows = await this.store.query<Record<string, unknown>>(
      `SELECT code, toString(date) AS day, pe_ttm, pb_mrq, ps_ttm, pcf_ncf_ttm, turnover, total_mv, circ_mv, source, event_id,
              toUnixTimestamp(ingested_at) AS ingested_s
       FROM valuations FINAL WHERE code = {code:String} AND date >= {from:Date} AND date <= {to:Date} ORDER BY date`,
      { code, from, to },
    );
    return rows.map((r) => ({
      code: String(r['code']),
      date: String(r['day']),
      peTTM: numOrNull(r['pe_ttm']),
      pbMRQ: numOrNull(r['pb_mrq']),
      psTTM: numOrNull(r['ps_ttm']),
      pcfNcfTTM: numOrNull(r['pcf_ncf_ttm']),
      turnover: numOrNull(r['turnover']),
      totalMarketValue: numOrNull(r['total_mv']),
      circulatingMarketValue: numOrNull(r['circ_mv']),
      source: String(r['source']),
      eventId: String(r['event_id']),
      ingestedAt: num(r['ingested_s']) * 1000,
    }));
  }

  /** Stored news items of one instrument published in [from, to], ascending by publication day then id. */
  async news(code: string, from: string, to: string): Promise<StoredNewsItem[]> {
    const rows = await this.store.query<Record<string, unknown>>(
      `SELECT id, code, toString(published_date) AS day, toUnixTimestamp(published_at) AS published_s, title, text, label, source,
              toUnixTimestamp(ingested_at) AS ingested_s
       FROM news_items FINAL
       WHERE code = {code:String} AND published_date >= {from:Date} AND published_date <= {to:Date}
       ORDER BY published_date, id`,
      { code, from, to },
    );
    return rows.map((r) => ({
      id: String(r['id']),
      code: String(r['code']),
      publishedDate: String(r['day']),
      publishedAt: r['published_s'] === null || r['published_s'] === undefined ? null : num(r['published_s']) * 1000,
      title: r['title'] === null || r['title'] === undefined ? null : String(r['title']),
      text: String(r['text']),
      label: numOrNull(r['label']),
      source: String(r['source']),
      ingestedAt: num(r['ingested_s']) * 1000,
    }));
  }

  /** Row counts per table after deduplication, for `quant data status`. */
  async counts(): Promise<{ bars: number; instruments: number; valuations: number; news: number; calendarDays: number }> {
    const [row] = await this.store.query<Record<string, string | number>>(
      `SELECT
         (SELECT count() FROM daily_bars FINAL) AS bars,
         (SELECT uniqExact(code) FROM daily_bars) AS instruments,
         (SELECT count() FROM valuations FINAL) AS valuations,
         (SELECT count() FROM news_items FINAL) AS news,
         (SELECT uniqExact(date) FROM trading_calendar) AS calendar_days`,
    );
    return {
      bars: num(row?.['bars']),
      instruments: num(row?.['instruments']),
      valuations: num(row?.['valuations']),
      news: num(row?.['news']),
      calendarDays: num(row?.['calendar_days']),
    };
  }
}
