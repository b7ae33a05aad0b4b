import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyCalibration } from '@quant/evaluation';
import type { MarketBar, MarketReader, RankedCandidate, Tradability } from '../src';
import { InThreadScorer, InferenceEngine, buildPortfolio, marketSnapshot, nextTradingDay, tradability } from '../src';
import type { TrainedModel } from './inference.fixtures';
import { CALENDAR, CALIBRATION, MemoryFeatures, MemoryMarket, MemoryModelSource, trainModel } from './inference.fixtures';

const bar = (date: string, close: number, patch: Partial<MarketBar> = {}): MarketBar => ({ date, open: close, high: close, low: close, close, factor: 1, traded: true, isST: false, ...patch });
const T = '2024-03-04';
const T1 = '2024-03-05';
const listing = { code: 'SH600000', firstDate: '2020-01-02', lastDate: T };

describe('tradability at T+1', () => {
  it('flags a close at the main-board up-limit on T (10%), with the rule in the reason', () => {
    const t = tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10), bar(T, 11)] });
    expect(t).toMatchObject({ buyable: false, sellable: true, flags: ['up-limit'] });
    expect(t.reasons[0]).toContain('main-10');
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10), bar(T, 10.98)] }).flags).toEqual([]);
  });

  it('uses the board and ST limits of the day (ChiNext 20%, ST 5%) and the price on the previous close adjusted for ex-rights', () => {
    expect(tradability({ code: 'SZ300001', date: T, tradeDate: T1, listing: { ...listing, code: 'SZ300001' }, bars: [bar('2024-03-01', 10), bar(T, 11)] }).flags).toEqual([]);
    const st = tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10), bar(T, 10.5, { isST: true })] });
    expect(st.flags).toEqual(['st', 'up-limit']);
    expect(st.buyable).toBe(false);
    // 20 -> 10 raw after a 2:1 split (factor 1 -> 2): unchanged in adjusted terms, not a limit move.
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 20), bar(T, 10, { factor: 2 })] }).flags).toEqual([]);
  });

  it('flags suspension (no bar, or a bar without trades), the down-limit and delisting', () => {
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10)] })).toMatchObject({ flags: ['suspended'], buyable: false, sellable: false });
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10), bar(T, 10, { traded: false })] }).reasons).toEqual([`suspended on ${T} (no trade)`]);
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing, bars: [bar('2024-03-01', 10), bar(T, 9)] })).toMatchObject({ flags: ['down-limit'], buyable: true, sellable: false });
    // A last bar before T is a suspension as far as the listing can tell; delisted only with a delisting date.
    const longSuspended = tradability({ code: 'SH600000', date: T, tradeDate: T1, listing: { ...listing, lastDate: '2024-02-01' }, bars: [bar('2024-02-01', 10)] });
    expect(longSuspended).toMatchObject({ flags: ['suspended'], buyable: false, sellable: false });
    expect(longSuspended.reasons[0]).toMatch(/no bar since 2024-02-01/);
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing: { ...listing, lastDate: '2024-02-01', delistedOn: '2024-02-02' }, bars: [] })).toMatchObject({ flags: ['delisted'], reasons: ['delisted on 2024-02-02'], buyable: false, sellable: false });
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing: { ...listing, delistedOn: '2024-03-20' }, bars: [bar('2024-03-01', 10), bar(T, 10)] }).flags).toEqual([]);
    expect(tradability({ code: 'SH600000', date: T, tradeDate: T1, listing: { ...listing, firstDate: '2024-03-08' }, bars: [] }).flags).toEqual(['not-listed']);
  });

  it('measures volatility as the sample std of the last 20 daily returns of the adjusted close', () => {
    const closes = Array.from({ length: 25 }, (_, i) => 10 * (1 + (i % 2 === 0 ? 0.01 : -0.01)) ** i);
    const bars = closes.map((c, i) => bar(`2024-02-${String(i + 1).padStart(2, '0')}`, c));
    const t = tradability({ code: 'SH600000', date: '2024-02-25', tradeDate: '2024-02-26', listing: { ...listing, lastDate: '2024-02-25' }, bars });
    const returns = closes.slice(-21).map((c, i, a) => (i === 0 ? NaN : c / (a[i - 1] as number) - 1)).slice(1);
    const mean = returns.reduce((s, r) => s + r, 0) / 20;
    expect(t.volatility).toBeCloseTo(Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / 19), 12);
  });

  it('takes T+1 from the calendar, else the next weekday (marked estimated)', () => {
    expect(nextTradingDay(['2024-03-01', T, '2024-03-06'], T)).toEqual({ date: '2024-03-06', estimated: false });
    expect(nextTradingDay(['2024-03-01'], '2024-03-01')).toEqual({ date: T, estimated: true });
  });
});

