import { describe, expect, it } from 'vitest';
import { aShareCosts, runBacktest } from '../src';
import type { BacktestOptions } from '../src';
import { bar, market, noCosts, ranking } from './backtest-fixtures';

// Golden A-share rule scenarios. Signals are formed at the close of the first session and trade at the
// next session's deal price (open by default). Arithmetic in the comments.
const D = ['2024-03-01', '2024-03-04', '2024-03-05'];
const one = (over: Partial<BacktestOptions> = {}): BacktestOptions => ({
  strategy: { kind: 'topk-dropout', topk: 1, nDrop: 1 },
  start: D[1]!,
  end: D[D.length - 1]!,
  initialCash: 100_000,
  riskDegree: 1,
  costs: noCosts,
  ...over,
});

describe('price limits', () => {
  it('blocks a buy at the up-limit and refills from the next candidate', () => {
    // A: prev close 10.00, opens at 11.00 = 10.00 * 1.10 (main board 10%) -> no buy.
    // B (next candidate): 100,000 / 20 = 5,000 shares, exactly the cash.
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 11), bar('SH600001', D[0]!, 20), bar('SH600001', D[1]!, 20)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000', 'SH600001']), one({ end: D[1]! }));
    const day = r.days[0]!;
    expect(day.blocked).toEqual([{ code: 'SH600000', side: 'buy', reason: 'up-limit', detail: expect.stringContaining('main-10') }]);
    expect(day.trades.map((t) => [t.code, t.side, t.shares])).toEqual([['SH600001', 'buy', 5000]]);
    expect(day.cash).toBe(0);
    expect(r.summary.blockedByReason).toEqual({ 'up-limit': 1 });
  });

  it('buys one fen below the up-limit', () => {
    // 10.99 < 11.00: tradable; 100,000 / 10.99 = 9,099.2 -> 9,000 shares
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10.99)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), one({ end: D[1]! }));
    expect(r.days[0]!.trades[0]!.shares).toBe(9000);
  });

  it('blocks a sell at the down-limit and keeps the holding without buying', () => {
    // held A 1,000 shares, prev close 10.00; A opens at 9.00 = 10 * 0.90 -> no sell; one slot stays
    // taken, so B is not bought. Close 9.00: value 100,000 + 9,000 = 109,000 from 110,000 -> -0.909%
    const m = market(D, [bar('SZ000001', D[0]!, 10), bar('SZ000001', D[1]!, 9), bar('SZ000002', D[0]!, 5), bar('SZ000002', D[1]!, 5)]);
    const r = runBacktest(m, ranking(D[0]!, ['SZ000002', 'SZ000001']), one({ end: D[1]!, initialPositions: [{ code: 'SZ000001', shares: 1000 }] }));
    const day = r.days[0]!;
    expect(r.summary.initialValue).toBe(110_000);
    expect(day.blocked.map((b) => [b.code, b.reason])).toEqual([['SZ000001', 'down-limit']]);
    expect(day.trades).toEqual([]);
    expect(day.positions.map((p) => [p.code, p.shares, p.price])).toEqual([['SZ000001', 1000, 9]]);
    expect(day.return).toBeCloseTo(-1000 / 110_000, 12);
  });

  it('applies the 5% ST limit, and 10% on the main board from 2025-07-07', () => {
    // ST, prev close 10.00, open 10.50 = 10 * 1.05 -> up-limit in 2024; the same stock not ST buys
    const st = market(D, [bar('SH600002', D[0]!, 10, { isST: true }), bar('SH600002', D[1]!, 10.5, { isST: true })]);
    const blocked = runBacktest(st, ranking(D[0]!, ['SH600002']), one({ end: D[1]! }));
    expect(blocked.days[0]!.blocked[0]).toMatchObject({ reason: 'up-limit', detail: expect.stringContaining('main-st-5') });
    const plain = market(D, [bar('SH600002', D[0]!, 10), bar('SH600002', D[1]!, 10.5)]);
    expect(runBacktest(plain, ranking(D[0]!, ['SH600002']), one({ end: D[1]! })).days[0]!.trades).toHaveLength(1);
    // from 2025-07-07 a main-board ST stock moves 10%: 10.50 is tradable, 100,000 / 10.5 -> 9,500 shares
    const J = ['2025-07-04', '2025-07-07'];
    const later = market(J, [bar('SH600002', J[0]!, 10, { isST: true }), bar('SH600002', J[1]!, 10.5, { isST: true })]);
    const r = runBacktest(later, ranking(J[0]!, ['SH600002']), one({ start: J[1]!, end: J[1]! }));
    expect(r.days[0]!.trades[0]).toMatchObject({ shares: 9500, price: 10.5 });
  });

  it('applies ChiNext 10% before 2020-08-24 and 20% from it; STAR 20%', () => {
    // prev close 10.00, open 11.00: the 10% up-limit on 2020-08-21 blocks it, the 20% limit on 2020-08-24
    // (12.00) does not: 100,000 / 11 = 9,090.9 -> 9,000 shares
    const S = ['2020-08-20', '2020-08-21', '2020-08-24'];
    const bars = [bar('SZ300750', S[0]!, 10), bar('SZ300750', S[1]!, 11), bar('SZ300750', S[2]!, 11, { prevClose: 10 })];
    const before = runBacktest(market(S, bars), ranking(S[0]!, ['SZ300750']), one({ start: S[1]!, end: S[1]! }));
    expect(before.days[0]!.blocked[0]).toMatchObject({ reason: 'up-limit', detail: expect.stringContaining('chinext-10') });
    const after = runBacktest(market(S, bars), ranking(S[1]!, ['SZ300750']), one({ start: S[2]!, end: S[2]! }));
    expect(after.days[0]!.trades[0]).toMatchObject({ code: 'SZ300750', shares: 9000 });
    // at 12.00 = 10 * 1.2 it is the up-limit again; STAR the same (min 200 shares, any count above)
    const top = [bar('SZ300750', S[1]!, 10), bar('SZ300750', S[2]!, 12), bar('SH688001', S[1]!, 10), bar('SH688001', S[2]!, 12)];
    const atLimit = runBacktest(market(S, top), ranking(S[1]!, ['SZ300750', 'SH688001']), one({ start: S[2]!, end: S[2]! }));
    expect(atLimit.days[0]!.blocked.map((b) => [b.code, b.reason, b.detail.includes('-20')])).toEqual([
      ['SZ300750', 'up-limit', true],
      ['SH688001', 'up-limit', true],
    ]);
  });

  it('has no limit in the first five sessions of a ChiNext listing after the reform', () => {
    // listed 2021-01-04; on its 2nd session it opens at +50%: no limit, so it buys
    const L = ['2021-01-04', '2021-01-05'];
    const m = market(L, [bar('SZ301001', L[0]!, 10), bar('SZ301001', L[1]!, 15)], undefined, { SZ301001: L[0]! });
    const r = runBacktest(m, ranking(L[0]!, ['SZ301001']), one({ start: L[1]!, end: L[1]! }));
    expect(r.days[0]!.trades[0]).toMatchObject({ shares: 6600, price: 15 }); // 100,000 / 15 = 6,666.7
  });
});

