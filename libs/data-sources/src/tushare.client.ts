import { QuantError } from '@quant/errors';
import type { Clock } from './token-bucket.limiter';
import { TokenBucket, systemClock } from './token-bucket.limiter';

/**
 * TuShare Pro's HTTP API (https://tushare.pro/document/1?doc_id=130): every call is a POST of
 * `{api_name, token, params, fields}` to one URL, answered by `{code, msg, data: {fields, items}}`
 * (code 0 = success). This client adds a token-bucket rate limit, timeouts and retries with
 * exponential backoff on what a retry can fix: network errors, timeouts, HTTP 5xx/429 and the
 * per-minute rate-limit answer (code 40203). Token, permission and quota errors fail at once.
 * The token never appears in an error message.
 */
export interface TushareClientOptions {
  token: string;
  /** Default `http://api.tushare.pro`. */
  baseUrl?: string;
  /** Default 200 (TuShare's limit for most endpoints at 2000 points; check your account). */
  requestsPerMinute?: number;
  /** Retries after the first attempt; default 3. */
  maxRetries?: number;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** First backoff delay, doubled on each retry; default 500 ms. */
  retryBaseMs?: number;
  /** Backoff ceiling; default 30 s. */
  retryMaxMs?: number;
  /** Least wait after a rate-limit answer; default 60 s, TuShare counts per minute. */
  rateLimitWaitMs?: number;
  clock?: Clock;
}

export type TushareValue = string | number | null;
export type TushareRow = Record<string, TushareValue>;
export type TushareParams = Record<string, string | number | undefined>;

/** TuShare's answer code for "too many calls per minute". */
export const TUSHARE_RATE_LIMIT_CODE = 40203;

export const TUSHARE_FIELDS = {
  daily: ['ts_code', 'trade_date', 'open', 'high', 'low', 'close', 'pre_close', 'change', 'pct_chg', 'vol', 'amount'],
  index_daily: ['ts_code', 'trade_date', 'close', 'open', 'high', 'low', 'pre_close', 'change', 'pct_chg', 'vol', 'amount'],
  adj_factor: ['ts_code', 'trade_date', 'adj_factor'],
  daily_basic: [
    'ts_code', 'trade_date', 'close', 'turnover_rate', 'turnover_rate_f', 'volume_ratio', 'pe', 'pe_ttm', 'pb', 'ps', 'ps_ttm',
    'dv_ratio', 'dv_ttm', 'total_share', 'float_share', 'free_share', 'total_mv', 'circ_mv',
  ],
  moneyflow: [
    'ts_code', 'trade_date', 'buy_sm_vol', 'buy_sm_amount', 'sell_sm_vol', 'sell_sm_amount', 'buy_md_vol', 'buy_md_amount',
    'sell_md_vol', 'sell_md_amount', 'buy_lg_vol', 'buy_lg_amount', 'sell_lg_vol', 'sell_lg_amount', 'buy_elg_vol',
    'buy_elg_amount', 'sell_elg_vol', 'sell_elg_amount', 'net_mf_vol', 'net_mf_amount',
  ],
  top_list: [
    'trade_date', 'ts_code', 'name', 'close', 'pct_change', 'turnover_rate', 'amount', 'l_sell', 'l_buy', 'l_amount',
    'net_amount', 'net_rate', 'amount_rate', 'float_values', 'reason',
  ],
  trade_cal: ['exchange', 'cal_date', 'is_open', 'pretrade_date'],
  stock_basic: ['ts_code', 'name', 'list_date', 'delist_date', 'list_status'],
} as const;

/** Rows of an endpoint, keyed by its documented output fields. */
export type TushareRowOf<K extends keyof typeof TUSHARE_FIELDS> = Record<(typeof TUSHARE_FIELDS)[K][number], TushareValue>;

