import type { Side } from '@quant/market';
import { canSell, isAtDownLimit, isAtUpLimit, priceLimitRule } from '@quant/market';
import type { BacktestMarket, DayQuote } from './backtest-market.port';
import type { BlockReason } from './backtest.types';

/** A day's quote is tradable only when the stock traded: the flag says so and volume, when known, is > 0. */
export function isTradedQuote(q: DayQuote | undefined): q is DayQuote {
  return q !== undefined && q.traded && (q.volume === null || q.volume > 0);
}

/** Where an order stands in the market on its trade day. */
export interface OrderContext {
  market: BacktestMarket;
  code: string;
  side: Side;
  date: string;
  /** Index of `date` in market.sessions. */
  session: number;
  sessionIndex: ReadonlyMap<string, number>;
  dealPrice: 'open' | 'close';
  /** For sells: the day the position was last bought. */
  boughtOn?: string;
  /** Refuse both sides at either limit, as Qlib's TopkDropoutStrategy checks tradability. */
  eitherLimit?: boolean;
}

export type OrderCheck = { ok: true; price: number; quote: DayQuote } | { ok: false; reason: BlockReason; detail: string };

/**
 * Whether an order can trade at the deal price: quote present and traded (not suspended), T+1 for sells,
 * and the price limit of the board / ST status / listing age on that date, judged on the raw deal
 * price against the limit prices from the previous close: no buy at the up-limit, no sell at the down-limit.
 */
export function checkOrder(ctx: OrderContext): OrderCheck {
  const { market, code, side, date } = ctx;
  const quote = market.quote(code, date);
  if (!quote) return { ok: false, reason: 'no-quote', detail: `${code} has no bar on ${date}` };
  if (!isTradedQuote(quote)) return { ok: false, reason: 'suspended', detail: `${code} is suspended on ${date}` };
  if (side === 'sell' && ctx.boughtOn !== undefined && !canSell(ctx.boughtOn, date)) {
    return { ok: false, reason: 't+1', detail: `${code} was bought on ${ctx.boughtOn} and cannot be sold before the next session` };
  }
  const price = quote[ctx.dealPrice];
  const prevClose = previousClose(ctx, quote);
  if (prevClose === undefined) {
    return { ok: false, reason: 'no-quote', detail: `${code} has no previous close before ${date} to judge its price limit` };
  }
  const listDate = market.listDate?.(code);
  const listed = listDate === undefined ? undefined : ctx.sessionIndex.get(listDate);
  const rule = priceLimitRule({
    code,
    date,
    isST: quote.isST,
    ...(listDate === undefined ? {} : { listDate }),
    ...(listed === undefined ? {} : { sessionsSinceListing: ctx.session - listed }),
  });
  const either = ctx.eitherLimit === true;
  if ((side === 'buy' || either) && isAtUpLimit(price, prevClose, rule)) {
    return { ok: false, reason: 'up-limit', detail: `${code} deals at ${price} = up-limit (${rule.rule}) from previous close ${prevClose} on ${date}` };
  }
  if ((side === 'sell' || either) && isAtDownLimit(price, prevClose, rule)) {
    return { ok: false, reason: 'down-limit', detail: `${code} deals at ${price} = down-limit (${rule.rule}) from previous close ${prevClose} on ${date}` };
  }
  return { ok: true, price, quote };
}

/**
 * The reference previous close: the quote's own when given, else the last traded raw close brought to
 * today's share basis by the factors (an ex-rights day's limits are set from the ex-rights close).
 */
function previousClose(ctx: OrderContext, quote: DayQuote): number | undefined {
  if (quote.prevClose !== undefined) return quote.prevClose;
  const sessions = ctx.market.sessions;
  for (let j = ctx.session - 1; j >= 0; j--) {
    const q = ctx.market.quote(ctx.code, sessions[j]!);
    if (isTradedQuote(q)) return (q.close * q.factor) / quote.factor;
  }
  return undefined;
}
