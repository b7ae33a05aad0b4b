import type { BacktestMarket } from '@quant/evaluation';
import { checkOrder } from '@quant/evaluation';
import type { Listing, MarketBar, MarketReader } from '../inference.ports';

/** Why an instrument cannot be bought (or sold) at T+1, as flags consumers can filter on. */
export type TradabilityFlag = 'not-listed' | 'delisted' | 'suspended' | 'st' | 'up-limit' | 'down-limit';

export interface Tradability {
  code: string;
  /** False when a buy order at T+1 is expected to be unfillable or is excluded by policy (ST). */
  buyable: boolean;
  /** False when a sell order at T+1 is expected to be unfillable (suspended, closed at the down-limit). */
  sellable: boolean;
  flags: TradabilityFlag[];
  /** One human-readable reason per flag, same order. */
  reasons: string[];
  /** Sample std of the last `window` daily returns of the adjusted close up to T; null with fewer than 2. */
  volatility: number | null;
}

/** Daily returns the volatility uses (a trading month). */
export const VOLATILITY_WINDOW = 20;
/** Flags that bar a buy at T+1. */
const NO_BUY: ReadonlySet<TradabilityFlag> = new Set(['not-listed', 'delisted', 'suspended', 'st', 'up-limit']);
/** Flags that bar a sell at T+1. */
const NO_SELL: ReadonlySet<TradabilityFlag> = new Set(['delisted', 'suspended', 'down-limit']);

const adjusted = (b: MarketBar): number => b.close * (b.factor ?? 1);

function sampleStd(values: number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (values.length - 1));
}

/** The instrument's recent bars as the backtest's market port. */
function checkMarket(bars: readonly MarketBar[], listing: Listing | undefined): BacktestMarket & { index: Map<string, number> } {
  const byDate = new Map(bars.map((b) => [b.date, b]));
  const sessions = bars.map((b) => b.date);
  return {
    sessions,
    index: new Map(sessions.map((d, i) => [d, i])),
    quote: (_code, day) => {
      const b = byDate.get(day);
      return b === undefined ? undefined : { open: b.open, high: b.high, low: b.low, close: b.close, volume: null, traded: b.traded, isST: b.isST ?? false, factor: b.factor ?? 1 };
    },
    benchmarkClose: () => undefined,
    listDate: () => listing?.firstDate,
  };
}

export interface TradabilityInput {
  code: string;
  /** Signal day T. */
  date: string;
  /** Trading day the orders are for (T+1). */
  tradeDate: string;
  listing: Listing | undefined;
  /** Bars up to and including T, ascending (at least VOLATILITY_WINDOW + 1 sessions for a full window). */
  bars: readonly MarketBar[];
}

/**
 * The A-share checks for acting at T+1 on a signal of T, from what is known at the close of T:
 * not listed by T+1 or delisted by it (only where the listing gives a delisting date); suspended on T (no bar, or a bar without trades); under risk
 * warning (ST) on T, excluded by policy; closed at the up-limit on T, so a buy at the T+1 open is
 * unlikely to fill (queues at the limit); closed at the down-limit on T, likewise for a sell. Limits
 * and suspension are judged by the backtest's checkOrder (board, ST, listing age and date).
 */