export class TushareClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly bucket: TokenBucket;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly rateLimitWaitMs: number;
  private readonly clock: Clock;

  constructor(options: TushareClientOptions) {
    if (!options.token || options.token.trim() === '') {
      throw new QuantError('TUSHARE_TOKEN_MISSING', 'a TuShare token is required (config tushare.token)');
    }
    this.token = options.token;
    this.baseUrl = options.baseUrl ?? 'http://api.tushare.pro';
    this.clock = options.clock ?? systemClock;
    this.bucket = new TokenBucket({ perMinute: options.requestsPerMinute ?? 200, clock: this.clock });
    this.maxRetries = options.maxRetries ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.rateLimitWaitMs = options.rateLimitWaitMs ?? 60_000;
  }

  /** Calls an endpoint and returns its rows as objects keyed by field name. */
  async query(apiName: string, params: TushareParams = {}, fields?: readonly string[] | string): Promise<TushareRow[]> {
    const cleanParams: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) cleanParams[k] = v;
    const body = JSON.stringify({
      api_name: apiName,
      token: this.token,
      params: cleanParams,
      fields: Array.isArray(fields) ? fields.join(',') : (fields ?? ''),
    });
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(apiName, body);
      } catch (error) {
        const retriable = error instanceof QuantError && error.retriable;
        if (!retriable || attempt >= this.maxRetries) {
          if (retriable && error instanceof QuantError) {
            throw new QuantError(error.code, `${error.message} (gave up after ${attempt + 1} attempts)`, {
              retriable: true,
              cause: error,
              details: { ...error.details, attempts: attempt + 1 },
            });
          }
          throw error;
        }
        let wait = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** attempt);
        if (error.code === 'TUSHARE_RATE_LIMITED') wait = Math.max(wait, this.rateLimitWaitMs);
        await this.clock.sleep(wait);
      }
    }
  }

  /** All rows of a query, fetched page by page with TuShare's `limit`/`offset` parameters. */
  async queryAll(apiName: string, params: TushareParams, fields: readonly string[], pageSize = 5000): Promise<TushareRow[]> {
    const out: TushareRow[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const rows = await this.query(apiName, { ...params, limit: pageSize, offset }, fields);
      out.push(...rows);
      if (rows.length < pageSize) return out;
    }
  }

  daily(params: TushareParams): Promise<TushareRowOf<'daily'>[]> {
    return this.queryAll('daily', params, TUSHARE_FIELDS.daily) as Promise<TushareRowOf<'daily'>[]>;
  }

  indexDaily(params: TushareParams): Promise<TushareRowOf<'index_daily'>[]> {
    return this.queryAll('index_daily', params, TUSHARE_FIELDS.index_daily) as Promise<TushareRowOf<'index_daily'>[]>;
  }

  adjFactor(params: TushareParams): Promise<TushareRowOf<'adj_factor'>[]> {
    return this.queryAll('adj_factor', params, TUSHARE_FIELDS.adj_factor) as Promise<TushareRowOf<'adj_factor'>[]>;
  }

  dailyBasic(params: TushareParams): Promise<TushareRowOf<'daily_basic'>[]> {
    return this.queryAll('daily_basic', params, TUSHARE_FIELDS.daily_basic) as Promise<TushareRowOf<'daily_basic'>[]>;
  }

  moneyflow(params: TushareParams): Promise<TushareRowOf<'moneyflow'>[]> {
    return this.queryAll('moneyflow', params, TUSHARE_FIELDS.moneyflow) as Promise<TushareRowOf<'moneyflow'>[]>;
  }

  /** Dragon-tiger list of one day (`trade_date` is required by TuShare). */
  topList(params: TushareParams & { trade_date: string }): Promise<TushareRowOf<'top_list'>[]> {
    return this.queryAll('top_list', params, TUSHARE_FIELDS.top_list) as Promise<TushareRowOf<'top_list'>[]>;
  }

  tradeCal(params: TushareParams): Promise<TushareRowOf<'trade_cal'>[]> {
    return this.query('trade_cal', params, TUSHARE_FIELDS.trade_cal) as Promise<TushareRowOf<'trade_cal'>[]>;
  }

  stockBasic(params: TushareParams): Promise<TushareRowOf<'stock_basic'>[]> {
    return this.query('stock_basic', params, TUSHARE_FIELDS.stock_basic) as Promise<TushareRowOf<'stock_basic'>[]>;
  }

  private async once(apiName: string, body: string): Promise<TushareRow[]> {
    await this.bucket.take();
    const where = { api: apiName, url: this.baseUrl };
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.baseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new QuantError(
        timedOut ? 'TUSHARE_TIMEOUT' : 'TUSHARE_NETWORK',
        timedOut ? `TuShare ${apiName}: no answer within ${this.timeoutMs} ms` : `TuShare ${apiName}: ${describeCause(cause)}`,
        { retriable: true, cause, details: where },
      );
    }
    if (!res.ok) {
      throw new QuantError('TUSHARE_HTTP', `TuShare ${apiName}: HTTP ${res.status} ${snippet(text)}`, {
        retriable: res.status >= 500 || res.status === 429,
        details: { ...where, status: res.status },
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new QuantError('TUSHARE_MALFORMED', `TuShare ${apiName}: answer is not JSON: ${snippet(text)}`, { cause, details: where });
    }
    return parseAnswer(apiName, json, where);
  }
}

