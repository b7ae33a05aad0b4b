// A small synthetic market stored through MarketDataRepository, with a signal planted in the volume:
// the return from the close of T+1 to the close of T+2 (Qlib's label at T) is 0.01 x SIG[T] plus noise,
// and SIG[T] = volume[T] / 1e6 - 10. The feature set "volume-signal" reads it back from the bars, so a
// linear model trained through the whole store path (bars -> buildFeatures -> trainWorkflow) must find it.
import type { FeatureCalculator, FeatureDefinition, FeatureSet, SeriesInput } from '@quant/features';
import type { MarketDataRepository, StoredBar } from '@quant/market-data';

/** Deterministic standard normals (LCG + Box-Muller): the same seed gives the same market. */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function sessionsFrom(start: string, count: number): string[] {
  const days: string[] = [];
  for (const d = new Date(`${start}T00:00:00Z`); days.length < count; d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() % 6 !== 0) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

export interface SyntheticMarket {
  calendar: string[];
  codes: string[];
}

export async function seedSyntheticMarket(market: MarketDataRepository, options: { instruments?: number; sessions?: number; seed?: number } = {}): Promise<SyntheticMarket> {
  const calendar = sessionsFrom('2020-01-01', options.sessions ?? 280);
  const codes = Array.from({ length: options.instruments ?? 8 }, (_, i) => `SZ00000${i + 1}`);
  const draw = normals(options.seed ?? 11);
  const bars: StoredBar[] = [];
  for (const code of codes) {
    const signal = calendar.map(() => draw());
    let close = 10;
    for (const [k, date] of calendar.entries()) {
      if (k > 0) close *= 1 + (k >= 2 ? 0.01 * (signal[k - 2] as number) : 0) + 0.002 * draw();
      const wiggle = Math.abs(draw()) * 0.01;
      bars.push({
        code,
        date,
        open: close,
        high: close * (1 + wiggle),
        low: close * (1 - wiggle),
        close,
        volume: 1e6 * (10 + (signal[k] as number)),
        amount: null,
        factor: 1,
        traded: true,
        isST: null,
        flags: [],
        source: 'test',
        eventId: `bar:${code}:${date}`,
        ingestedAt: 0,
      });
    }
  }
  await market.saveCalendar('CN', calendar, 'test');
  await market.saveInstruments(codes.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: calendar[calendar.length - 1] as string })), 'test');
  await market.insertBars(bars);
  return { calendar, codes };
}

const DEFINITIONS: FeatureDefinition[] = [
  { name: 'SIG', family: 'technical', formula: '$volume/1e6-10', inputs: ['volume'], warmup: 1 },
  { name: 'RANGE', family: 'technical', formula: '$high/$low-1', inputs: ['high', 'low'], warmup: 1 },
];

const calculator: FeatureCalculator = {
  name: 'volume-signal',
  definitions: DEFINITIONS,
  batch(input: SeriesInput): Float64Array[] {
    const volume = input.fields['volume'] as Float64Array;
    const high = input.fields['high'] as Float64Array;
    const low = input.fields['low'] as Float64Array;
    return [volume.map((v) => v / 1e6 - 10), high.map((h, i) => h / (low[i] as number) - 1)];
  },
  stream() {
    throw new Error('the volume-signal set is batch only');
  },
};

export const volumeSignalSet: FeatureSet = { name: 'volume-signal', version: 'v1', calculators: [calculator], definitions: () => [...DEFINITIONS] };

export function workflowYaml(codes: readonly string[], modelName: string): string {
  return [
    'name: synthetic',
    'features: volume-signal',
    `codes: [${codes.join(', ')}]`,
    'segments:',
    '  train: { from: 2020-01-01, to: 2020-08-31 }',
    '  valid: { from: 2020-09-01, to: 2020-12-31 }',
    'labelProcessors:',
    '  - { kind: cs-zscore }',
    'models:',
    `  - { name: ${modelName}, kind: ridge, params: { l2: 0.001 }, seed: 3 }`,
    '',
  ].join('\n');
}
