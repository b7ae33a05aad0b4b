import { QuantError } from '@quant/errors';
import { lotRule, roundBuyQuantity } from '@quant/market';
import type { BacktestMarket } from './backtest-market.port';
import type {
  BacktestDay,
  BacktestOptions,
  BacktestResult,
  BacktestSignal,
  BacktestTrade,
  BlockedOrder,
  BlockReason,
} from './backtest.types';
import { aShareCosts } from './cost-models';
import { checkOrder, isTradedQuote } from './order-checks';
import { portfolioMetrics } from './risk-metrics';
import type { Ranked, TradePlan } from './topk-plan';
import { topkDropoutPlan, topkPlan } from './topk-plan';

interface Holding {
  shares: number;
  boughtOn: string;
  /** Raw price the position is valued at. */
  price: number;
  /** Factor of the share basis `shares` and `price` are in. */
  factor: number;
}

/**
 * Runs a daily long-only backtest of a score signal under A-share rules.
 *
 * Each session D of [start, end]: the scores of the previous session (formed at its close) decide the
 * orders, which deal at D's open or close (raw prices). Sells go first and their proceeds can buy the
 * same day. Each buy gets cash * riskDegree / (buys wanted), rounded down to the board lot, and is cut by
 * lots until price + costs fit the cash, so cash never goes negative. An order the market refuses
 * (suspended, no bar, price at the limit, T+1, less than a lot) is recorded with its reason. With
 * `blockedOrders: 'refill'` (default) a blocked sell keeps the holding and one buy fewer is made, so the
 * portfolio never exceeds topk, and a blocked buy passes to the next candidate of the strategy's list;
 * with 'qlib' the buys are sized on the intended sells, a blocked buy leaves its cash idle and a stock
 * at either limit is neither bought nor sold, as Qlib's TopkDropoutStrategy does. Positions are valued at the raw close (the last
 * traded close while suspended); a factor change (split, bonus, dividend) rescales shares so values
 * follow adjusted prices, as if dividends were reinvested. Signals dated on non-sessions are never used.
 */