const ok = (code: string): Tradability => ({ code, buyable: true, sellable: true, flags: [], reasons: [], volatility: 0.02 });
const ranked = (codes: string[]): RankedCandidate[] => codes.map((code, i) => ({ code, score: 10 - i, rank: i + 1 }));

describe('portfolio strategies', () => {
  const codes = ['A', 'B', 'C', 'D', 'E', 'F'];
  const all = new Map(codes.map((c) => [c, ok(c)]));

  it('top-K skips what cannot be bought, with the reason, and sells what fell out', () => {
    const tradable = new Map(all).set('B', { ...ok('B'), buyable: false, flags: ['up-limit'], reasons: ['closed at the up-limit'] });
    const out = buildPortfolio(ranked(codes), tradable, [{ code: 'F', shares: 100, openedOn: '2024-01-02' }], { strategy: 'topk', topK: 3, nDrop: 0, tradeDate: T1 });
    // As the backtest's plan: the entrants of the top 3 are bought, the blocked one is skipped, not replaced.
    expect(out.decisions.map((d) => `${d.action}:${d.code}`)).toEqual(['BUY:A', 'BUY:C', 'SELL:F']);
    expect(out.excluded).toEqual([{ code: 'B', rank: 2, score: 9, reasons: ['closed at the up-limit'] }]);
    expect(out.decisions.find((d) => d.code === 'A')?.targetWeight).toBeCloseTo(1 / 2, 12);
  });

  it('TopK-Dropout replaces at most n_drop positions and keeps one opened on the trade date (T+1)', () => {
    const holdings = ['C', 'D', 'E', 'F'].map((code) => ({ code, shares: 100, openedOn: code === 'F' ? T1 : '2024-01-02' }));
    const out = buildPortfolio(ranked(codes), all, holdings, { strategy: 'topk-dropout', topK: 4, nDrop: 2, tradeDate: T1 });
    const byCode = new Map(out.decisions.map((d) => [d.code, d]));
    expect(byCode.get('E')?.action).toBe('SELL');
    expect(byCode.get('F')).toMatchObject({ action: 'HOLD', note: `to sell, but opened on ${T1}: cannot be sold on ${T1} (T+1)` });
    // One sale went through, one slot stays taken by F: one buy, the best new name.
    expect(out.decisions.filter((d) => d.action === 'BUY').map((d) => d.code)).toEqual(['A']);
    expect(out.decisions.filter((d) => d.action !== 'SELL').length).toBe(4);
  });

  it('TopK-Dropout from an empty book buys the K best buyable', () => {
    const out = buildPortfolio(ranked(codes), all, [], { strategy: 'topk-dropout', topK: 2, nDrop: 1, tradeDate: T1 });
    expect(out.decisions.map((d) => `${d.action}:${d.code}:${d.targetWeight}`)).toEqual(['BUY:A:0.5', 'BUY:B:0.5']);
  });
});

describe('marketSnapshot', () => {
  it('reads the bars of all codes in one batched read when the reader has one, with the same result as per code', async () => {
    const perCode = new MemoryMarket();
    const codes = [...perCode.series.keys()];
    let calls = 0;
    const batched: MarketReader = {
      calendar: () => perCode.calendar(),
      instruments: () => perCode.instruments(),
      universeOn: () => perCode.universeOn(),
      bars: () => Promise.reject(new Error('per-code read used despite barsMany')),
      async barsMany(asked, from, to) {
        calls += 1;
        return new Map(await Promise.all(asked.map(async (c) => [c, await perCode.bars(c, from, to)] as const)));
      },
    };
    const day = CALENDAR[20] as string;
    const next = CALENDAR[21] as string;
    const expected = await marketSnapshot(perCode, codes, day, next);
    expect(await marketSnapshot(batched, codes, day, next)).toEqual(expected);
    expect(calls).toBe(1);
    expect(expected.get(codes[0] as string)?.volatility).toBeGreaterThan(0);
  });
});

