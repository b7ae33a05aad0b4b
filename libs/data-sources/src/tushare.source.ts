import { QuantError } from '@quant/errors';
import { boardOf, toTushareCode } from '@quant/market';
import type { DataSource, InstrumentInfo, RawBar, RawValuation, ReadOptions, RecordOrigin, SourceBatch, SourceProblem } from './data-source.port';
import type { TushareClientOptions, TushareRow } from './tushare.client';
import { TushareClient } from './tushare.client';
import { CodeResolver, dateBounds, parseDateText, requestedCodes } from './source-values.util';

/**
 * TuShare Pro as a DataSource. Calendar from `trade_cal` (open days of one exchange); bars from
 * `daily` (unadjusted; `vol` in lots of 100 shares and `amount` in thousand CNY, converted to shares
 * and CNY) joined with `adj_factor`; indices from `index_daily` (no factor); valuations from
 * `daily_basic` (`pb` is TuShare's latest-book P/B, stored as pbMRQ; `total_mv`/`circ_mv` are in
 * ten-thousand CNY, converted to CNY; TuShare has no P/CF, so pcfNcfTTM is null).
 * With `codes`, one batch per code over the range; without, one batch per trading day (all stocks).
 */
export interface TushareSourceOptions extends TushareClientOptions {
  /** Name put in every record origin; default `tushare`. */
  name?: string;
  /** Exchange whose calendar is used; default `SSE` (SZSE trades the same days). */
  exchange?: string;
  /** First day asked of trade_cal by calendar(); default 1990-12-19 (SSE's first session). */
  calendarStart?: string;
  /** An existing client (shares its rate limit); built from the options otherwise. */
  client?: TushareClient;
}

const WINDOW_YEARS = 15; // daily returns at most 6,000 rows a call: about 24 years of one stock

export function createTushareSource(options: TushareSourceOptions): TushareSource {
  return new TushareSource(options);
}

export class TushareSource implements DataSource {
  readonly name: string;
  readonly client: TushareClient;
  private readonly exchange: string;
  private readonly calendarStart: string;

  constructor(options: TushareSourceOptions) {
    this.name = options.name ?? 'tushare';
    this.client = options.client ?? new TushareClient(options);
    this.exchange = options.exchange ?? 'SSE';
    this.calendarStart = options.calendarStart ?? '1990-12-19';
  }

  /** Open days from calendarStart on, including future days the exchange has already published. */
  async calendar(): Promise<string[]> {
    return this.openDays(this.calendarStart, undefined);
  }

  /** Listed, delisted and paused stocks from `stock_basic`; a listed stock's last date is today. */
  async instruments(): Promise<InstrumentInfo[]> {
    const today = shanghaiToday();
    const codes = new CodeResolver();
    const out: InstrumentInfo[] = [];
    for (const status of ['L', 'D', 'P']) {
      for (const row of await this.client.stockBasic({ list_status: status })) {
        const code = codes.resolve(String(row.ts_code ?? ''));
        const first = parseDateText(String(row.list_date ?? ''));
        if (!code || !first) continue;
        const last = parseDateText(String(row.delist_date ?? '')) ?? today;
        out.push({ code, firstDate: first, lastDate: last, name: typeof row.name === 'string' ? row.name : null });
      }
    }
    return out.sort((a, b) => (a.code < b.code ? -1 : 1));
  }

  async *read(options: ReadOptions = {}): AsyncGenerator<SourceBatch> {
    if (options.from === undefined) {
      throw new QuantError('TUSHARE_RANGE_REQUIRED', 'reading TuShare needs a `from` date (decades of history are not fetched by default)');
    }
    const { from, to } = dateBounds({ from: options.from, to: options.to ?? shanghaiToday() });
    const wanted = requestedCodes(options.codes);
    if (wanted) {
      for (const code of wanted) yield await this.readCode(code, from, to);
      return;
    }
    for (const day of await this.openDays(from, to)) yield await this.readDay(day);
  }

  private async openDays(from: string, to: string | undefined): Promise<string[]> {
    const rows = await this.client.tradeCal({ exchange: this.exchange, start_date: compact(from), end_date: to ? compact(to) : undefined });
    const days: string[] = [];
    for (const r of rows) {
      // is_open is documented as str but arrives as a number from the HTTP API: accept both.
      if (String(r.is_open) !== '1') continue;
      const d = parseDateText(String(r.cal_date ?? ''));
      if (d) days.push(d);
    }
    return [...new Set(days)].sort();
  }

  private async readCode(code: string, from: string, to: string): Promise<SourceBatch> {
    const batch: SourceBatch = { bars: [], valuations: [], news: [], problems: [] };
    const tsCode = toTushareCode(code);
    const isIndex = boardOf(code) === 'index';
    for (const [start, end] of windows(from, to, WINDOW_YEARS)) {
      const params = { ts_code: tsCode, start_date: compact(start), end_date: compact(end) };
      if (isIndex) {
        this.addBars(batch, await this.client.indexDaily(params), new Map(), 'index_daily', params);
        continue;
      }
      const [daily, factors, basics] = [
        await this.client.daily(params),
        await this.client.adjFactor(params),
        await this.client.dailyBasic(params),
      ];
      this.addBars(batch, daily, factorMap(factors), 'daily', params);
      this.addValuations(batch, basics, params);
    }
    return batch;
  }

