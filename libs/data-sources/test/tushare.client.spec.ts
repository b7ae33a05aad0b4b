import { afterEach, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { TushareClient } from '../src/tushare.client';
import type { LocalServer, Reply } from './local-http.server';
import { startLocalServer, tushareError, tushareOk } from './local-http.server';

const FAST = { retryBaseMs: 5, retryMaxMs: 20, rateLimitWaitMs: 10, requestsPerMinute: 60_000 };
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(replies: Reply[]): Promise<LocalServer> {
  server = await startLocalServer((_req, n) => replies[Math.min(n, replies.length) - 1]!);
  return server;
}

async function failure(p: Promise<unknown>): Promise<QuantError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QuantError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('TushareClient against a local server speaking TuShare', () => {
  it('POSTs api_name, token, params and fields, and zips fields with items', async () => {
    const s = await serve([tushareOk(['ts_code', 'trade_date', 'adj_factor'], [['600000.SH', '20240102', 12.5], ['600000.SH', '20240103', null]])]);
    const client = new TushareClient({ token: 'secret-token', baseUrl: s.url, ...FAST });
    const rows = await client.query('adj_factor', { ts_code: '600000.SH', start_date: '20240102', end_date: undefined }, ['ts_code', 'trade_date', 'adj_factor']);
    expect(rows).toEqual([
      { ts_code: '600000.SH', trade_date: '20240102', adj_factor: 12.5 },
      { ts_code: '600000.SH', trade_date: '20240103', adj_factor: null },
    ]);
    expect(s.requests[0]!.method).toBe('POST');
    expect(JSON.parse(s.requests[0]!.body)).toEqual({
      api_name: 'adj_factor',
      token: 'secret-token',
      params: { ts_code: '600000.SH', start_date: '20240102' },
      fields: 'ts_code,trade_date,adj_factor',
    });
  });

  it('does not retry a token error, and never puts the token in the message', async () => {
    const s = await serve([tushareError(40101, '您的token不对，请确认。')]);
    const e = await failure(new TushareClient({ token: 'secret-token', baseUrl: s.url, ...FAST }).query('daily'));
    expect(e.code).toBe('TUSHARE_AUTH');
    expect(e.retriable).toBe(false);
    expect(e.message).not.toContain('secret-token');
    expect(s.requests).toHaveLength(1);
  });

  it('waits and retries after a rate-limit answer', async () => {
    const s = await serve([tushareError(40203, '抱歉，您每分钟最多访问该接口200次'), tushareOk(['x'], [[1]])]);
    const t0 = Date.now();
    const rows = await new TushareClient({ token: 't', baseUrl: s.url, ...FAST, rateLimitWaitMs: 150 }).query('daily');
    expect(rows).toEqual([{ x: 1 }]);
    expect(s.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('retries an HTTP 500 then succeeds; gives up after maxRetries with a retriable error', async () => {
    let s = await serve([{ status: 500, body: 'oops' }, tushareOk(['x'], [[2]])]);
    expect(await new TushareClient({ token: 't', baseUrl: s.url, ...FAST }).query('daily')).toEqual([{ x: 2 }]);
    expect(s.requests).toHaveLength(2);
    await s.close();
    s = await serve([{ status: 503, body: 'down' }]);
    const e = await failure(new TushareClient({ token: 't', baseUrl: s.url, ...FAST, maxRetries: 2 }).query('daily'));
    expect(e).toMatchObject({ code: 'TUSHARE_HTTP', retriable: true });
    expect(e.message).toMatch(/HTTP 503.*gave up after 3 attempts/);
    expect(s.requests).toHaveLength(3);
  });

  it('fails at once on a malformed body, a bad envelope or a client error', async () => {
    let s = await serve([{ body: '<html>gateway</html>' }]);
    const e1 = await failure(new TushareClient({ token: 't', baseUrl: s.url, ...FAST }).query('daily'));
    expect(e1).toMatchObject({ code: 'TUSHARE_MALFORMED', retriable: false });
    expect(e1.message).toContain('<html>gateway</html>');
    expect(s.requests).toHaveLength(1);
    await s.close();
    s = await serve([{ body: JSON.stringify({ code: 0, msg: '', data: { fields: ['a', 'b'], items: [[1]] } }) }]);
    expect((await failure(new TushareClient({ token: 't', baseUrl: s.url, ...FAST }).query('daily'))).message).toMatch(/item 0 does not have 2 values/);
    await s.close();
    s = await serve([{ status: 404, body: 'no' }]);
    expect(await failure(new TushareClient({ token: 't', baseUrl: s.url, ...FAST }).query('daily'))).toMatchObject({ code: 'TUSHARE_HTTP', retriable: false });
  });

  it('times out slow answers and reports network errors as retriable', async () => {
    const s = await serve([{ body: JSON.stringify({ code: 0, data: { fields: [], items: [] } }), delayMs: 1_000 }]);
    const e = await failure(new TushareClient({ token: 't', baseUrl: s.url, ...FAST, timeoutMs: 50, maxRetries: 1 }).query('daily'));
    expect(e).toMatchObject({ code: 'TUSHARE_TIMEOUT', retriable: true });
    expect(s.requests).toHaveLength(2);
    const url = s.url;
    await s.close();
    server = undefined;
    const n = await failure(new TushareClient({ token: 't', baseUrl: url, ...FAST, maxRetries: 0 }).query('daily'));
    expect(n).toMatchObject({ code: 'TUSHARE_NETWORK', retriable: true });
  });

  it('pages with limit/offset until a short page', async () => {
    const all = [[1], [2], [3], [4], [5]];
    server = await startLocalServer((req) => {
      const { params } = JSON.parse(req.body) as { params: { limit: number; offset: number } };
      return tushareOk(['x'], all.slice(params.offset, params.offset + params.limit));
    });
    const rows = await new TushareClient({ token: 't', baseUrl: server.url, ...FAST }).queryAll('daily', {}, ['x'], 2);
    expect(rows.map((r) => r.x)).toEqual([1, 2, 3, 4, 5]);
    expect(server.requests).toHaveLength(3);
  });

  it('spaces requests by the rate limit', async () => {
    const s = await serve([tushareOk(['x'], [])]);
    const client = new TushareClient({ token: 't', baseUrl: s.url, ...FAST, requestsPerMinute: 600 });
    const t0 = Date.now();
    await Promise.all([client.query('a'), client.query('b'), client.query('c')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // 100 ms apart after the first
  });

  it('refuses to start without a token', () => {
    expect(() => new TushareClient({ token: '' })).toThrow(/token is required/);
  });
});
