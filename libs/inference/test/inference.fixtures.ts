// In-memory doubles of the engine's ports and small real models (GBDT and ridge trained on synthetic
// data, exported to ONNX), shared by the inference tests.
import { CrossSectionalRank, ProcessorPipeline, ZScore, createPanel } from '@quant/features';
import type { Dataset } from '@quant/ml';
import { modelFactory } from '@quant/ml';
import type { ScoreCalibration } from '@quant/evaluation';
import type { FeatureReader, Listing, MarketBar, MarketReader, ModelArtefacts, ModelDescriptor, ModelSource } from '../src';

export const FEATURES = ['A', 'B', 'C'];
export const SET = { featureSet: 'syn', featureSetVersion: 'v1' };

/** 30 weekdays from 2024-01-01 (no holidays: a test calendar). */
export const CALENDAR: string[] = (() => {
  const out: string[] = [];
  const d = new Date('2024-01-01T00:00:00Z');
  while (out.length < 30) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
})();

export const CODES = Array.from({ length: 40 }, (_, i) => `SH${String(600000 + i)}`);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Deterministic raw features per code and day: A drives the score, B a little, C is noise. */
export function rawFeatures(code: string, date: string): number[] {
  const rnd = lcg(Number(code.slice(2)) * 7919 + CALENDAR.indexOf(date) * 104729);
  return [rnd() * 4 - 2, rnd() * 10, rnd()];
}

function trainingData(rows: number): Dataset {
  const rnd = lcg(42);
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rnd() * 4 - 2;
    const b = rnd() * 10;
    const c = rnd();
    x.set([a, (b - 5) / 2.9, c], i * 3);
    y[i] = a + 0.1 * b + 0.1 * (rnd() - 0.5);
  }
  return { rows, cols: 3, x, y, featureNames: FEATURES };
}

/** A processor pipeline fitted on a training panel (z-score of B, then a cross-sectional rank of C). */
export function fittedPipeline(): ProcessorPipeline {
  const dates = CALENDAR.slice(0, 5);
  const values = new Float64Array(dates.length * CODES.length * 3);
  dates.forEach((date, d) => CODES.forEach((code, c) => values.set(rawFeatures(code, date), (d * CODES.length + c) * 3)));
  const panel = createPanel({ dates, codes: CODES, features: FEATURES, values, segment: 'train' });
  return new ProcessorPipeline([new ZScore({ features: ['B'] }), new CrossSectionalRank({ features: ['C'] })]).fit(panel);
}

export const CALIBRATION: ScoreCalibration = {
  kind: 'percentile-bins',
  horizon: 1,
  bins: 2,
  edges: [0, 0.5, 1],
  probabilityBeatBenchmark: [0.4, 0.6],
  expectedReturn: [-0.002, 0.004],
  expectedExcessReturn: [-0.003, 0.003],
  rows: 1000,
  days: 50,
};

export interface TrainedModel {
  descriptor: ModelDescriptor;
  artefacts: ModelArtefacts;
}

export async function trainModel(name: string, version: number, kind: 'gbdt' | 'ridge', options: { calibration?: boolean; rounds?: number } = {}): Promise<TrainedModel> {
  const model = modelFactory(kind).create(kind === 'gbdt' ? { numIterations: options.rounds ?? 20, numLeaves: 7, minDataInLeaf: 5 } : {});
  await model.fit(trainingData(600), { seed: 1 });
  const metadata: Record<string, unknown> = {
    name,
    version,
    lineage: {
      featureNames: FEATURES,
      processors: fittedPipeline().toJSON(),
      label: { name: 'LABEL0', lookahead: 2, spec: { kind: 'forward-return', horizon: 1, entryLag: 1 } },
      universe: null,
    },
  };
  if (options.calibration) metadata['calibration'] = CALIBRATION;
  return { descriptor: { name, version, kind, ...SET }, artefacts: { onnx: model.toOnnx(), metadata } };
}

/** The registry double: versions by name@version, production ones listed. */
export class MemoryModelSource implements ModelSource {
  readonly models = new Map<string, TrainedModel>();
  readonly productionKeys = new Set<string>();
  loads = 0;

  add(model: TrainedModel, production = true): this {
    const key = `${model.descriptor.name}@${model.descriptor.version}`;
    this.models.set(key, model);
    if (production) {
      for (const k of [...this.productionKeys]) if (k.startsWith(`${model.descriptor.name}@`)) this.productionKeys.delete(k);
      this.productionKeys.add(key);
    }
    return this;
  }

  async production(): Promise<ModelDescriptor[]> {
    return [...this.productionKeys].map((k) => (this.models.get(k) as TrainedModel).descriptor);
  }

  async get(name: string, version: number): Promise<ModelDescriptor | null> {
    return this.models.get(`${name}@${version}`)?.descriptor ?? null;
  }

  async artefacts(model: ModelDescriptor): Promise<ModelArtefacts> {
    this.loads++;
    return (this.models.get(`${model.name}@${model.version}`) as TrainedModel).artefacts;
  }
}

export class MemoryFeatures implements FeatureReader {
  /** Days with stored rows; codes listed in `missing` have none. */
  constructor(
    readonly days: readonly string[] = CALENDAR,
    readonly missing: ReadonlySet<string> = new Set(),
  ) {}

  async read(set: string, version: string, codes: readonly string[], date: string) {
    if (set !== SET.featureSet || version !== SET.featureSetVersion || !this.days.includes(date)) return [];
    return codes.filter((c) => !this.missing.has(c)).map((code) => ({ code, values: rawFeatures(code, date) }));
  }

  async latestDate(): Promise<string | null> {
    return this.days[this.days.length - 1] ?? null;
  }
}

export class MemoryMarket implements MarketReader {
  readonly series = new Map<string, MarketBar[]>();
  listings: Listing[] = CODES.map((code) => ({ code, firstDate: CALENDAR[0] as string, lastDate: CALENDAR[CALENDAR.length - 1] as string }));

  constructor() {
    for (const code of CODES) {
      const rnd = lcg(Number(code.slice(2)));
      let close = 10;
      this.series.set(
        code,
        CALENDAR.map((date) => {
          close = Math.round(close * (1 + (rnd() - 0.5) * 0.04) * 100) / 100;
          return { date, open: close, high: close, low: close, close, factor: 1, traded: true, isST: false };
        }),
      );
    }
  }

  /** Rewrites one bar (suspension, ST, limit moves in tests). */
  patch(code: string, date: string, patch: Partial<MarketBar>): void {
    const bars = this.series.get(code) as MarketBar[];
    const i = bars.findIndex((b) => b.date === date);
    bars[i] = { ...(bars[i] as MarketBar), ...patch };
  }

  async calendar() {
    return CALENDAR;
  }

  async instruments() {
    return this.listings;
  }

  async universeOn() {
    return [];
  }

  async bars(code: string, from: string, to: string): Promise<MarketBar[]> {
    return (this.series.get(code) ?? []).filter((b) => b.date >= from && b.date <= to);
  }
}
