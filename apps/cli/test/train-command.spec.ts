// quant train on a chdb store seeded with synthetic bars carrying a planted signal: the features are
// built on the first run (a stand-in set), the models registered, the JSON summary printed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import type { FeatureCalculator, FeatureDefinition, FeatureSet, SeriesInput } from '@quant/features';
import type { Dataset, FitOptions, Model, ModelFactory } from '@quant/ml';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import { openStore } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import type { CliContext } from '../src/commands/command-module';
import { createTrainCommand } from '../src/commands/train.command';
import { weekdays } from '@quant/testing';

/** RET1 = close[t]/close[t-1]-1 of the adjusted close; NOISE = a constant-free pseudo-random column. */
const DEFINITIONS: FeatureDefinition[] = [
  { name: 'RET1', family: 'technical', formula: '$close/Ref($close,1)-1', inputs: ['close'], warmup: 2 },
  { name: 'NOISE', family: 'technical', formula: 'noise', inputs: ['close'], warmup: 1 },
];
const calculator: FeatureCalculator = {
  name: 'ret1',
  definitions: DEFINITIONS,
  batch(input: SeriesInput): Float64Array[] {
    const close = input.fields['close'] as Float64Array;
    const ret = close.map((c, i) => (i === 0 ? NaN : c / (close[i - 1] as number) - 1));
    const noise = close.map((c) => Math.sin(c * 1e4));
    return [ret, noise];
  },
  stream() {
    throw new Error('not used by batch builds');
  },
};
const momentumSet: FeatureSet = { name: 'momentum-stand-in', version: 'v1', calculators: [calculator], definitions: () => [...DEFINITIONS] };

/** One-feature least squares on RET1, a stand-in for @quant/ml's linear model. */
class SlopeModel implements Model {
  readonly kind = 'slope';
  private slope = 0;
  private names: string[] = [];
  async fit(train: Dataset, _options?: FitOptions) {
    let sxy = 0;
    let sxx = 0;
    for (let r = 0; r < train.rows; r++) {
      const x = train.x[r * train.cols] as number;
      sxy += x * (train.y[r] as number);
      sxx += x * x;
    }
    this.slope = sxx > 0 ? sxy / sxx : 0;
    this.names = [...train.featureNames];
    return { iterations: 1, bestIteration: 1, bestValidLoss: null, seconds: 0 };
  }
  predict(x: Float32Array, rows: number) {
    return Float64Array.from({ length: rows }, (_, r) => (x[r * this.names.length] as number) * this.slope);
  }
  importance() {
    return {};
  }
  toOnnx() {
    return Uint8Array.of(1);
  }
  save() {
    return new TextEncoder().encode(JSON.stringify({ slope: this.slope }));
  }
  metadata() {
    return { kind: 'slope', objective: 'regression' as const, featureNames: this.names, params: {}, seed: 0, extra: {} };
  }
}
const slopeFactory: ModelFactory = { kind: 'slope', create: () => new SlopeModel(), load: () => new SlopeModel() };

const command = createTrainCommand({
  models: (kind) => {
    if (kind !== 'slope') throw new QuantError('MODEL_KIND_UNKNOWN', `unknown model kind "${kind}"`);
    return slopeFactory;
  },
  featureSets: (name) => {
    if (name !== 'momentum-stand-in') throw new QuantError('WORKFLOW_INVALID', `features: "${name}" is not a feature set`);
    return momentumSet;
  },
});