export function tradability(input: TradabilityInput): Tradability {
  const { code, date, tradeDate, listing, bars } = input;
  const flags: TradabilityFlag[] = [];
  const reasons: string[] = [];
  const flag = (f: TradabilityFlag, reason: string) => {
    flags.push(f);
    reasons.push(reason);
  };
  if (listing !== undefined && listing.firstDate > tradeDate) flag('not-listed', `not listed until ${listing.firstDate}`);
  if (listing?.delistedOn !== undefined && listing.delistedOn <= tradeDate) flag('delisted', `delisted on ${listing.delistedOn}`);
  else if (listing !== undefined && listing.lastDate < date) {
    // A last bar before T alone cannot tell a long suspension from a delisting: both block the order.
    flag('suspended', `no bar since ${listing.lastDate} (suspended, or delisted without a delisting date in the listing)`);
  }
  // The backtest's own order checks (@quant/evaluation), asked about T's close: what T+1's open will face.
  const market = checkMarket(bars, listing);
  const order = (side: 'buy' | 'sell') => checkOrder({ market, code, side, date, session: market.sessions.indexOf(date), sessionIndex: market.index, dealPrice: 'close' });
  const buy = order('buy');
  const today = market.quote(code, date);
  if (today === undefined) {
    if (flags.length === 0) flag('suspended', `no bar on ${date} (suspended)`);
  } else if (!buy.ok && buy.reason === 'suspended') {
    flag('suspended', `suspended on ${date} (no trade)`);
  }
  if (today?.isST === true) flag('st', `under risk warning (ST) on ${date}`);
  if (!buy.ok && buy.reason === 'up-limit') flag('up-limit', `closed at the up-limit on ${date}: a buy at the ${tradeDate} open is unlikely to fill (${buy.detail})`);
  const sell = order('sell');
  if (!sell.ok && sell.reason === 'down-limit') flag('down-limit', `closed at the down-limit on ${date}: a sell at the ${tradeDate} open is unlikely to fill (${sell.detail})`);
  const traded = bars.filter((b) => b.traded && b.date <= date && b.close > 0);
  const returns: number[] = [];
  for (let i = Math.max(1, traded.length - VOLATILITY_WINDOW); i < traded.length; i++) {
    returns.push(adjusted(traded[i] as MarketBar) / adjusted(traded[i - 1] as MarketBar) - 1);
  }
  return {
    code,
    buyable: !flags.some((f) => NO_BUY.has(f)),
    sellable: !flags.some((f) => NO_SELL.has(f)),
    flags,
    reasons,
    volatility: sampleStd(returns),
  };
}

/** The trading day after T: the store's calendar when it has it, else the next weekday (holidays unknown). */
export function nextTradingDay(calendar: readonly string[], date: string): { date: string; estimated: boolean } {
  let lo = 0;
  let hi = calendar.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((calendar[mid] as string) <= date) lo = mid + 1;
    else hi = mid;
  }
  const known = calendar[lo];
  if (known !== undefined) return { date: known, estimated: false };
  const d = new Date(`${date}T00:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return { date: d.toISOString().slice(0, 10), estimated: true };
}

/** Codes per batched bars read: bounds one query's parameter and answer size. */
const BATCH = 1000;
/** Per-code reads in flight when the reader has no batched read. */
const CONCURRENCY = 32;

/**
 * Tradability of many instruments on T from the market reader: bars of the last VOLATILITY_WINDOW + 1
 * sessions per instrument, in batched reads when the reader has them, else a few codes at a time.
 */
export async function marketSnapshot(market: MarketReader, codes: readonly string[], date: string, tradeDate: string): Promise<Map<string, Tradability>> {
  const [calendar, listings] = await Promise.all([market.calendar(), market.instruments()]);
  const byCode = new Map(listings.map((l) => [l.code, l]));
  const at = calendar.indexOf(date);
  const from = at >= 0 ? (calendar[Math.max(0, at - VOLATILITY_WINDOW - 5)] as string) : date;
  const out = new Map<string, Tradability>();
  const step = market.barsMany ? BATCH : CONCURRENCY;
  for (let i = 0; i < codes.length; i += step) {
    const chunk = codes.slice(i, i + step);
    const bars = market.barsMany
      ? await market.barsMany(chunk, from, date).then((m) => chunk.map((code) => m.get(code) ?? []))
      : await Promise.all(chunk.map((code) => market.bars(code, from, date)));
    chunk.forEach((code, k) => out.set(code, tradability({ code, date, tradeDate, listing: byCode.get(code), bars: bars[k] as MarketBar[] })));
  }
  return out;
}