describe('suspension', () => {
  it('neither sells nor buys a suspended stock; the holding keeps its last price', () => {
    // held A 1,000 @ 10 is suspended on D1 (its open of 12 is not a deal): the sell is blocked and keeps
    // the only slot taken, so B is not tried. value = 100,000 + 1,000 * 10 (last close) = 110,000: return 0
    const m = market(D, [
      bar('SH600000', D[0]!, 10),
      bar('SH600000', D[1]!, 12, { traded: false }),
      bar('SH600001', D[0]!, 10),
      bar('SH600001', D[1]!, 10, { volume: 0 }),
    ]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600001', 'SH600000']), one({ end: D[1]!, initialPositions: [{ code: 'SH600000', shares: 1000 }] }));
    const day = r.days[0]!;
    expect(day.blocked.map((b) => [b.code, b.side, b.reason])).toEqual([['SH600000', 'sell', 'suspended']]);
    expect(day.positions).toEqual([{ code: 'SH600000', shares: 1000, price: 10, value: 10_000, boughtOn: D[0] }]);
    expect(day.value).toBe(110_000);
    expect(day.return).toBe(0);
  });

  it('skips a suspended buy candidate and buys the next one', () => {
    // B has volume 0 on D1 (suspended); C: 100,000 / 25 = 4,000 shares
    const m = market(D, [bar('SH600001', D[0]!, 10), bar('SH600001', D[1]!, 10, { volume: 0 }), bar('SH600003', D[0]!, 25), bar('SH600003', D[1]!, 25)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600001', 'SH600003']), one({ end: D[1]! }));
    expect(r.days[0]!.blocked.map((b) => [b.code, b.reason])).toEqual([['SH600001', 'suspended']]);
    expect(r.days[0]!.trades.map((t) => [t.code, t.shares])).toEqual([['SH600003', 4000]]);
  });
});

describe('lots, T+1 and cash', () => {
  it('rounds buys down to whole lots of 100 (STAR: 200 minimum, then any count)', () => {
    // main board at 33.00: 100,000 / 33 = 3,030.3 -> 3,000 shares, 1,000 cash left
    const main = market(D, [bar('SH600000', D[0]!, 33), bar('SH600000', D[1]!, 33)]);
    const r = runBacktest(main, ranking(D[0]!, ['SH600000']), one({ end: D[1]! }));
    expect(r.days[0]!.trades[0]!.shares).toBe(3000);
    expect(r.days[0]!.cash).toBe(1000);
    // STAR at 333.00: 100,000 / 333 = 300.3 -> 300 shares (>= 200, any count)
    const star = market(D, [bar('SH688001', D[0]!, 333), bar('SH688001', D[1]!, 333)]);
    expect(runBacktest(star, ranking(D[0]!, ['SH688001']), one({ end: D[1]! })).days[0]!.trades[0]!.shares).toBe(300);
    // at 1,200.00 the budget buys 83 shares: less than a lot, no trade
    const dear = market(D, [bar('SH600519', D[0]!, 1200), bar('SH600519', D[1]!, 1200)]);
    expect(runBacktest(dear, ranking(D[0]!, ['SH600519']), one({ end: D[1]! })).days[0]!.blocked[0]!.reason).toBe('lot');
  });

  it('sells an odd-lot holding entirely', () => {
    // 150 shares (e.g. after a bonus issue) are sold at once: 150 * 10 = 1,500
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10), bar('SH600001', D[0]!, 10), bar('SH600001', D[1]!, 10)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600001', 'SH600000']), one({ end: D[1]!, initialCash: 0, initialPositions: [{ code: 'SH600000', shares: 150 }] }));
    expect(r.days[0]!.trades.map((t) => [t.code, t.side, t.shares, t.value])).toEqual([
      ['SH600000', 'sell', 150, 1500],
      ['SH600001', 'buy', 100, 1000],
    ]);
  });

  it('refuses to sell shares bought the same session (T+1) and sells them the next', () => {
    // the start position was bought on D1 itself: the D1 sell is blocked, the D2 sell goes through
    const m = market(D, D.flatMap((d) => [bar('SH600000', d, 10), bar('SH600001', d, 10)]));
    const signals = [...ranking(D[0]!, ['SH600001', 'SH600000']), ...ranking(D[1]!, ['SH600001', 'SH600000'])];
    const r = runBacktest(m, signals, one({ initialCash: 0, initialPositions: [{ code: 'SH600000', shares: 1000, boughtOn: D[1]! }] }));
    expect(r.days[0]!.blocked.map((b) => [b.code, b.reason])).toEqual([['SH600000', 't+1']]);
    expect(r.days[1]!.trades.map((t) => [t.code, t.side, t.shares])).toEqual([
      ['SH600000', 'sell', 1000],
      ['SH600001', 'buy', 1000],
    ]);
  });

  it('charges the minimum commission on a small order', () => {
    // 2024: 100 shares @ 10 = 1,000: commission max(5, 1,000 * 0.025%) = 5, transfer fee 0.001% = 0.01,
    // no stamp duty on buys -> 5.01; cash 1,050 - 1,005.01 = 44.99
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000']), one({ end: D[1]!, initialCash: 1050, costs: aShareCosts() }));
    const t = r.days[0]!.trades[0]!;
    expect(t.cost.commission).toBe(5);
    expect(t.cost.total).toBeCloseTo(5.01, 10);
    expect(r.days[0]!.cash).toBeCloseTo(44.99, 10);
    // Qlib's return excludes costs; its cost column holds them: 5.01 / 1,050
    expect(r.days[0]!.return).toBeCloseTo(0, 12);
    expect(r.days[0]!.cost).toBeCloseTo(5.01 / 1050, 12);
    expect(r.days[0]!.netReturn).toBeCloseTo(-5.01 / 1050, 12);
  });

  it('charges stamp duty on sells at 0.1% until 2023-08-25 and 0.05% from 2023-08-28', () => {
    // sell 1,000 @ 10 = 10,000: commission max(5, 2.5) = 5, transfer 0.1, stamp 10 (0.1%) or 5 (0.05%)
    const sellOn = (days: string[]) => {
      const m = market(days, [bar('SH600000', days[0]!, 10), bar('SH600000', days[1]!, 10), bar('SH600001', days[1]!, 10, { traded: false })]);
      const r = runBacktest(m, ranking(days[0]!, ['SH600001', 'SH600000']), {
        ...one({ start: days[1]!, end: days[1]!, initialCash: 0, costs: aShareCosts() }),
        initialPositions: [{ code: 'SH600000', shares: 1000 }],
      });
      return r.days[0]!.trades[0]!.cost;
    };
    const before = sellOn(['2023-08-24', '2023-08-25']);
    expect(before.stampDuty).toBeCloseTo(10, 10);
    expect(before.total).toBeCloseTo(15.1, 10);
    const after = sellOn(['2023-08-25', '2023-08-28']);
    expect(after.stampDuty).toBeCloseTo(5, 10);
    expect(after.total).toBeCloseTo(10.1, 10);
  });

  it('cuts buys by lots until value and costs fit the cash, which never goes negative', () => {
    // two slots of 20,000 / 2 = 10,000: first 1,000 @ 10 + 5 + 0.1 = 10,005.1 -> cash 9,994.9;
    // second wants 999 -> 900 shares: 9,000 + 5 + 0.09 = 9,005.09 -> cash 989.81
    const m = market(D, [bar('SH600000', D[0]!, 10), bar('SH600000', D[1]!, 10), bar('SH600001', D[0]!, 10), bar('SH600001', D[1]!, 10)]);
    const r = runBacktest(m, ranking(D[0]!, ['SH600000', 'SH600001']), {
      ...one({ end: D[1]!, initialCash: 20_000, costs: aShareCosts() }),
      strategy: { kind: 'topk-dropout', topk: 2, nDrop: 1 },
    });
    expect(r.days[0]!.trades.map((t) => t.shares)).toEqual([1000, 900]);
    expect(r.days[0]!.cash).toBeCloseTo(989.81, 8);
    // with all the cash in one slot: 10,000 shares cost 100,026 > 100,000 -> 9,900 shares, 99,025.74
    const big = runBacktest(m, ranking(D[0]!, ['SH600000']), one({ end: D[1]!, costs: aShareCosts() }));
    expect(big.days[0]!.trades[0]!.shares).toBe(9900);
    expect(big.days[0]!.cash).toBeCloseTo(974.26, 8);
  });
});