export function runBacktest(market: BacktestMarket, signals: readonly BacktestSignal[], options: BacktestOptions): BacktestResult {
  const opts = validate(options);
  const sessions = market.sessions;
  const sessionIndex = new Map(sessions.map((d, i) => [d, i]));
  const ranked = rankByDate(signals);
  const costs = options.costs ?? aShareCosts();
  const first = sessions.findIndex((d) => d >= opts.start);
  if (first < 0 || sessions[first]! > opts.end) {
    throw new QuantError('BACKTEST_INVALID', `no trading session between ${opts.start} and ${opts.end}`, { details: { start: opts.start, end: opts.end } });
  }

  let cash = opts.initialCash;
  const holdings = new Map<string, Holding>();
  for (const p of options.initialPositions ?? []) holdings.set(p.code, initialHolding(market, p, first));
  const initialValue = valueOf(cash, holdings);
  let prevValue = initialValue;
  const days: BacktestDay[] = [];
  const blockedByReason: Partial<Record<BlockReason, number>> = {};

  for (let i = first; i < sessions.length && sessions[i]! <= opts.end; i++) {
    const date = sessions[i]!;
    applyCorporateActions(market, date, holdings);
    const signalDate = i > 0 ? sessions[i - 1]! : null;
    const scores = signalDate === null ? undefined : ranked.get(signalDate);
    const trades: BacktestTrade[] = [];
    const blocked: BlockedOrder[] = [];
    const order = { market, date, session: i, sessionIndex, dealPrice: opts.dealPrice, eitherLimit: opts.blockedOrders === 'qlib' };

    if (scores) {
      const plan = planFor(opts.strategy, scores, [...holdings.keys()]);
      let sold = 0;
      for (const code of plan.sell) {
        const h = holdings.get(code)!;
        const check = checkOrder({ ...order, code, side: 'sell', boughtOn: h.boughtOn });
        if (!check.ok) {
          blocked.push({ code, side: 'sell', reason: check.reason, detail: check.detail });
          continue;
        }
        const cost = costs({ code, date, side: 'sell', shares: h.shares, price: check.price });
        cash += h.shares * check.price - cost.total;
        trades.push({ code, side: 'sell', shares: h.shares, price: check.price, value: h.shares * check.price, cost });
        holdings.delete(code);
        sold++;
      }
      // Qlib sizes the buy list on the sells it intended and never replaces a refused buy.
      const qlib = order.eitherLimit;
      const slots = plan.buySlots(qlib ? plan.sell.length : sold);
      const budget = slots > 0 ? (cash * opts.riskDegree) / slots : 0;
      let bought = 0;
      for (const code of qlib ? plan.candidates.slice(0, slots) : plan.candidates) {
        if (bought >= slots) break;
        const check = checkOrder({ ...order, code, side: 'buy' });
        if (!check.ok) {
          blocked.push({ code, side: 'buy', reason: check.reason, detail: check.detail });
          continue;
        }
        const sized = sizeBuy(code, date, check.price, budget, cash, costs);
        if (typeof sized === 'string') {
          blocked.push({ code, side: 'buy', reason: sized, detail: `${code} at ${check.price}: budget ${budget.toFixed(2)}, cash ${cash.toFixed(2)} buy no lot` });
          continue;
        }
        cash -= sized.value + sized.cost.total;
        trades.push({ code, side: 'buy', shares: sized.shares, price: check.price, value: sized.value, cost: sized.cost });
        holdings.set(code, { shares: sized.shares, boughtOn: date, price: check.price, factor: check.quote.factor });
        bought++;
      }
    }

    for (const [code, h] of holdings) {
      const q = market.quote(code, date);
      if (isTradedQuote(q)) h.price = q.close;
    }
    for (const b of blocked) blockedByReason[b.reason] = (blockedByReason[b.reason] ?? 0) + 1;
    const value = valueOf(cash, holdings);
    const paid = trades.reduce((s, t) => s + t.cost.total, 0);
    const traded = trades.reduce((s, t) => s + t.value, 0);
    const bench = benchmarkReturn(market, sessions, i);
    const ret = (value - prevValue + paid) / prevValue;
    days.push({
      date,
      signalDate: scores ? signalDate : null,
      value,
      cash,
      return: ret,
      cost: paid / prevValue,
      netReturn: value / prevValue - 1,
      bench,
      excessReturn: ret - bench - paid / prevValue,
      turnover: traded / prevValue,
      costs: paid,
      positions: [...holdings].map(([code, h]) => ({ code, shares: h.shares, price: h.price, value: h.shares * h.price, boughtOn: h.boughtOn })),
      trades,
      blocked,
    });
    prevValue = value;
  }

  return {
    days,
    summary: {
      ...portfolioMetrics(days, { riskFreeRate: opts.riskFreeRate }),
      initialValue,
      finalValue: prevValue,
      totalCosts: days.reduce((s, d) => s + d.costs, 0),
      tradeCount: days.reduce((s, d) => s + d.trades.length, 0),
      blockedByReason,
    },
  };
}

function planFor(strategy: BacktestOptions['strategy'], scores: Ranked, held: string[]): TradePlan {
  return strategy.kind === 'topk-dropout' ? topkDropoutPlan(scores, held, strategy.topk, strategy.nDrop) : topkPlan(scores, held, strategy.topk);
}

/** Whole lots worth at most `budget`, cut a lot at a time until value + costs fit the cash. */
function sizeBuy(
  code: string,
  date: string,
  price: number,
  budget: number,
  cash: number,
  costs: NonNullable<BacktestOptions['costs']>,
): { shares: number; value: number; cost: ReturnType<NonNullable<BacktestOptions['costs']>> } | BlockReason {
  let shares = roundBuyQuantity(code, Math.min(budget, cash) / price);
  if (shares === 0) return 'lot';
  const { increment } = lotRule(code);
  while (shares > 0) {
    const cost = costs({ code, date, side: 'buy', shares, price });
    if (shares * price + cost.total <= cash) return { shares, value: shares * price, cost };
    shares = roundBuyQuantity(code, shares - increment);
  }
  return 'cash';
}

function applyCorporateActions(market: BacktestMarket, date: string, holdings: Map<string, Holding>): void {
  for (const [code, h] of holdings) {
    const q = market.quote(code, date);
    if (!q || !(q.factor > 0) || q.factor === h.factor) continue;
    const ratio = q.factor / h.factor;
    h.shares *= ratio;
    h.price /= ratio;
    h.factor = q.factor;
  }
}