const CODES = ['SH600000', 'SH600004', 'SZ000001', 'SZ000002', 'SZ000004'];
let dir: string;
let storeDir: string;
let calendar: string[];


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-train-cli-'));
  storeDir = join(dir, 'store');
  calendar = weekdays('2021-01-04', 260);
  const store = await openStore(storeDir);
  const market = new MarketDataRepository(store);
  await market.migrate();
  await market.saveCalendar('CN', calendar, 'test');
  await market.saveInstruments(CODES.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: calendar.at(-1) as string })), 'test');
  await market.saveUniverse('tiny', CODES.map((code) => ({ code, start: calendar[0] as string, end: calendar.at(-1) as string })), 'test');
  // Planted: the daily return two sessions ahead repeats 0.6 x today's (an AR(2) on returns), so RET1
  // at T predicts Qlib's label close[T+2]/close[T+1]-1.
  let seed = 17;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * 0.04;
  const bars: StoredBar[] = [];
  for (const code of CODES) {
    const ret = [0, 0];
    let close = 10;
    calendar.forEach((date, k) => {
      if (k >= 2) ret.push(0.6 * (ret[k - 2] as number) + rnd());
      close *= 1 + (ret[k] as number);
      bars.push({
        code, date, open: close, high: close, low: close, close, volume: 100, amount: null, factor: 1,
        traded: true, isST: false, flags: [], source: 'test', eventId: `bar:test:${code}:${date}`, ingestedAt: Date.UTC(2021, 0, 1),
      });
    });
  }
  await market.insertBars(bars);
  await store.close();
  writeFileSync(
    join(dir, 'tiny.yaml'),
    [
      'name: tiny-cli',
      'universe: tiny',
      'features: momentum-stand-in',
      'segments:',
      `  train: { from: ${calendar[0]}, to: ${calendar[169]} }`,
      `  valid: { from: ${calendar[170]}, to: ${calendar[239]} }`,
      `  test: { from: ${calendar[240]}, to: ${calendar[259]} }`,
      'processors:',
      '  - { kind: fill-missing, strategy: constant, value: 0 }',
      'models:',
      '  - { name: tiny-slope, kind: slope, seed: 3 }',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function quant(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const context = { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } } as unknown as CliContext;
  const code = await runCli(['node', 'quant', ...args], context, [command]);
  return { code, out: out.join(''), err: err.join('') };
}

describe('quant train', () => {
  it('builds the missing features, trains, registers and prints a JSON summary', async () => {
    const artefacts = join(dir, 'models');
    const r = await quant('train', join(dir, 'tiny.yaml'), '--store', storeDir, '--artefacts', artefacts);
    expect(r.code).toBe(0);
    expect(r.err).toContain('building momentum-stand-in@v1 for 5 instrument(s)');
    const summary = JSON.parse(r.out) as { store: string; train: { to: string; purged: number }; valid: { to: string; rows: number }; models: Array<{ name: string; version: number; valid: { ic: number }; onnxPath: string }> };
    expect(summary.store).toBe(storeDir);
    // Valid is purged before test (2 sessions), train before valid.
    expect(summary.train).toMatchObject({ to: calendar[167], purged: 2 });
    expect(summary.valid.to).toBe(calendar[237]);
    expect(summary.valid.rows).toBe(68 * 5);
    const [m] = summary.models;
    expect(m).toMatchObject({ name: 'tiny-slope', version: 1 });
    expect(m?.valid.ic).toBeGreaterThan(0.3);
    expect(existsSync(m?.onnxPath as string)).toBe(true);
    expect(m?.onnxPath).toBe(join(artefacts, 'tiny-slope', '1', 'model.onnx'));

    const store = await openStore(storeDir);
    try {
      const stored = await new ModelRegistry(store, artefacts).list('tiny-slope');
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ stage: 'candidate', featureSet: 'momentum-stand-in', featureSetVersion: 'v1', label: 'LABEL0', seed: 3 });
    } finally {
      await store.close();
    }
    const meta = JSON.parse(readFileSync(join(artefacts, 'tiny-slope', '1', 'metadata.json'), 'utf8')) as { lineage: { featureNames: string[] } };
    expect(meta.lineage.featureNames).toEqual(['RET1', 'NOISE']);
  });

  it('reads the stored features on the next run (no rebuild) and registers version 2', async () => {
    const r = await quant('train', join(dir, 'tiny.yaml'), '--store', storeDir, '--artefacts', join(dir, 'models'));
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('building');
    expect((JSON.parse(r.out) as { models: Array<{ version: number }> }).models[0]?.version).toBe(2);
  });

  it('refuses an invalid workflow naming the path, and an empty store', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(dir, 'tiny.yaml'), 'utf8').replace('seed: 3', 'seed: -3'));
    const r = await quant('train', bad, '--store', storeDir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[WORKFLOW_INVALID]');
    expect(r.err).toContain('models[0].seed');
    const empty = await quant('train', join(dir, 'tiny.yaml'), '--store', join(dir, 'empty-store'), '--artefacts', join(dir, 'm2'));
    expect(empty.err).toContain('[STORE_EMPTY]');
    const missing = await quant('train', join(dir, 'nope.yaml'));
    expect(missing.err).toContain('[WORKFLOW_NOT_FOUND]');
  });
});
