// A small hand-made market with a planted signal: feature SIG at T predicts Qlib's label at T
// (close[T+2]/close[T+1]-1 = 0.01 * SIG[T] + noise); NOISE carries nothing.
import type { FeatureDefinition, FeatureSet } from '@quant/features';
import type { FeatureLoader, TrainingMarket } from '../src';
import { weekdays } from '@quant/testing';

export { weekdays };

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const DEFS: FeatureDefinition[] = [
  { name: 'SIG', family: 'technical', formula: 'planted', inputs: ['close'], warmup: 1 },
  { name: 'NOISE', family: 'technical', formula: 'noise', inputs: ['close'], warmup: 1 },
];

export const plantedSet: FeatureSet = { name: 'planted', version: 'v1', calculators: [], definitions: () => [...DEFS] };

export interface PlantedMarket {
  calendar: string[];
  codes: string[];
  market: TrainingMarket;
  features: FeatureLoader;
  featureCalls: Array<{ set: string; from: string; to: string }>;
}

/**
 * `codes` instruments over `sessions` weekdays from 2020-01-01; the universe "tiny" holds every code
 * except that the last one leaves it after `leaveAfter` (point-in-time membership). Bars use a factor
 * of 2 on the second code from session 100 (or on every odd session with `alternatingFactor`), so
 * labels must come from adjusted prices (raw close x factor).
 */
export function plantedMarket(options: { codes?: number; sessions?: number; seed?: number; leaveAfter?: string; alternatingFactor?: boolean } = {}): PlantedMarket {
  const nC = options.codes ?? 6;
  const calendar = weekdays('2020-01-01', options.sessions ?? 300);
  const codes = Array.from({ length: nC }, (_, i) => `SH60000${i}`);
  const rnd = gaussian(options.seed ?? 5);
  const sig = codes.map(() => calendar.map(() => rnd()));
  const noise = codes.map(() => calendar.map(() => rnd()));
  const adjusted = codes.map((_, c) => {
    const close = [10];
    for (let k = 1; k < calendar.length; k++) {
      const planted = k >= 2 ? 0.01 * (sig[c]?.[k - 2] as number) : 0;
      close.push((close[k - 1] as number) * (1 + planted + 0.003 * rnd()));
    }
    return close;
  });
  const factorOf = (c: number, k: number) => (c === 1 && (options.alternatingFactor ? k % 2 === 1 : k >= 100) ? 2 : 1);
  const featureCalls: PlantedMarket['featureCalls'] = [];
  const market: TrainingMarket = {
    calendar: async () => [...calendar],
    universeOn: async (_u, date) => codes.filter((code, c) => !(c === nC - 1 && options.leaveAfter !== undefined && date > options.leaveAfter)),
    bars: async (code, from, to) => {
      const c = codes.indexOf(code);
      return calendar.flatMap((date, k) =>
        date >= from && date <= to ? [{ date, close: (adjusted[c]?.[k] as number) / factorOf(c, k), factor: factorOf(c, k), traded: true }] : [],
      );
    },
  };
  const features: FeatureLoader = async (set, wanted, from, to) => {
    featureCalls.push({ set: set.name, from, to });
    return wanted.flatMap((code) => {
      const c = codes.indexOf(code);
      return calendar.flatMap((date, k) => (date >= from && date <= to ? [{ code, date, values: [sig[c]?.[k] as number, noise[c]?.[k] as number] }] : []));
    });
  };
  return { calendar, codes, market, features, featureCalls };
}