  private async readDay(day: string): Promise<SourceBatch> {
    const batch: SourceBatch = { bars: [], valuations: [], news: [], problems: [] };
    const params = { trade_date: compact(day) };
    const daily = await this.client.daily(params);
    const factors = await this.client.adjFactor(params);
    const basics = await this.client.dailyBasic(params);
    this.addBars(batch, daily, factorMap(factors), 'daily', params);
    this.addValuations(batch, basics, params);
    return batch;
  }

  private addBars(batch: SourceBatch, rows: readonly TushareRow[], factors: Map<string, number>, api: string, params: Record<string, string>): void {
    const codes = new CodeResolver();
    rows.forEach((row, i) => {
      const origin = this.origin(api, params, i);
      const key = rowKey(row, codes);
      if (typeof key === 'string') return void batch.problems.push(this.problem(key, row, origin));
      const [open, high, low, close] = [row.open, row.high, row.low, row.close];
      if (typeof open !== 'number' || typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number') {
        return void batch.problems.push(this.problem('TUSHARE_BAD_VALUE', row, origin, 'open/high/low/close not all numbers'));
      }
      const bar: RawBar = {
        code: key.code,
        date: key.date,
        open,
        high,
        low,
        close,
        volume: typeof row.vol === 'number' ? row.vol * 100 : null,
        amount: typeof row.amount === 'number' ? row.amount * 1000 : null,
        factor: factors.get(`${key.code}|${key.date}`) ?? null,
        preClose: typeof row.pre_close === 'number' ? row.pre_close : null,
        origin,
      };
      batch.bars.push(bar);
    });
  }

  private addValuations(batch: SourceBatch, rows: readonly TushareRow[], params: Record<string, string>): void {
    const codes = new CodeResolver();
    rows.forEach((row, i) => {
      const origin = this.origin('daily_basic', params, i);
      const key = rowKey(row, codes);
      if (typeof key === 'string') return void batch.problems.push(this.problem(key, row, origin));
      const v: RawValuation = {
        code: key.code,
        date: key.date,
        peTTM: num(row.pe_ttm),
        pbMRQ: num(row.pb),
        psTTM: num(row.ps_ttm),
        pcfNcfTTM: null,
        turnover: num(row.turnover_rate),
        totalMarketValue: scaled(row.total_mv, 10_000),
        circulatingMarketValue: scaled(row.circ_mv, 10_000),
        origin,
      };
      batch.valuations.push(v);
    });
  }

  private origin(api: string, params: Record<string, string>, row: number): RecordOrigin {
    const query = Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    return { source: this.name, location: `${this.client.baseUrl} ${api}?${query}`, line: row + 1 };
  }

  private problem(code: string, row: TushareRow, origin: RecordOrigin, message?: string): SourceProblem {
    const what =
      message ?? (code === 'CODE_UNKNOWN' ? `ts_code "${String(row.ts_code)}" is not an instrument code` : `trade_date "${String(row.trade_date)}" is not a date`);
    return { code, message: what, origin, raw: JSON.stringify(row) };
  }
}

function rowKey(row: TushareRow, codes: CodeResolver): { code: string; date: string } | string {
  const code = codes.resolve(String(row.ts_code ?? ''));
  if (!code) return 'CODE_UNKNOWN';
  const date = parseDateText(String(row.trade_date ?? ''));
  if (!date) return 'TUSHARE_BAD_DATE';
  return { code, date };
}

function factorMap(rows: readonly TushareRow[]): Map<string, number> {
  const codes = new CodeResolver();
  const m = new Map<string, number>();
  for (const r of rows) {
    const key = rowKey(r, codes);
    if (typeof key !== 'string' && typeof r.adj_factor === 'number') m.set(`${key.code}|${key.date}`, r.adj_factor);
  }
  return m;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function scaled(v: unknown, k: number): number | null {
  const n = num(v);
  return n === null ? null : n * k;
}

function compact(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}

/** [start, end] windows of at most `years` years covering [from, to]. */
function windows(from: string, to: string, years: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let start = from;
  while (start <= to) {
    const y = Number(start.slice(0, 4)) + years;
    const endCandidate = `${y}${start.slice(4)}`;
    const end = endCandidate > to ? to : dayBefore(endCandidate);
    out.push([start, end]);
    if (end === to) break;
    start = dayAfter(end);
  }
  return out;
}

function dayBefore(iso: string): string {
  const d = new Date(`${iso.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCDate(Number(iso.slice(8, 10)) - 1);
  return d.toISOString().slice(0, 10);
}

function dayAfter(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Today's date in China (UTC+8, no daylight saving), where the exchanges are. */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}
