import { describe, expect, it } from 'vitest';
import { inMemoryBacktestMarket, portfolioMetrics, qlibCosts, runBacktest, topkDropoutPlan } from '../src';
import type { BacktestOptions } from '../src';
import { bar, market, noCosts, ranking } from './backtest-fixtures';

const D = ['2024-03-01', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07'];
const base: BacktestOptions = {
  strategy: { kind: 'topk-dropout', topk: 1, nDrop: 1 },
  start: D[1]!,
  end: D[1]!,
  initialCash: 100_000,
  riskDegree: 1,
  costs: noCosts,
};

describe('deal price', () => {
  // D0 close 10; D1 opens 10.50 and closes 10.80 (11.00 would be the up-limit)
  const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10.8, { open: 10.5, high: 10.8, low: 10.5 })]);

  it('deals at the open of T+1', () => {
    // 100,000 / 10.5 = 9,523.8 -> 9,500 shares = 99,750, cash 250; close: 250 + 9,500 * 10.8 = 102,850 (+2.85%)
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), base);
    expect(r.days[0]!.trades[0]).toMatchObject({ shares: 9500, price: 10.5, value: 99_750 });
    expect(r.days[0]!.value).toBeCloseTo(102_850, 8);
    expect(r.days[0]!.return).toBeCloseTo(0.0285, 12);
    expect(r.days[0]!.signalDate).toBe(D[0]);
  });

  it('deals at the close of T+1', () => {
    // 100,000 / 10.8 = 9,259.3 -> 9,200 shares = 99,360, cash 640; value 100,000 (0%)
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), { ...base, dealPrice: 'close' });
    expect(r.days[0]!.trades[0]).toMatchObject({ shares: 9200, price: 10.8 });
    expect(r.days[0]!.cash).toBeCloseTo(640, 8);
    expect(r.days[0]!.return).toBeCloseTo(0, 12);
  });

  it('uses the previous session scores only: a score dated on the trade day is not seen', () => {
    const r = runBacktest(m, ranking(D[1]!, ['SH600000']), base);
    expect(r.days[0]!.trades).toEqual([]);
    expect(r.days[0]!.signalDate).toBeNull();
  });
});

describe('TopK-Dropout (Qlib semantics)', () => {
  // Four stocks flat at 10, topk 2, nDrop 1, 2,000 cash, no costs.
  // D1 (scores D0 A>B>C>D): nothing held; buy A, B with 1,000 each -> 100 shares; turnover 2,000/2,000 = 1
  // D2 (scores D1 C>D>A>B): held [A,B]; today = best 1+2-2 = 1 non-held = [C]; comb C>A>B, worst 1 = B:
  //     sell B (1,000), buy C with 1,000; turnover (1,000 + 1,000)/2,000 = 1
  // D3 (scores D2 C>D>A>B): held [C,A]; today [D]; comb C>D>A: sell A, buy D; turnover 1
  // D4 (scores D3 D>C>A>B): held [C,D]; today [A]; comb D>C>A: the worst is A, not held: no trade, 0
  // mean turnover (1+1+1+0)/4 = 0.75
  const m = market(D, D.flatMap((d) => ['SH600000', 'SH600001', 'SH600002', 'SH600003'].map((c) => bar(c, d, 10))));
  const [A, B, C, Dx] = ['SH600000', 'SH600001', 'SH600002', 'SH600003'] as const;
  const signals = [
    ...ranking(D[0]!, [A, B, C, Dx]),
    ...ranking(D[1]!, [C, Dx, A, B]),
    ...ranking(D[2]!, [C, Dx, A, B]),
    ...ranking(D[3]!, [Dx, C, A, B]),
  ];

  it('drops the worst holding for the best newcomer each day and reports turnover', () => {
    const r = runBacktest(m, signals, { ...base, strategy: { kind: 'topk-dropout', topk: 2, nDrop: 1 }, end: D[4]!, initialCash: 2000 });
    const moves = r.days.map((d) => d.trades.map((t) => `${t.side} ${t.code} ${t.shares}`));
    expect(moves).toEqual([[`buy ${A} 100`, `buy ${B} 100`], [`sell ${B} 100`, `buy ${C} 100`], [`sell ${A} 100`, `buy ${Dx} 100`], []]);
    expect(r.days.map((d) => d.positions.map((p) => p.code).sort())).toEqual([[A, B], [A, C], [C, Dx], [C, Dx]]);
    expect(r.days.map((d) => d.turnover)).toEqual([1, 1, 1, 0]);
    expect(r.summary.turnover).toBe(0.75);
    expect(r.summary.tradeCount).toBe(6);
  });

  it('never sells a holding to buy a stock ranked below it', () => {
    // held A (rank 1) and B (rank 4); newcomers C (2), D (3): comb A>C>D>B, nDrop 1 -> sell B only
    const plan = topkDropoutPlan(ranking('x', [A, C, Dx, B]), [A, B], 2, 1);
    expect(plan.sell).toEqual([B]);
    expect(plan.candidates).toEqual([C]);
    expect(plan.buySlots(1)).toBe(1);
    expect(plan.buySlots(0)).toBe(0);
    // an unscored holding ranks last and is the first to go
    expect(topkDropoutPlan(ranking('x', [A, C]), [A, B], 2, 1).sell).toEqual([B]);
  });

  it('plain top-K sells every holding that left the top K', () => {
    // D2 (scores D1 C>D>A>B): target {C, D}: sell B then A (worst first, 1,000 each), buy C, D with 1,000 each
    const r = runBacktest(m, signals, { ...base, strategy: { kind: 'topk', topk: 2 }, end: D[2]!, initialCash: 2000 });
    expect(r.days[1]!.trades.map((t) => `${t.side} ${t.code}`)).toEqual([`sell ${B}`, `sell ${A}`, `buy ${C}`, `buy ${Dx}`]);
    expect(r.days[1]!.turnover).toBe(2);
  });
});

