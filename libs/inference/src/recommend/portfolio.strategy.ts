import { QuantError } from '@quant/errors';
import { topkDropoutPlan, topkPlan } from '@quant/evaluation';
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
 * Builds the orders for T+1 from the scores of T with the backtest's own plans (@quant/evaluation), so
 * a list is what the evaluated strategy would do:
 * - `topk`: hold the K best, sell what left them, buy the entrants;
 * - `topk-dropout` (Qlib TopkDropoutStrategy): from the held positions and the best `nDrop + K - held`
 *   instruments not held, sell the held ones among the `nDrop` worst of that union, buy the best new ones
 *   to refill K; turnover is bounded by nDrop per day.
 * A candidate that cannot be bought at T+1 is skipped and reported with its reasons (as the backtest
 * skips a blocked buy); a position that cannot be sold (T+1 rule, suspension, down-limit) is kept with
 * the reason and keeps its slot.
 */
export function buildPortfolio(ranked: readonly RankedCandidate[], tradable: ReadonlyMap<string, Tradability>, holdings: readonly HoldingInput[], options: StrategyOptions): StrategyResult {
  const { topK, nDrop, tradeDate } = options;
  if (!Number.isInteger(topK) || topK < 1) throw new QuantError('RECOMMEND_INVALID', `top_k must be a positive integer, got ${topK}`, { details: { topK } });
  if (!Number.isInteger(nDrop) || nDrop < 0) throw new QuantError('RECOMMEND_INVALID', `n_drop must be a non-negative integer, got ${nDrop}`, { details: { nDrop } });
  const byCode = new Map(ranked.map((c) => [c.code, c]));
  const held = new Map(holdings.map((h) => [h.code, h]));
  const plan = options.strategy === 'topk' ? topkPlan(ranked, [...held.keys()], topK) : topkDropoutPlan(ranked, [...held.keys()], topK, nDrop);

  const sold: Decision[] = [];
  const stuck: Decision[] = [];
  for (const code of plan.sell) {
    const blocked = sellBlock(held.get(code) as HoldingInput, tradable.get(code), tradeDate);
    if (blocked === null) sold.push({ code, action: 'SELL', targetWeight: 0, note: null });
    else stuck.push({ code, action: 'HOLD', targetWeight: 0, note: `to sell, but ${blocked}` });
  }
  const slots = plan.buySlots(sold.length);
  const buys: string[] = [];
  const excluded: Exclusion[] = [];
  for (const code of plan.candidates) {
    if (buys.length >= slots) break;
    const t = tradable.get(code);
    if (t !== undefined && !t.buyable) {
      const c = byCode.get(code) as RankedCandidate;
      excluded.push({ code, rank: c.rank, score: c.score, reasons: t.reasons });
    } else {
      buys.push(code);
    }
  }
  const selling = new Set(plan.sell);
  const keep = [...held.keys()].filter((c) => !selling.has(c));
  const positions = keep.length + stuck.length + buys.length;
  const weight = positions === 0 ? 0 : 1 / positions;
  const decisions: Decision[] = [
    ...keep.map((code) => ({ code, action: 'HOLD' as const, targetWeight: weight, note: null })),
    ...stuck.map((d) => ({ ...d, targetWeight: weight })),
    ...buys.map((code) => ({ code, action: 'BUY' as const, targetWeight: weight, note: null })),
    ...sold,
  ];
  const score = (code: string) => byCode.get(code)?.score ?? -Infinity;
  decisions.sort((a, b) => score(b.code) - score(a.code));
  return { decisions, excluded };
}
