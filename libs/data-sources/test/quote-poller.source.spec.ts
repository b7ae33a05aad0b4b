import { afterEach, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import type { QuoteBatch } from '../src/data-source.port';
import { createHttpQuoteFetcher, createQuotePoller } from '../src/quote-poller.source';
import type { LocalServer, Reply } from './local-http.server';
import { startLocalServer } from './local-http.server';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const quote = (price: number, time: string, volume = 100) => ({ code: '600000.SH', time, price, open: 7, high: 7.5, low: 6.9, preClose: 7, volume, amount: 700 });
const json = (body: unknown): Reply => ({ body: JSON.stringify(body) });

async function take(n: number, it: AsyncIterable<QuoteBatch>): Promise<QuoteBatch[]> {
  const out: QuoteBatch[] = [];
  for await (const b of it) {
    out.push(b);
    if (out.length >= n) break;
  }
  return out;
}

describe('quote poller over HTTP', () => {
  it('yields changed quotes only, reads every field, reports unreadable items', async () => {
    const replies = [
      json({ quotes: [quote(7.1, '2024-01-02T09:31:00+08:00'), { code: 'nope', price: 1, time: 0 }] }),
      json({ quotes: [quote(7.1, '2024-01-02T09:31:00+08:00')] }), // unchanged
      json({ quotes: [quote(7.2, '2024-01-02T09:31:03+08:00', 200)] }),
    ];
    server = await startLocalServer((_r, n) => replies[Math.min(n, replies.length) - 1]!);
    const poller = createQuotePoller({ fetchQuotes: createHttpQuoteFetcher({ baseUrl: server.url }), intervalMs: 5, codes: ['SH600000', 'sz.000001'] });
    const batches = await take(3, poller.poll());
    expect(server.requests[0]!.url).toBe('/quotes?codes=SH600000%2CSZ000001');
    expect(batches[0]!.quotes).toEqual([
      { code: 'SH600000', time: Date.parse('2024-01-02T01:31:00Z'), price: 7.1, open: 7, high: 7.5, low: 6.9, preClose: 7, volume: 100, amount: 700, origin: expect.objectContaining({ line: 1 }) },
    ]);
    expect(batches[0]!.problems).toMatchObject([{ code: 'QUOTE_BAD_ITEM', origin: { line: 2 } }]);
    expect(batches[1]!.quotes).toEqual([]);
    expect(batches[2]!.quotes.map((q) => [q.price, q.volume])).toEqual([[7.2, 200]]);
  });

  it('backs off on retriable errors and resumes; reports each failure', async () => {
    const replies: Reply[] = [{ status: 500, body: 'x' }, { status: 502, body: 'x' }, json({ quotes: [quote(7, '2024-01-02T09:31:00+08:00')] })];
    server = await startLocalServer((_r, n) => replies[Math.min(n, replies.length) - 1]!);
    const t0 = Date.now();
    const batches = await take(3, createQuotePoller({ fetchQuotes: createHttpQuoteFetcher({ baseUrl: server.url }), intervalMs: 20, codes: ['SH600000'] }).poll());
    expect(batches.map((b) => b.problems.map((p) => p.code))).toEqual([['QUOTE_FETCH_FAILED'], ['QUOTE_FETCH_FAILED'], []]);
    expect(batches[2]!.quotes).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40 + 80 - 10); // 20*2, then 20*4
  });

  it('stops with an error on a malformed body (not retriable) or after too many failures', async () => {
    server = await startLocalServer(() => ({ body: 'not json' }));
    const e = await take(5, createQuotePoller({ fetchQuotes: createHttpQuoteFetcher({ baseUrl: server.url }), intervalMs: 1, codes: ['SH600000'] }).poll()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuantError);
    expect((e as QuantError).message).toMatch(/not JSON/);
    let calls = 0;
    const failing = createQuotePoller({
      fetchQuotes: async () => {
        calls++;
        throw new QuantError('X', 'flaky', { retriable: true });
      },
      intervalMs: 1,
      maxBackoffMs: 2,
      maxConsecutiveErrors: 3,
      codes: ['SH600000'],
    });
    await expect(take(10, failing.poll())).rejects.toThrow(/after 3 failed poll/);
    expect(calls).toBe(3);
  });

  it('ends when the signal aborts', async () => {
    server = await startLocalServer(() => json({ quotes: [] }));
    const ac = new AbortController();
    const seen: QuoteBatch[] = [];
    const poller = createQuotePoller({ fetchQuotes: createHttpQuoteFetcher({ baseUrl: server.url }), intervalMs: 10_000, codes: ['SH600000'] });
    setTimeout(() => ac.abort(), 50);
    for await (const b of poller.poll(ac.signal)) seen.push(b);
    expect(seen).toHaveLength(1);
  });
});
