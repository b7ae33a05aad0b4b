import { standInFeatureSet } from '@quant/testing';
import type { BarRecord, MarketDataReader } from '../src/market-data.reader';
import { weekdays as weekdaysFrom } from '@quant/testing';

/** The shared two-column stand-in set (CLOSE, MEAN3). */
export const standInSet = standInFeatureSet;

export const weekdays = (n: number, from = '2021-01-04'): string[] => weekdaysFrom(from, n);

export function bar(code: string, date: string, close: number, options: Partial<BarRecord> = {}): BarRecord {
  return { code, date, open: close, high: close * 1.01, low: close * 0.99, close, volume: 1000, amount: null, factor: 2, traded: true, ...options };
}

/** In-memory market data: the reader double. */
export class MemoryMarketData implements MarketDataReader {
  readonly barQueries: string[] = [];
  constructor(
    public calendarDays: string[],
    public barsByCode: Map<string, BarRecord[]>,
    public universes: Map<string, Array<{ code: string; start: string; end: string }>> = new Map(),
  ) {}

  async bars(code: string, from: string, to: string): Promise<BarRecord[]> {
    this.barQueries.push(`${code}:${from}:${to}`);
    return (this.barsByCode.get(code) ?? []).filter((b) => b.date >= from && b.date <= to);
  }

  async calendar(): Promise<string[]> {
    return [...this.calendarDays];
  }

  async universeOn(universe: string, date: string): Promise<string[]> {
    return (this.universes.get(universe) ?? []).filter((s) => s.start <= date && s.end >= date).map((s) => s.code);
  }

  async instruments(): Promise<Array<{ code: string; firstDate: string; lastDate: string }>> {
    return [...this.barsByCode.entries()].map(([code, bars]) => ({ code, firstDate: bars[0]?.date ?? '', lastDate: bars[bars.length - 1]?.date ?? '' }));
  }
}
