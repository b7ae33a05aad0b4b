/** A day's ranked scores: best first. */
export type Ranked = readonly { code: string; score: number }[];

/** What a strategy wants to do on a trade day, before the market says what can trade. */
export interface TradePlan {
  /** Holdings to sell, worst first. */
  sell: string[];
  /** Stocks to buy from, best first; blocked ones are skipped and the next one is tried. */
  candidates: string[];
  /** Buys wanted once the sells are known: refills the portfolio to topk, never above. */
  buySlots(executedSells: number): number;
}

/** Best score first; unscored holdings rank last (as pandas sorts NaN), ties by code for determinism. */
function byScore(score: ReadonlyMap<string, number>) {
  return (a: string, b: string): number => {
    const d = (score.get(b) ?? -Infinity) - (score.get(a) ?? -Infinity);
    return d > 0 || d < 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  };
}

/**
 * Qlib's TopkDropoutStrategy (method_sell bottom, method_buy top): `today` = the best
 * nDrop + topk - held non-held stocks; the holdings among the nDrop worst of holdings + today are sold,
 * so a holding is never sold to buy something ranked below it. Buys refill to topk from `today`.
 */
export function topkDropoutPlan(ranked: Ranked, held: readonly string[], topk: number, nDrop: number): TradePlan {
  const score = new Map(ranked.map((r) => [r.code, r.score]));
  const order = byScore(score);
  const last = [...held].sort(order);
  const heldSet = new Set(held);
  const want = Math.max(0, nDrop + topk - last.length);
  const today = ranked.filter((r) => !heldSet.has(r.code)).slice(0, want).map((r) => r.code);
  const worst = new Set(nDrop > 0 ? [...last, ...today].sort(order).slice(-nDrop) : []);
  return {
    sell: last.filter((c) => worst.has(c)).reverse(),
    candidates: today,
    buySlots: (executedSells) => Math.max(0, topk - (last.length - executedSells)),
  };
}

/** Plain top-K: hold the topk best; sell holdings that left the top K, buy the entrants. */
export function topkPlan(ranked: Ranked, held: readonly string[], topk: number): TradePlan {
  const target = ranked.slice(0, topk).map((r) => r.code);
  const targetSet = new Set(target);
  const heldSet = new Set(held);
  const score = new Map(ranked.map((r) => [r.code, r.score]));
  return {
    sell: held.filter((c) => !targetSet.has(c)).sort(byScore(score)).reverse(),
    candidates: target.filter((c) => !heldSet.has(c)),
    buySlots: (executedSells) => Math.max(0, topk - (held.length - executedSells)),
  };
}
