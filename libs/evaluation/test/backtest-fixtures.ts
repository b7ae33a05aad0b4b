import type { BacktestSignal, CostModel, DayQuote, MarketBar } from '../src';
import { inMemoryBacktestMarket } from '../src';

/** A traded bar at one price unless overridden (open = high = low = close). */
export function bar(code: string, date: string, price: number, over: Partial<DayQuote> = {}): MarketBar {
  return { code, date, open: price, high: price, low: price, close: price, volume: 1_000_000, traded: true, isST: false, factor: 1, ...over };
}

/** A market over the given sessions with a flat benchmark at 1000 unless closes are given. */
export function market(sessions: string[], bars: MarketBar[], benchmark?: number[], listDates?: Record<string, string>) {
  return inMemoryBacktestMarket({
    sessions,
    bars,
    benchmark: sessions.map((date, i) => ({ date, close: benchmark?.[i] ?? 1000 })),
    ...(listDates ? { listDates } : {}),
  });
}

/** Scores for one signal day, best first. */
export function ranking(date: string, codes: string[]): BacktestSignal[] {
  return codes.map((code, i) => ({ date, code, score: codes.length - i }));
}

export const noCosts: CostModel = () => ({ commission: 0, transferFee: 0, stampDuty: 0, total: 0 });
