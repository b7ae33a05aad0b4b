import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { ModelRegistry, parseWorkflow, trainWorkflow } from '../src';
import type { ModelLookup } from '../src';
import { plantedMarket, plantedSet } from './planted-data';
import { ridgeStandIn } from './stand-in.model';

const tiny = readFileSync(new URL('../../../examples/workflows/tiny.yaml', import.meta.url), 'utf8');
const models: ModelLookup = (kind) => {
  // The tiny workflow's `ridge` is served by the stand-in here, so these tests pin the trainer alone.
  if (kind !== 'ridge') throw new Error(`unknown kind ${kind}`);
  return ridgeStandIn;
};
const featureSets = (name: string) => {
  if (name !== 'planted') throw new Error(`unknown set ${name}`);
  return plantedSet;
};

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-train-'));
  store = await openStore(join(dir, 'store'));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('trainWorkflow (planted signal, chdb registry)', () => {
  it('trains, measures the planted signal on valid and registers a candidate with lineage', async () => {
    const data = plantedMarket({ leaveAfter: '2020-10-15' });
    const artefactDir = join(dir, 'artefacts');
    const result = await trainWorkflow(parseWorkflow(tiny), { store, artefactDir, market: data.market, features: data.features, models, featureSets });
    // Train ends 2 sessions (Qlib label lookahead) before valid's first session.
    const validStart = data.calendar.findIndex((d) => d >= '2020-09-01');
    expect(result.train.to).toBe(data.calendar[validStart - 3]);
    expect(result.train.purged).toBe(2);
    expect(result.valid.from).toBe(data.calendar[validStart]);
    expect(result.label).toBe('LABEL0');
    // Rows: every code on every train session (labels exist), point-in-time membership in valid.
    const trainSessions = data.calendar.filter((d) => d >= '2020-01-01' && d <= (result.train.to as string)).length;
    expect(result.train.rows).toBe(trainSessions * 6);
    const validSessions = data.calendar.filter((d) => d >= result.valid.from && d <= '2020-12-31');
    const leftAfter = validSessions.filter((d) => d > '2020-10-15').length;
    expect(result.valid.rows).toBe(validSessions.length * 6 - leftAfter);
    const [m] = result.models;
    expect(m).toMatchObject({ name: 'tiny-ridge', version: 1, stage: 'candidate', kind: 'ridge' });
    // The planted signal explains most of the label: a high IC; a model on noise would sit near 0.
    expect(m?.valid.ic).toBeGreaterThan(0.8);
    expect(m?.valid.rankIc).toBeGreaterThan(0.7);
    expect(m?.valid.dates).toBe(validSessions.length);
    expect(m?.dataHash).toMatch(/^[0-9a-f]{64}$/);
    const registry = new ModelRegistry(store, artefactDir);
    const stored = await registry.get('tiny-ridge', 1);
    expect(stored).toMatchObject({ featureSet: 'planted', featureSetVersion: 'v1', label: 'LABEL0', trainFrom: '2020-01-01', validTo: validSessions.at(-1), seed: 1, params: { l2: 0.001 } });
    expect(stored?.metrics['validIc']).toBeCloseTo(m?.valid.ic as number, 12);
    expect(existsSync(stored?.onnxPath as string)).toBe(true);
    const meta = JSON.parse(readFileSync(join(artefactDir, 'tiny-ridge', '1', 'metadata.json'), 'utf8')) as { lineage: { processors: { steps: Array<{ kind: string }> }; dataHash: string } };
    expect(meta.lineage.processors.steps.map((s) => s.kind)).toEqual(['robust-zscore', 'fill-missing']);
    expect(meta.lineage.dataHash).toBe(m?.dataHash);
    // Features were read over train+valid only, never the later sessions.
    expect(data.featureCalls).toEqual([{ set: 'planted', from: '2020-01-01', to: validSessions.at(-1) }]);
  });

  it('same data, same workflow: the same data hash and the next version', async () => {
    const data = plantedMarket({ leaveAfter: '2020-10-15' });
    const artefactDir = join(dir, 'artefacts');
    const first = (await new ModelRegistry(store, artefactDir).get('tiny-ridge', 1))?.dataHash;
    const again = await trainWorkflow(parseWorkflow(tiny), { store, artefactDir, market: data.market, features: data.features, models, featureSets });
    expect(again.models[0]?.version).toBe(2);
    expect(again.models[0]?.dataHash).toBe(first);
    // Different data, different hash.
    const other = plantedMarket({ seed: 9 });
    const third = await trainWorkflow(parseWorkflow(tiny), { store, artefactDir: join(dir, 'a2'), market: other.market, features: other.features, models, featureSets });
    expect(third.models[0]?.dataHash).not.toBe(first);
  });

  it('labels come from adjusted prices, and nothing after valid is read for labels beyond the lookahead', async () => {
    const data = plantedMarket({ alternatingFactor: true });
    const asked: Array<[string, string]> = [];
    const market = { ...data.market, bars: async (code: string, from: string, to: string) => (asked.push([from, to]), data.market.bars(code, from, to)) };
    const result = await trainWorkflow(parseWorkflow(tiny), { store, artefactDir: join(dir, 'a3'), market, features: data.features, models, featureSets });
    const lastValid = data.calendar.indexOf(result.valid.to);
    for (const [, to] of asked) expect(to).toBe(data.calendar[lastValid + 2]);
    // Code 1's factor alternates 1, 2, 1, ...: raw-price labels of +100%/-50% would swamp every cross-section.
    expect(result.models[0]?.valid.ic).toBeGreaterThan(0.8);
  });

  it('resolves model kinds before reading any data', async () => {
    const data = plantedMarket();
    const w = parseWorkflow(tiny.replace('kind: ridge', 'kind: nope'));
    await expect(trainWorkflow(w, { store, artefactDir: join(dir, 'a4'), market: data.market, features: data.features, models, featureSets })).rejects.toThrow(/unknown kind nope/);
    expect(data.featureCalls).toEqual([]);
  });

  it('trains the real ridge and gbdt kinds of @quant/ml through the default lookup', async () => {
    const data = plantedMarket();
    const real = tiny.replace(
      /models:[\s\S]*$/,
      ['models:', '  - { name: tiny-ridge-real, kind: ridge, params: { l2: 0.001 }, seed: 1 }', '  - { name: tiny-gbdt, kind: gbdt, params: { numIterations: 40, numLeaves: 7, minDataInLeaf: 10, earlyStoppingRounds: 10 }, seed: 2 }', ''].join('\n'),
    );
    const artefactDir = join(dir, 'real');
    const result = await trainWorkflow(parseWorkflow(real), { store, artefactDir, market: data.market, features: data.features, featureSets });
    expect(result.models.map((m) => [m.name, m.kind, m.version])).toEqual([
      ['tiny-ridge-real', 'ridge', 1],
      ['tiny-gbdt', 'gbdt', 1],
    ]);
    for (const m of result.models) {
      expect(m.valid.ic).toBeGreaterThan(0.6);
      // A real ONNX ModelProto: field 1 (ir_version, varint) opens the message.
      expect(readFileSync(m.onnxPath)[0]).toBe(0x08);
    }
  });

  it('fits the models of one matrix on worker threads with the same artefacts as one after another', async () => {
    const data = plantedMarket();
    const two = tiny.replace(
      /models:[\s\S]*$/,
      ['models:', '  - { name: par-ridge, kind: ridge, params: { l2: 0.001 }, seed: 1 }', '  - { name: par-gbdt, kind: gbdt, params: { numIterations: 30, numLeaves: 7, minDataInLeaf: 10 }, seed: 2 }', ''].join('\n'),
    );
    const progress: string[] = [];
    const inThread = await trainWorkflow(parseWorkflow(two), { store, artefactDir: join(dir, 'serial'), market: data.market, features: data.features, featureSets, parallelism: 1 });
    const workers = await trainWorkflow(parseWorkflow(two), { store, artefactDir: join(dir, 'parallel'), market: data.market, features: data.features, featureSets, parallelism: 2, onProgress: (t) => progress.push(t) });
    expect(progress.some((t) => t.includes('on 2 worker threads'))).toBe(true);
    for (const [k, m] of workers.models.entries()) {
      const serial = inThread.models[k]!;
      expect(m.name).toBe(serial.name);
      expect(Buffer.compare(readFileSync(m.artefactPath), readFileSync(serial.artefactPath))).toBe(0);
      expect(Buffer.compare(readFileSync(m.onnxPath), readFileSync(serial.onnxPath))).toBe(0);
    }
    // The thread count given to the workers' trees is not part of the registered parameters.
    const gbdt = (await new ModelRegistry(store, join(dir, 'parallel')).list()).find((m) => m.name === 'par-gbdt' && m.version === workers.models[1]!.version);
    expect(gbdt?.params).not.toHaveProperty('numThreads');
  });
});
