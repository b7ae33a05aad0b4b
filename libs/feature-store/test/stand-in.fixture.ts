import type { DayInput, FeatureCalculator, FeatureDefinition, FeatureSet, FeatureStream, SeriesInput } from '@quant/features';
import type { BarRecord, MarketDataReader } from '../src/market-data.reader';

/**
 * A two-column stand-in set, so these tests do not depend on the real calculators: CLOSE (today's
 * adjusted close) and MEAN3 (pandas rolling(3, min_periods=1).mean of the close, NaN skipped).
 */
const DEFINITIONS: FeatureDefinition[] = [
  { name: 'CLOSE', family: 'technical', formula: '$close', inputs: ['close'], warmup: 1 },
  { name: 'MEAN3', family: 'technical', formula: 'Mean($close, 3)', inputs: ['close'], warmup: 3 },
];

function mean3(window: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of window) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

const calculator: FeatureCalculator = {
  name: 'stand-in',
  definitions: DEFINITIONS,
  batch(input: SeriesInput): Float64Array[] {
    const close = input.fields['close'] as Float64Array;
    const mean = new Float64Array(close.length);
    for (let i = 0; i < close.length; i++) mean[i] = mean3(Array.from(close.subarray(Math.max(0, i - 2), i + 1)));
    return [Float64Array.from(close), mean];
  },
  stream(): FeatureStream {
    const closes: number[] = [];
    const values = () => {
      const last = closes[closes.length - 1] as number;
      return Float64Array.of(last, mean3(closes.slice(-3)));
    };
    return {
      add(day: DayInput) {
        closes.push(day.values['close'] as number);
        return values();
      },
      replace(day: DayInput) {
        closes[closes.length - 1] = day.values['close'] as number;
        return values();
      },
      get length() {
        return closes.length;
      },
      get isStable() {
        return closes.length >= 3;
      },
    };
  },
};

export const standInSet: FeatureSet = {
  name: 'stand-in',
  version: 'v1',
  calculators: [calculator],
  definitions: () => [...DEFINITIONS],
};

/** Weekdays from 2021-01-04, n sessions. */
export function weekdays(n: number, from = '2021-01-04'): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  while (out.length < n) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

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