describe('blockedOrders: qlib (Qlib TopkDropoutStrategy handling, for comparisons)', () => {
  // A held 1,000 @ 10 opens D1 at the down-limit 9.00; B and C are candidates, B at the up-limit.
  const m = market(D, [
    bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 9),
    bar('SH600001', D[0]!, 10), bar('SH600001', D[1]!, 11),
    bar('SH600002', D[0]!, 10), bar('SH600002', D[1]!, 10),
  ]);
  const signals = ranking(D[0]!, ['SH600001', 'SH600002', 'SH600000']);
  const opts: BacktestOptions = { ...base, initialPositions: [{ code: 'SH600000', shares: 1000 }] };

  it('refill (default): the refused sell takes the only buy off', () => {
    const r = runBacktest(m, signals, opts);
    expect(r.days[0]!.trades).toEqual([]);
    expect(r.days[0]!.blocked.map((b) => b.reason)).toEqual(['down-limit']);
  });

  it('qlib: buys on the intended sell, leaves the refused buy idle and does not refill', () => {
    // intended sells 1 -> one buy slot: today[:1] = [B], B at the up-limit -> nothing bought, C not tried;
    // cash 100,000 idle, A still held (topk + 0 here, topk + 1 had B traded)
    const r = runBacktest(m, signals, { ...opts, blockedOrders: 'qlib' });
    expect(r.days[0]!.trades).toEqual([]);
    expect(r.days[0]!.blocked.map((b) => [b.code, b.reason])).toEqual([['SH600000', 'down-limit'], ['SH600001', 'up-limit']]);
    // with B tradable, Qlib buys it although A could not be sold: 2 holdings for topk 1
    const open = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 9), bar('SH600001', D[0]!, 10), bar('SH600001', D[1]!, 10)]);
    const both = runBacktest(open, signals, { ...opts, blockedOrders: 'qlib' });
    expect(both.days[0]!.positions.map((p) => p.code)).toEqual(['SH600000', 'SH600001']);
  });

  it('qlib: a stock at its down-limit is not bought either', () => {
    // C opens at 9.00 = down-limit: the default rules buy it (buying at the down-limit is possible), qlib does not
    const down = market(D, [bar('SH600002', D[0]!, 10), bar('SH600002', D[1]!, 9)]);
    const only = ranking(D[0]!, ['SH600002']);
    expect(runBacktest(down, only, base).days[0]!.trades).toHaveLength(1);
    expect(runBacktest(down, only, { ...base, blockedOrders: 'qlib' }).days[0]!.blocked[0]!.reason).toBe('down-limit');
  });
});

