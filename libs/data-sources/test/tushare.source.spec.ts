import { afterEach, describe, expect, it } from 'vitest';
import type { SourceBatch } from '../src/data-source.port';
import { TUSHARE_FIELDS } from '../src/tushare.client';
import { createTushareSource, shanghaiToday } from '../src/tushare.source';
import type { LocalServer } from './local-http.server';
import { startLocalServer, tushareError, tushareOk } from './local-http.server';

type Req = { api_name: string; params: Record<string, string | number> };
const F = TUSHARE_FIELDS;

/** A tiny TuShare: two days, two stocks (one without a factor on day 2), one index. */
function fakeTushare(req: Req) {
  const p = req.params;
  const day = (d: string) => (p['trade_date'] === undefined || p['trade_date'] === d) && (!p['start_date'] || (p['start_date'] <= d && d <= p['end_date']!));
  const code = (c: string) => p['ts_code'] === undefined || p['ts_code'] === c;
  const pick = (fields: readonly string[], rows: Record<string, unknown>[]) =>
    tushareOk([...fields], rows.filter((r) => day(String(r['trade_date'])) && code(String(r['ts_code']))).map((r) => fields.map((f) => r[f] ?? null)));
  switch (req.api_name) {
    case 'trade_cal':
      return tushareOk([...F.trade_cal], [
        ['SSE', '20240101', 0, '20231229'],
        ['SSE', '20240102', 1, '20231229'],
        ['SSE', '20240103', 1, '20240102'],
      ]);
    case 'daily':
      return pick(F.daily, [
        { ts_code: '600000.SH', trade_date: '20240102', open: 7, high: 7.2, low: 6.9, close: 7.1, pre_close: 7, vol: 1234.5, amount: 876.5 },
        { ts_code: '600000.SH', trade_date: '20240103', open: 7.1, high: 7.3, low: 7, close: 7.2, pre_close: 7.1, vol: 1000, amount: 720 },
        { ts_code: '000001.SZ', trade_date: '20240103', open: 9, high: 9.5, low: 8.8, close: 9.1, pre_close: 9, vol: 10, amount: 9.1 },
        { ts_code: 'BAD', trade_date: '20240103', open: 1, high: 1, low: 1, close: 1, pre_close: 1, vol: 1, amount: 1 },
      ]);
    case 'adj_factor':
      return pick(F.adj_factor, [
        { ts_code: '600000.SH', trade_date: '20240102', adj_factor: 12.5 },
        { ts_code: '600000.SH', trade_date: '20240103', adj_factor: 12.5 },
      ]);
    case 'daily_basic':
      return pick(F.daily_basic, [{ ts_code: '600000.SH', trade_date: '20240102', turnover_rate: 0.12, pe_ttm: 4.5, pb: 0.4, ps_ttm: 1.2, total_mv: 2_000_000, circ_mv: 1_900_000 }]);
    case 'index_daily':
      return pick(F.index_daily, [{ ts_code: '000300.SH', trade_date: '20240102', open: 3400, high: 3410, low: 3380, close: 3386.35, pre_close: 3431.11, vol: 1e8, amount: 2e8 }]);
    default:
      return tushareError(40001, `unknown api ${req.api_name}`);
  }
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function source() {
  server = await startLocalServer((r) => fakeTushare(JSON.parse(r.body) as Req));
  return createTushareSource({ token: 't', baseUrl: server.url, requestsPerMinute: 60_000, retryBaseMs: 1 });
}

async function collect(it: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('TuShare source', () => {
  it('reads the calendar from trade_cal (open days only)', async () => {
    expect(await (await source()).calendar()).toEqual(['2024-01-02', '2024-01-03']);
  });

  it('reads bars per code: raw prices, shares and CNY, factor joined; valuations from daily_basic; indices from index_daily', async () => {
    const src = await source();
    const batches = await collect(src.read({ codes: ['SH600000', 'sh.000300'], from: '2024-01-01', to: '2024-01-03' }));
    expect(batches).toHaveLength(2);
    const [stock, index] = batches as [SourceBatch, SourceBatch];
    expect(stock.bars[0]).toMatchObject({ code: 'SH600000', date: '2024-01-02', close: 7.1, volume: 123450, amount: 876500, factor: 12.5, preClose: 7 });
    expect(stock.bars[0]!.origin.location).toMatch(/ daily\?ts_code=600000\.SH&start_date=20240101&end_date=20240103$/);
    expect(stock.valuations).toEqual([
      expect.objectContaining({ code: 'SH600000', peTTM: 4.5, pbMRQ: 0.4, psTTM: 1.2, pcfNcfTTM: null, turnover: 0.12, totalMarketValue: 2e10, circulatingMarketValue: 1.9e10 }),
    ]);
    expect(index.bars).toEqual([expect.objectContaining({ code: 'SH000300', close: 3386.35, factor: null })]);
    const apis = server!.requests.map((r) => (JSON.parse(r.body) as Req).api_name);
    expect(apis).toEqual(['daily', 'adj_factor', 'daily_basic', 'index_daily']);
  });

  it('reads the whole market one trading day per batch; unknown codes become problems', async () => {
    const batches = await collect((await source()).read({ from: '2024-01-01', to: '2024-01-03' }));
    expect(batches.map((b) => b.bars.map((x) => `${x.code}@${x.date}:${x.factor}`))).toEqual([
      ['SH600000@2024-01-02:12.5'],
      ['SH600000@2024-01-03:12.5', 'SZ000001@2024-01-03:null'],
    ]);
    expect(batches[1]!.problems).toMatchObject([{ code: 'CODE_UNKNOWN', origin: { line: 3 } }]) // third row of that day's answer;
  });

  it('needs a from date', async () => {
    await expect(collect((await source()).read())).rejects.toThrow(/needs a `from` date/);
  });

  it('knows today in China', () => {
    expect(shanghaiToday(Date.parse('2024-01-02T17:00:00Z'))).toBe('2024-01-03');
  });
});