function parseAnswer(apiName: string, json: unknown, where: Record<string, string>): TushareRow[] {
  if (!json || typeof json !== 'object' || typeof (json as { code?: unknown }).code !== 'number') {
    throw new QuantError('TUSHARE_MALFORMED', `TuShare ${apiName}: answer has no numeric "code": ${snippet(JSON.stringify(json))}`, { details: where });
  }
  const { code, msg, data } = json as { code: number; msg?: unknown; data?: unknown };
  if (code !== 0) throw apiError(apiName, code, typeof msg === 'string' ? msg : '', where);
  const d = data as { fields?: unknown; items?: unknown } | null | undefined;
  if (!d || !Array.isArray(d.fields) || !d.fields.every((f) => typeof f === 'string') || !Array.isArray(d.items)) {
    throw new QuantError('TUSHARE_MALFORMED', `TuShare ${apiName}: "data" lacks fields/items`, { details: where });
  }
  const fields = d.fields as string[];
  return (d.items as unknown[]).map((item, i) => {
    if (!Array.isArray(item) || item.length !== fields.length) {
      throw new QuantError('TUSHARE_MALFORMED', `TuShare ${apiName}: item ${i} does not have ${fields.length} values`, { details: where });
    }
    const row: TushareRow = {};
    fields.forEach((f, j) => {
      const v: unknown = item[j];
      row[f] = typeof v === 'number' || typeof v === 'string' ? v : null;
    });
    return row;
  });
}

/**
 * Classifies a non-zero answer. TuShare documents few codes; 40203 (and its message "每分钟最多访问")
 * is the per-minute limit and worth waiting for. A daily quota ("每天最多访问"), a bad token or a missing
 * permission will not go away by retrying.
 */
function apiError(apiName: string, code: number, msg: string, where: Record<string, string>): QuantError {
  const details = { ...where, tushareCode: code };
  if (code === TUSHARE_RATE_LIMIT_CODE || /每分钟最多访问/.test(msg)) {
    return new QuantError('TUSHARE_RATE_LIMITED', `TuShare ${apiName}: rate limited (${code}): ${msg}`, { retriable: true, details });
  }
  if (/每天最多访问|每小时最多访问/.test(msg)) {
    return new QuantError('TUSHARE_QUOTA', `TuShare ${apiName}: quota used up (${code}): ${msg}`, { details });
  }
  if (/token/i.test(msg)) {
    return new QuantError('TUSHARE_AUTH', `TuShare ${apiName}: token rejected (${code}): ${msg}`, { details });
  }
  if (/权限/.test(msg)) {
    return new QuantError('TUSHARE_PERMISSION', `TuShare ${apiName}: no permission (${code}): ${msg}`, { details });
  }
  return new QuantError('TUSHARE_API_ERROR', `TuShare ${apiName}: error ${code}: ${msg}`, { details });
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