describe('returns against the benchmark', () => {
  it('reports Qlib return, cost, bench and excess, and summarises them with portfolioMetrics', () => {
    // Qlib costs (open 0.05%, min 5): buy 9,900 @ 10 = 99,000 -> cost max(49.5, 5) = 49.5;
    //   10,000 shares would need 100,050 > 100,000, so one lot less. cash 100,000 - 99,049.5 = 950.5
    // D1 close 10.5: value 950.5 + 103,950 = 104,900.5; return (4,900.5 + 49.5) / 100,000 = 4.95%,
    //   cost 0.0495%, bench 1,000 -> 1,010 = 1%, excess .0495 - .01 - .000495 = .039005
    // D2 close 10.5, bench 1,010 -> 999.9 = -1%: return 0, excess 0 + .01 = .01
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10.5, { open: 10 }), bar('SH600000', D[2]!, 10.5)], [1000, 1010, 999.9]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), { ...base, end: D[2]!, costs: qlibCosts() });
    const [d1, d2] = r.days;
    expect(d1!.trades[0]).toMatchObject({ shares: 9900, cost: { total: 49.5 } });
    expect(d1!.value).toBeCloseTo(104_900.5, 8);
    expect(d1!.return).toBeCloseTo(0.0495, 12);
    expect(d1!.cost).toBeCloseTo(0.000495, 12);
    expect(d1!.bench).toBeCloseTo(0.01, 12);
    expect(d1!.excessReturn).toBeCloseTo(0.039005, 12);
    expect(d1!.turnover).toBeCloseTo(0.99, 12);
    expect(d2!.bench).toBeCloseTo(-0.01, 12);
    expect(d2!.excessReturn).toBeCloseTo(0.01, 12);
    expect(r.summary).toMatchObject(portfolioMetrics(r.days));
    expect(r.summary.annualizedExcessReturn).toBeCloseTo(((0.039005 + 0.01) / 2) * 238, 10);
    expect(r.summary.winRate).toBe(1);
    expect(r.summary.totalCosts).toBeCloseTo(49.5, 10);
    expect(r.summary.finalValue).toBeCloseTo(104_900.5, 8);
  });

  it('rescales a holding on a split so its value follows adjusted prices', () => {
    // 1,000 shares @ 10 (factor 1); D1 a 2-for-1 split: raw close 5, factor 2 -> 2,000 shares @ 5: value
    // unchanged, return 0 (no signal, so no trade)
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 5, { factor: 2 })]);
    const r = runBacktest(m, [], { ...base, initialCash: 0, initialPositions: [{ code: 'SH600000', shares: 1000 }] });
    expect(r.days[0]!.positions[0]).toMatchObject({ shares: 2000, price: 5, value: 10_000 });
    expect(r.days[0]!.return).toBe(0);
  });

  it('judges the limit on an ex-rights day from the factor-adjusted previous close', () => {
    // prev raw close 10, factor 1 -> 2: reference close 10 * 1 / 2 = 5, up-limit 5.50: an open of 5.50
    // is blocked although it is below the raw previous close
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 5.5, { factor: 2 })]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), base);
    expect(r.days[0]!.blocked[0]).toMatchObject({ reason: 'up-limit', detail: expect.stringContaining('previous close 5 ') });
  });

  it('rejects bad options and a missing benchmark', () => {
    const m = market(D, [bar('SH600000', D[0]!, 10)]);
    expect(() => runBacktest(m, [], { ...base, strategy: { kind: 'topk-dropout', topk: 2, nDrop: 3 } })).toThrowError(/nDrop must be an integer in \[0, topk=2\]/);
    expect(() => runBacktest(m, [], { ...base, start: '2030-01-01', end: '2030-02-01' })).toThrowError(/no trading session/);
    const gap = market(D, [], [1000, Number.NaN]);
    expect(() => runBacktest(gap, [], base)).toThrowError(/benchmark close missing or not positive on 2024-03-04/);
  });
});

describe('in-memory market', () => {
  it('takes stored bars as they are: a missing factor reads 1, a missing ST flag false', () => {
    const m = inMemoryBacktestMarket({
      bars: [{ code: 'SH600000', date: D[0]!, open: 1, high: 1, low: 1, close: 1, volume: null, traded: true, isST: null, factor: null }],
      benchmark: [{ date: D[0]!, close: 1000 }],
    });
    expect(m.sessions).toEqual([D[0]]);
    expect(m.quote('SH600000', D[0]!)).toMatchObject({ factor: 1, isST: false, volume: null });
    expect(m.quote('SH600000', D[1]!)).toBeUndefined();
    expect(m.benchmarkClose(D[0]!)).toBe(1000);
  });
});
