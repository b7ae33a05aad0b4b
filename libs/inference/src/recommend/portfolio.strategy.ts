import { QuantError } from '@quant/errors';
import { canSell } from '@quant/market';
import type { Tradability } from './tradability';

export type StrategyName = 'topk' | 'topk-dropout';
export const STRATEGIES: readonly StrategyName[] = ['topk-dropout', 'topk'];

export interface RankedCandidate {
  code: string;
  score: number;
  /** 1-based, by score, within the day's scored universe. */
  rank: number;
}

export interface HoldingInput {
  code: string;
  shares: number;
  /** Day the position was opened: it cannot be sold on that day (T+1). */
  openedOn: string;
}

export interface StrategyOptions {
  strategy: StrategyName;
  topK: number;
  /** TopK-Dropout: positions replaced per day at most. */
  nDrop: number;
  /** The trading day the orders are for (T+1). */
  tradeDate: string;
}

export type Action = 'BUY' | 'HOLD' | 'SELL';

export interface Decision {
  code: string;
  action: Action;
  /** Fraction of equity after the day's trades (equal weights over the positions kept or bought). */
  targetWeight: number;
  /** Why a position could not be sold, when it could not. */
  note: string | null;
}

export interface Exclusion {
  code: string;
  rank: number;
  score: number;
  reasons: string[];
}

export interface StrategyResult {
  decisions: Decision[];
  /** Candidates ranked above the last one bought that were skipped because they cannot be bought at T+1. */
  excluded: Exclusion[];
}

function sellBlock(h: HoldingInput, t: Tradability | undefined, tradeDate: string): string | null {
  if (!canSell(h.openedOn, tradeDate)) return `opened on ${h.openedOn}: cannot be sold on ${tradeDate} (T+1)`;
  if (t !== undefined && !t.sellable) return t.reasons.join('; ');
  return null;
}

/**
 * Builds the orders for T+1 from the scores of T, as Qlib's strategies do:
 * - `topk`: hold the K best buyable (or already held) instruments, sell the rest;
 * - `topk-dropout` (Qlib TopkDropoutStrategy): from the held positions and the best
 *   `nDrop + K - held` buyable instruments not held, sell the held ones among the `nDrop` worst of that
 *   union and buy the best new ones to refill K; turnover is bounded by nDrop per day.
 * Instruments that cannot be bought at T+1 are skipped (and reported), positions that cannot be sold
 * (T+1 rule, suspension, down-limit) are kept with the reason.
 */
export function buildPortfolio(ranked: readonly RankedCandidate[], tradable: ReadonlyMap<string, Tradability>, holdings: readonly HoldingInput[], options: StrategyOptions): StrategyResult {
  const { topK, nDrop, tradeDate } = options;
  if (!Number.isInteger(topK) || topK < 1) throw new QuantError('RECOMMEND_INVALID', `top_k must be a positive integer, got ${topK}`, { details: { topK } });
  if (!Number.isInteger(nDrop) || nDrop < 0) throw new QuantError('RECOMMEND_INVALID', `n_drop must be a non-negative integer, got ${nDrop}`, { details: { nDrop } });
  const scoreOf = new Map(ranked.map((c) => [c.code, c.score]));
  const byScore = (a: string, b: string) => (scoreOf.get(b) ?? -Infinity) - (scoreOf.get(a) ?? -Infinity);
  const held = new Map(holdings.map((h) => [h.code, h]));
  const excluded: Exclusion[] = [];

  /** The best `n` candidates not held and buyable, recording the skipped ones ranked above the last taken. */
  const pickNew = (n: number): string[] => {
    const picked: string[] = [];
    const skipped: Exclusion[] = [];
    for (const c of ranked) {
      if (picked.length >= n) break;
      if (held.has(c.code)) continue;
      const t = tradable.get(c.code);
      if (t !== undefined && !t.buyable) skipped.push({ code: c.code, rank: c.rank, score: c.score, reasons: t.reasons });
      else picked.push(c.code);
    }
    excluded.push(...skipped);
    return picked;
  };

  let keep: string[];
  let sell: string[];
  let buy: string[];
  if (options.strategy === 'topk') {
    const target: string[] = [];
    const skipped: Exclusion[] = [];
    for (const c of ranked) {
      if (target.length >= topK) break;
      const t = tradable.get(c.code);
      if (held.has(c.code) || t === undefined || t.buyable) target.push(c.code);
      else skipped.push({ code: c.code, rank: c.rank, score: c.score, reasons: t.reasons });
    }
    excluded.push(...skipped);
    const targetSet = new Set(target);
    keep = target.filter((c) => held.has(c));
    buy = target.filter((c) => !held.has(c));
    sell = [...held.keys()].filter((c) => !targetSet.has(c));
  } else {
    const last = [...held.keys()].sort(byScore);
    const today = pickNew(Math.max(0, nDrop + topK - last.length));
    const comb = [...last, ...today].sort(byScore);
    const worst = new Set(comb.slice(Math.max(0, comb.length - nDrop)));
    sell = nDrop === 0 ? [] : last.filter((c) => worst.has(c));
    buy = today.slice(0, Math.max(0, sell.length + topK - last.length));
    keep = last.filter((c) => !sell.includes(c));
  }

  const decisions: Decision[] = [];
  const stuck: Decision[] = [];
  for (const code of sell) {
    const blocked = sellBlock(held.get(code) as HoldingInput, tradable.get(code), tradeDate);
    if (blocked === null) decisions.push({ code, action: 'SELL', targetWeight: 0, note: null });
    else stuck.push({ code, action: 'HOLD', targetWeight: 0, note: `to sell, but ${blocked}` });
  }
  // Positions that could not be sold still occupy a slot: buy fewer so the book stays at K.
  const buys = buy.slice(0, Math.max(0, topK - keep.length - stuck.length));
  const positions = keep.length + stuck.length + buys.length;
  const weight = positions === 0 ? 0 : 1 / positions;
  for (const code of keep) decisions.push({ code, action: 'HOLD', targetWeight: weight, note: null });
  for (const d of stuck) decisions.push({ ...d, targetWeight: weight });
  for (const code of buys) decisions.push({ code, action: 'BUY', targetWeight: weight, note: null });
  decisions.sort((a, b) => byScore(a.code, b.code));
  return { decisions, excluded };
}
