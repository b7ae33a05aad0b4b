// Seeds a store the way the platform fills it (calendar, instruments, bars, features) and registers
// small real models (a GBDT on synthetic data, exported to ONNX) in the model registry.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureRepository } from '@quant/feature-store';
import { ProcessorPipeline, ZScore, createPanel } from '@quant/features';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import { modelFactory } from '@quant/ml';
import type { Store } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import { weekdays as weekdaysFrom } from '@quant/testing';

export const FEATURES = ['CLOSE', 'MEAN3'];

/** Weekdays from 2024-01-01 (a test calendar without holidays). */
export const weekdays = (count: number, from = '2024-01-01'): string[] => weekdaysFrom(from, count);

export const codes = (n: number): string[] => Array.from({ length: n }, (_, i) => `SH${600000 + i}`);

/** A deterministic close path per instrument: different trends, a small wiggle. */
export function closeOf(code: string, day: number): number {
  const k = Number(code.slice(2)) - 600000;
  return Math.round((10 + k * 0.5) * (1 + ((k % 7) - 3) * 0.002 * day + 0.01 * Math.sin(day + k)) * 100) / 100;
}

export function storedBar(code: string, calendar: readonly string[], day: number): StoredBar {
  const c = closeOf(code, day);
  const date = calendar[day] as string;
  return { code, date, open: c, high: c, low: c, close: c, volume: 1000, amount: c * 1000, factor: 1, traded: true, isST: false, flags: [], source: 'test', eventId: `bar:test:${code}:${date}`, ingestedAt: Date.UTC(2024, 0, 1) };
}

/** The stand-in set's values (CLOSE, MEAN3 of the close) as the features service stores them. */
export function featureRow(code: string, day: number): number[] {
  const window = [day - 2, day - 1, day].filter((d) => d >= 0).map((d) => closeOf(code, d));
  return [closeOf(code, day), window.reduce((s, v) => s + v, 0) / window.length];
}

export async function seedMarket(store: Store, calendar: readonly string[], instruments: readonly string[], days: number): Promise<void> {
  const market = new MarketDataRepository(store);
  await market.migrate();
  await market.saveCalendar('CN', calendar, 'test');
  await market.saveInstruments(instruments.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: calendar[days - 1] as string })), 'test');
  await market.insertBars(instruments.flatMap((code) => Array.from({ length: days }, (_, d) => storedBar(code, calendar, d))));
}

export async function seedFeatures(store: Store, set: string, version: string, instruments: readonly string[], dayIndexes: readonly number[], calendar: readonly string[]): Promise<void> {
  const repository = new FeatureRepository(store);
  await repository.migrate();
  await repository.saveColumns(set, version, FEATURES);
  await repository.write(set, version, FEATURES.length, instruments.flatMap((code) => dayIndexes.map((d) => ({ code, date: calendar[d] as string, values: featureRow(code, d) }))));
}

/**
 * Trains a small GBDT on synthetic rows (score rises with MEAN3/CLOSE momentum) and registers it, with
 * a z-score pipeline fitted on a synthetic training panel; promotes it to production when asked.
 */
export async function registerModel(
  store: Store,
  options: { name: string; set: string; version: string; rounds?: number; production?: boolean; artefactDir?: string; calibration?: Record<string, unknown>; featureNames?: string[] },
): Promise<{ version: number; artefactDir: string }> {
  const names = options.featureNames ?? FEATURES;
  const width = names.length;
  const rows = 400;
  const x = new Float32Array(rows * width);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const close = 10 + (i % 40) * 0.5;
    const mean = close * (1 + Math.sin(i) * 0.02);
    for (let j = 0; j < width; j++) x[i * width + j] = j === 0 ? (close - 20) / 6 : j === 1 ? (mean - 20) / 6 : Math.sin(i * (j + 1));
    y[i] = (close - mean) / close;
  }
  const model = modelFactory('gbdt').create({ numIterations: options.rounds ?? 15, numLeaves: 7, minDataInLeaf: 5 });
  const report = await model.fit({ rows, cols: width, x, y, featureNames: names }, { seed: 3 });
  const train = createPanel({ dates: ['2023-12-29'], codes: codes(40), features: names, values: Float64Array.from({ length: 40 * width }, (_, i) => 10 + ((i * 7) % 13) * 0.5), segment: 'train' });
  const pipeline = new ProcessorPipeline([new ZScore()]).fit(train);
  const artefactDir = options.artefactDir ?? (await mkdtemp(join(tmpdir(), 'quant-inference-models-')));
  const registry = new ModelRegistry(store, artefactDir);
  await registry.migrate();
  const registered = await registry.register({
    name: options.name,
    kind: 'gbdt',
    featureSet: options.set,
    featureSetVersion: options.version,
    label: 'LABEL0',
    trainFrom: '2023-01-03',
    trainTo: '2023-10-31',
    validFrom: '2023-11-01',
    validTo: '2023-12-29',
    params: {},
    seed: 3,
    dataHash: 'test',
    metrics: {},
    artefact: model.save(),
    onnx: model.toOnnx(),
    metadata: {
      model: model.metadata(),
      fit: report,
      lineage: { featureNames: names, processors: pipeline.toJSON(), label: { name: 'LABEL0', lookahead: 2, spec: { kind: 'forward-return', horizon: 1, entryLag: 1 } }, universe: null },
      ...(options.calibration ? { calibration: options.calibration } : {}),
    },
  });
  if (options.production !== false) await registry.promote(options.name, registered.version, 'production');
  return { version: registered.version, artefactDir };
}