describe('InferenceEngine.recommend', () => {
  let model: TrainedModel;
  const engines: InferenceEngine[] = [];
  beforeAll(async () => {
    model = await trainModel('gbdt-syn', 1, 'gbdt', { calibration: true });
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });

  it('ranks the day, excludes the suspended, ST and up-limit names with their reasons and fills top-K with the next ones', async () => {
    const day = CALENDAR[20] as string;
    const market = new MemoryMarket();
    const e = new InferenceEngine({ models: new MemoryModelSource().add(model), features: new MemoryFeatures(), market, scorer: new InThreadScorer() });
    engines.push(e);
    const baseline = await e.recommend({ date: day, topK: 5, strategy: 'topk' });
    const [first, second, third] = baseline.items.map((i) => i.code) as [string, string, string];
    const prev = market.series.get(third)?.find((b) => b.date === CALENDAR[19])?.close as number;
    market.patch(first, day, { traded: false });
    market.patch(second, day, { isST: true });
    market.patch(third, day, { close: Math.round(prev * 110) / 100 });
    e.invalidate(day);
    // TopK-Dropout from an empty book looks at the best nDrop + K: the blocked ones are replaced by the next.
    const out = await e.recommend({ date: day, topK: 5, nDrop: 5, strategy: 'topk-dropout', requestId: 'r1' });
    expect(out).toMatchObject({ requestId: 'r1', date: day, tradeDate: CALENDAR[21], tradeDateEstimated: false, strategy: 'topk-dropout', topK: 5, nDrop: 5, model: { name: 'gbdt-syn', version: '1' } });
    expect(out.excluded.map((x) => [x.code, x.rank, x.flags])).toEqual([
      [first, 1, ['suspended']],
      [second, 2, ['st']],
      [third, 3, ['up-limit']],
    ]);
    expect(out.excluded[0]?.reasons).toEqual([`suspended on ${day} (no trade)`]);
    expect(out.items).toHaveLength(5);
    expect(out.items.map((i) => i.rank)).toEqual([4, 5, 6, 7, 8]);
    for (const item of out.items) {
      expect(item).toMatchObject({ action: 'BUY', tradable: true, targetWeight: 0.2, flags: [], exclusionReason: null });
      expect(item.volatility).toBeGreaterThan(0);
      // From the model's stored calibration at the item's own percentile.
      expect(item.probabilityBeatBenchmark).toBe(applyCalibration(CALIBRATION, item.percentile as number).probabilityBeatBenchmark);
      expect(item.expectedReturn).toBe(applyCalibration(CALIBRATION, item.percentile as number).expectedReturn);
    }
    expect(out.listId).toBe(`topk-dropout5@gbdt-syn@1:${day}`);
  });

  it('keeps holdings it cannot sell at T+1 as untradable HOLDs, the reason in exclusionReason', async () => {
    const day = CALENDAR[20] as string;
    const market = new MemoryMarket();
    const e = new InferenceEngine({ models: new MemoryModelSource().add(model), features: new MemoryFeatures(), market, scorer: new InThreadScorer() });
    engines.push(e);
    const ranked = (await e.recommend({ date: day, topK: 50, strategy: 'topk' })).items.map((i) => i.code);
    const [lastButOne, last] = ranked.slice(-2) as [string, string];
    const prev = market.series.get(last)?.find((b) => b.date === CALENDAR[19])?.close as number;
    market.patch(last, day, { close: Math.round(prev * 90) / 100 });
    e.invalidate(day);
    const holdings = [
      { code: lastButOne, shares: 100, openedOn: CALENDAR[21] as string },
      { code: last, shares: 100, openedOn: CALENDAR[10] as string },
    ];
    const out = await e.recommend({ date: day, topK: 5, strategy: 'topk', holdings });
    const byCode = new Map(out.items.map((i) => [i.code, i]));
    expect(byCode.get(lastButOne)).toMatchObject({ action: 'HOLD', tradable: false, exclusionReason: `to sell, but opened on ${CALENDAR[21]}: cannot be sold on ${CALENDAR[21]} (T+1)` });
    expect(byCode.get(last)).toMatchObject({ action: 'HOLD', tradable: false, flags: ['down-limit'] });
    expect(byCode.get(last)?.exclusionReason).toMatch(/down-limit/);
  });

  it('refuses an unknown strategy and a bad holding date', async () => {
    const e = new InferenceEngine({ models: new MemoryModelSource().add(model), features: new MemoryFeatures(), market: new MemoryMarket(), scorer: new InThreadScorer() });
    engines.push(e);
    await expect(e.recommend({ strategy: 'momentum' })).rejects.toMatchObject({ code: 'INFERENCE_BAD_REQUEST' });
    await expect(e.recommend({ holdings: [{ code: 'SH600000', shares: 100, openedOn: 'yesterday' }] })).rejects.toMatchObject({ code: 'INFERENCE_BAD_REQUEST' });
  });
});
