import { QuantError, isRetriable } from '@quant/errors';
import { canonicalCode } from '@quant/market';
import type { QuoteBatch, QuoteSource, RawQuote, SourceProblem } from './data-source.port';
import type { Clock } from './token-bucket.limiter';
import { systemClock } from './token-bucket.limiter';
import { parseDecimal } from './source-values.util';

/** What one fetch returns: the quotes it could read and what it could not. */
export interface QuoteFetchResult {
  quotes: RawQuote[];
  problems: SourceProblem[];
}

export type FetchQuotes = (codes: readonly string[], signal?: AbortSignal) => Promise<QuoteFetchResult>;

export interface QuotePollerOptions {
  fetchQuotes: FetchQuotes;
  /** Pause between polls; default 3,000 ms. */
  intervalMs?: number;
  codes: readonly string[];
  /** Ceiling of the backoff after failed polls; default 60,000 ms. */
  maxBackoffMs?: number;
  /** Consecutive failed polls after which the stream fails; default 10. */
  maxConsecutiveErrors?: number;
  name?: string;
  clock?: Clock;
}

/**
 * Polls `fetchQuotes` and yields one QuoteBatch per poll with only the quotes that changed (a quote
 * whose time, price and volume equal the last one yielded for its code is dropped: vendors repeat the
 * last quote between trades and outside hours). A failed poll yields a batch with a `QUOTE_FETCH_FAILED`
 * problem and backs off exponentially; a non-retriable error, or too many failures in a row, ends the
 * stream by throwing. Stops when the consumer stops iterating or `signal` aborts.
 */
export function createQuotePoller(options: QuotePollerOptions): QuoteSource {
  const name = options.name ?? 'quotes';
  const intervalMs = options.intervalMs ?? 3_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const maxErrors = options.maxConsecutiveErrors ?? 10;
  const clock = options.clock ?? systemClock;
  const codes = options.codes.map((c) => canonicalCode(c));
  if (codes.length === 0) throw new QuantError('QUOTE_CODES_EMPTY', 'the quote poller needs at least one code');

  return {
    name,
    async *poll(signal?: AbortSignal): AsyncGenerator<QuoteBatch> {
      const last = new Map<string, string>();
      let failures = 0;
      while (!signal?.aborted) {
        let batch: QuoteBatch;
        try {
          const result = await options.fetchQuotes(codes, signal);
          failures = 0;
          const fresh = result.quotes.filter((q) => {
            const key = `${q.time}|${q.price}|${q.volume}`;
            if (last.get(q.code) === key) return false;
            last.set(q.code, key);
            return true;
          });
          batch = { polledAt: clock.now(), quotes: fresh, problems: result.problems };
        } catch (error) {
          if (signal?.aborted) return;
          failures += 1;
          if (!isRetriable(error) || failures >= maxErrors) {
            throw new QuantError('QUOTE_POLL_FAILED', `quote polling stopped after ${failures} failed poll(s): ${(error as Error).message}`, {
              cause: error,
              retriable: isRetriable(error),
              details: { failures },
            });
          }
          batch = {
            polledAt: clock.now(),
            quotes: [],
            problems: [{ code: 'QUOTE_FETCH_FAILED', message: (error as Error).message, origin: { source: name, location: 'fetchQuotes' } }],
          };
        }
        yield batch;
        const wait = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures);
        await abortableSleep(clock, wait, signal);
      }
    },
  };
}

async function abortableSleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void clock.sleep(ms).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

export interface HttpQuoteFetcherOptions {
  /** Base URL; quotes are read from `GET {baseUrl}/quotes?codes=SH600000,SZ000001`. */
  baseUrl: string;
  /** Per request; default 5,000 ms. */
  timeoutMs?: number;
  name?: string;
}

/**
 * A fetcher for a simple JSON quote endpoint (see README.md "Real-time quotes"):
 * `GET /quotes?codes=...` answers `{"quotes":[{"code","time","price","open","high","low","preClose",
 * "volume","amount"}]}` with `time` an ISO-8601 timestamp with offset (or epoch ms) and codes in any
 * spelling. A quote that cannot be read becomes a problem; the others are kept.
 * Network errors, timeouts and HTTP 5xx/429 are retriable; other HTTP errors and a malformed body are not.
 */
export function createHttpQuoteFetcher(options: HttpQuoteFetcherOptions): FetchQuotes {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const name = options.name ?? 'quotes';
  return async (codes, signal) => {
    const url = `${options.baseUrl.replace(/\/$/, '')}/quotes?codes=${encodeURIComponent(codes.join(','))}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await res.text();
    } catch (cause) {
      throw new QuantError('QUOTE_NETWORK', `quotes ${url}: ${(cause as Error).message}`, { retriable: true, cause, details: { url } });
    }
    if (!res.ok) {
      throw new QuantError('QUOTE_HTTP', `quotes ${url}: HTTP ${res.status}`, {
        retriable: res.status >= 500 || res.status === 429,
        details: { url, status: res.status },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new QuantError('QUOTE_MALFORMED', `quotes ${url}: answer is not JSON: ${text.slice(0, 200)}`, { cause, details: { url } });
    }
    const list = (body as { quotes?: unknown } | null)?.quotes;
    if (!Array.isArray(list)) throw new QuantError('QUOTE_MALFORMED', `quotes ${url}: answer has no "quotes" array`, { details: { url } });
    const result: QuoteFetchResult = { quotes: [], problems: [] };
    list.forEach((item: unknown, i) => {
      const origin = { source: name, location: url, line: i + 1 };
      const q = readQuote(item);
      if (typeof q === 'string') result.problems.push({ code: 'QUOTE_BAD_ITEM', message: q, origin, raw: JSON.stringify(item) });
      else result.quotes.push({ ...q, origin });
    });
    return result;
  };
}

function readQuote(item: unknown): Omit<RawQuote, 'origin'> | string {
  if (!item || typeof item !== 'object') return 'quote is not an object';
  const o = item as Record<string, unknown>;
  let code: string;
  try {
    code = canonicalCode(String(o['code'] ?? ''));
  } catch {
    return `code "${String(o['code'])}" is not an instrument code`;
  }
  const time = typeof o['time'] === 'number' ? o['time'] : typeof o['time'] === 'string' ? Date.parse(o['time']) : NaN;
  if (!Number.isFinite(time)) return `time "${String(o['time'])}" is not a timestamp`;
  const price = numberOrNull(o['price']);
  if (price === null) return `price "${String(o['price'])}" is not a number`;
  return {
    code,
    time,
    price,
    open: numberOrNull(o['open']),
    high: numberOrNull(o['high']),
    low: numberOrNull(o['low']),
    preClose: numberOrNull(o['preClose']),
    volume: numberOrNull(o['volume']),
    amount: numberOrNull(o['amount']),
  };
}

function numberOrNull(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return parseDecimal(v) ?? null;
  return null;
}