function initialHolding(market: BacktestMarket, p: { code: string; shares: number; boughtOn?: string }, first: number): Holding {
  if (!(p.shares > 0)) throw new QuantError('BACKTEST_INVALID', `initial position ${p.code} needs positive shares, got ${p.shares}`, { details: { code: p.code } });
  const sessions = market.sessions;
  for (let j = first; j >= 0; j--) {
    const q = market.quote(p.code, sessions[j]!);
    // The first session counts only through its previous close: positions are valued before it opens.
    const price = j === first ? q?.prevClose : isTradedQuote(q) ? q.close : undefined;
    if (q && price !== undefined) return { shares: p.shares, boughtOn: p.boughtOn ?? heldBefore(sessions, first), price, factor: q.factor };
  }
  throw new QuantError('BACKTEST_INVALID', `initial position ${p.code} has no close before ${sessions[first]} to value it`, { details: { code: p.code } });
}

/** A start position counts as bought before the first session, so it can be sold on it. */
function heldBefore(sessions: readonly string[], first: number): string {
  return first > 0 ? sessions[first - 1]! : '0000-01-01';
}

function benchmarkReturn(market: BacktestMarket, sessions: readonly string[], i: number): number {
  if (i === 0) return 0;
  const now = market.benchmarkClose(sessions[i]!);
  const before = market.benchmarkClose(sessions[i - 1]!);
  if (!(now! > 0) || !(before! > 0)) {
    throw new QuantError('BENCHMARK_MISSING', `benchmark close missing or not positive on ${now! > 0 ? sessions[i - 1] : sessions[i]}`, {
      details: { date: sessions[i]! },
    });
  }
  return now! / before! - 1;
}

function valueOf(cash: number, holdings: ReadonlyMap<string, Holding>): number {
  let v = cash;
  for (const h of holdings.values()) v += h.shares * h.price;
  return v;
}

function rankByDate(signals: readonly BacktestSignal[]): Map<string, Ranked> {
  const byDate = new Map<string, { code: string; score: number }[]>();
  for (const s of signals) {
    if (!Number.isFinite(s.score)) {
      throw new QuantError('BACKTEST_INVALID', `signal ${s.date} ${s.code} has a non-finite score ${s.score}`, { details: { date: s.date, code: s.code } });
    }
    const day = byDate.get(s.date);
    if (day) day.push({ code: s.code, score: s.score });
    else byDate.set(s.date, [{ code: s.code, score: s.score }]);
  }
  for (const day of byDate.values()) day.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return byDate;
}

function validate(o: BacktestOptions) {
  const fail = (message: string): never => {
    throw new QuantError('BACKTEST_INVALID', message);
  };
  const s = o.strategy;
  if (!Number.isInteger(s.topk) || s.topk < 1) fail(`strategy topk must be a positive integer, got ${s.topk}`);
  if (s.kind === 'topk-dropout' && (!Number.isInteger(s.nDrop) || s.nDrop < 0 || s.nDrop > s.topk)) {
    fail(`strategy nDrop must be an integer in [0, topk=${s.topk}], got ${s.nDrop}`);
  }
  if (!(o.start <= o.end)) fail(`backtest start ${o.start} is after end ${o.end}`);
  const riskDegree = o.riskDegree ?? 0.95;
  if (!(riskDegree > 0 && riskDegree <= 1)) fail(`riskDegree must be in (0, 1], got ${riskDegree}`);
  const initialCash = o.initialCash ?? 100_000_000;
  if (!(initialCash >= 0) || !Number.isFinite(initialCash)) fail(`initialCash must be a finite amount >= 0, got ${initialCash}`);
  const dealPrice = o.dealPrice ?? 'open';
  if (dealPrice !== 'open' && dealPrice !== 'close') fail(`dealPrice must be open or close, got ${String(dealPrice)}`);
  const blockedOrders = o.blockedOrders ?? 'refill';
  if (blockedOrders !== 'refill' && blockedOrders !== 'qlib') fail(`blockedOrders must be refill or qlib, got ${String(blockedOrders)}`);
  return { strategy: s, start: o.start, end: o.end, riskDegree, initialCash, dealPrice, blockedOrders, riskFreeRate: o.riskFreeRate ?? 0 };
}
