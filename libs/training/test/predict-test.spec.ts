import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { parseWorkflow, pearson, trainWorkflow } from '../src';
import type { FeatureLoader, ModelLookup } from '../src';
import { plantedMarket, plantedSet } from './planted-data';
import { ridgeStandIn } from './stand-in.model';

// The tiny workflow with a test segment after valid (the planted calendar ends on 2021-02-23).
const tiny = readFileSync(new URL('../../../examples/workflows/tiny.yaml', import.meta.url), 'utf8').replace(
  '  valid: { from: 2020-09-01, to: 2020-12-31 }',
  '  valid: { from: 2020-09-01, to: 2020-12-18 }\n  test: { from: 2021-01-01, to: 2021-06-30 }',
);
const models: ModelLookup = () => ridgeStandIn;
const featureSets = () => plantedSet;

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-predict-'));
  store = await openStore(join(dir, 'store'));
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Test-segment feature rows scaled and shifted: anything fitted on them would change. */
function distortTest(features: FeatureLoader): FeatureLoader {
  return async (set, codes, from, to) => (await features(set, codes, from, to)).map((r) => (r.date >= '2021-01-01' ? { ...r, values: Array.from(r.values, (v) => v * 1000 + 50) } : r));
}

describe('trainWorkflow with predictTest', () => {
  it('scores every member row of the test segment with the train-fitted pipeline and returns its labels', async () => {
    const data = plantedMarket({ leaveAfter: '2021-02-01' });
    const w = parseWorkflow(tiny);
    const result = await trainWorkflow(w, { store, artefactDir: join(dir, 'a1'), market: data.market, features: data.features, models, featureSets, predictTest: true });
    const test = result.test;
    if (!test) throw new Error('no test predictions');
    const sessions = data.calendar.filter((d) => d >= '2021-01-01');
    expect(test.dates).toEqual(sessions);
    expect(test.from).toBe(sessions[0]);
    // Six members until 2021-02-01, five after (point-in-time membership).
    const after = sessions.filter((d) => d > '2021-02-01').length;
    expect(test.date.length).toBe(sessions.length * 6 - after);
    expect(result.valid.to).toBe('2020-12-18');
    // The last two sessions have no label yet (Qlib's label reads two sessions ahead).
    const lastDay = sessions.length - 1;
    const labelsOf = (d: number) => Array.from(test.label).filter((_, i) => test.date[i] === d);
    expect(labelsOf(lastDay).every((v) => Number.isNaN(v))).toBe(true);
    expect(labelsOf(lastDay - 1).every((v) => Number.isNaN(v))).toBe(true);
    expect(labelsOf(lastDay - 2).every((v) => Number.isFinite(v))).toBe(true);
    // The planted signal carries over to test.
    const scores = test.scores['tiny-ridge'] as Float64Array;
    expect(pearson(scores, test.label)).toBeGreaterThan(0.8);
    expect(Object.keys(result.importance ?? {})).toEqual(['tiny-ridge']);
    // Features were read for train+valid first, then for the test segment alone.
    expect(data.featureCalls[0]?.to).toBe(result.valid.to);
    expect(data.featureCalls[1]).toEqual({ set: 'planted', from: sessions[0], to: sessions.at(-1) });
  });

  it("cross-sectional processors see only the day's members: a non-member's features do not move the members' scores", async () => {
    // The last planted code leaves the universe after 2021-02-01; its feature rows stay in the store.
    const cs = tiny.replace('  - { kind: robust-zscore, clip: 3 }\n  - { kind: fill-missing, strategy: constant, value: 0 }', '  - { kind: cs-zscore }\n  - { kind: fill-missing, strategy: constant, value: 0 }');
    expect(cs).toContain('cs-zscore }\n  - { kind: fill-missing');
    const plain = plantedMarket({ leaveAfter: '2021-02-01' });
    const leaver = plain.codes.at(-1) as string;
    // Same data, except the leaver's rows on days it is not a member are blown up.
    const distorted: FeatureLoader = async (set, codes, from, to) =>
      (await plain.features(set, codes, from, to)).map((r) => (r.code === leaver && r.date > '2021-02-01' ? { ...r, values: Array.from(r.values, (v) => v * 1e4 + 7) } : r));
    const run = (features: FeatureLoader, out: string) =>
      trainWorkflow(parseWorkflow(cs), { store, artefactDir: join(dir, out), market: plain.market, features, models, featureSets, predictTest: true });
    const a = (await run(plain.features, 'cs1')).test;
    const b = (await run(distorted, 'cs2')).test;
    if (!a || !b) throw new Error('no test predictions');
    expect(Array.from(b.date)).toEqual(Array.from(a.date));
    expect(Array.from(b.scores['tiny-ridge'] as Float64Array)).toEqual(Array.from(a.scores['tiny-ridge'] as Float64Array));
  });

  it('no leakage: distorting the test features changes neither the fitted processors, the models nor the valid metrics', async () => {
    const data = plantedMarket();
    const w = parseWorkflow(tiny);
    const clean = await trainWorkflow(w, { store, artefactDir: join(dir, 'clean'), market: data.market, features: data.features, models, featureSets, predictTest: true });
    const bent = await trainWorkflow(w, { store, artefactDir: join(dir, 'bent'), market: data.market, features: distortTest(data.features), models, featureSets, predictTest: true });
    // The registry is shared by this file's runs: read each run's own version.
    const meta = (r: typeof clean) => JSON.parse(readFileSync(join(r.models[0]?.artefactPath as string, '..', 'metadata.json'), 'utf8')) as { lineage: { processors: unknown }; calibration: unknown };
    expect(meta(bent).lineage.processors).toEqual(meta(clean).lineage.processors);
    expect(meta(bent).calibration).toEqual(meta(clean).calibration);
    expect(bent.models[0]?.dataHash).toBe(clean.models[0]?.dataHash);
    expect(bent.models[0]?.valid).toEqual(clean.models[0]?.valid);
    expect(readFileSync(bent.models[0]?.artefactPath as string)).toEqual(readFileSync(clean.models[0]?.artefactPath as string));
    // Same labels, different scores: the test features reach the predictions only.
    expect(Array.from(bent.test?.label ?? [])).toEqual(Array.from(clean.test?.label ?? []));
    expect(Array.from(bent.test?.scores['tiny-ridge'] ?? [])).not.toEqual(Array.from(clean.test?.scores['tiny-ridge'] ?? []));
  });

  it('stores the score calibration fitted on valid in the model metadata', async () => {
    const data = plantedMarket();
    const artefactDir = join(dir, 'cal');
    const result = await trainWorkflow(parseWorkflow(tiny), { store, artefactDir, market: data.market, features: data.features, models, featureSets });
    const meta = JSON.parse(readFileSync(join(result.models[0]?.artefactPath as string, '..', 'metadata.json'), 'utf8')) as {
      lineage: { valid: { rows: number } };
      calibration: { kind: string; horizon: number; bins: number; rows: number; probabilityBeatBenchmark: number[]; expectedExcessReturn: number[]; benchmark: string };
    };
    const cal = meta.calibration;
    expect(cal).toMatchObject({ kind: 'percentile-bins', horizon: 1, bins: 10, benchmark: 'universe-mean' });
    expect(cal.rows).toBe(meta.lineage.valid.rows);
    // The planted signal: top-percentile stocks beat the day's mean far more often than bottom ones.
    expect((cal.probabilityBeatBenchmark.at(-1) as number) - (cal.probabilityBeatBenchmark[0] as number)).toBeGreaterThan(0.5);
    expect(cal.expectedExcessReturn.at(-1) as number).toBeGreaterThan(0);
  });

  it('gives a model its own processors: one pipeline per list, each fitted on train and applied to its test rows', async () => {
    const data = plantedMarket();
    const w = parseWorkflow(tiny.replace(/models:[\s\S]*$/, ['models:', '  - { name: scaled, kind: ridge, seed: 1 }', '  - { name: raw, kind: ridge, seed: 1, processors: [] }', ''].join('\n')));
    const result = await trainWorkflow(w, { store, artefactDir: join(dir, 'own'), market: data.market, features: distortTest(data.features), models, featureSets, predictTest: true });
    const steps = (name: string) =>
      (JSON.parse(readFileSync(join(result.models.find((m) => m.name === name)?.artefactPath as string, '..', 'metadata.json'), 'utf8')) as { lineage: { processors: { steps: unknown[] } } }).lineage.processors.steps.length;
    expect(steps('scaled')).toBe(2);
    expect(steps('raw')).toBe(0);
    expect(result.models.map((m) => m.name)).toEqual(['scaled', 'raw']);
    // Different training matrices, the same rows.
    expect(result.models[0]?.dataHash).not.toBe(result.models[1]?.dataHash);
    const test = result.test;
    if (!test) throw new Error('no test predictions');
    // The raw model sees the distorted test features unscaled (x1000 + 50): its scores blow up; the robust
    // z-score with clip 3 bounds the scaled model's inputs.
    const spread = (v: Float64Array) => Math.max(...v) - Math.min(...v);
    expect(spread(test.scores['raw'] as Float64Array)).toBeGreaterThan(100 * spread(test.scores['scaled'] as Float64Array));
  });

  it('refuses predictTest without a test segment, before reading data', async () => {
    const data = plantedMarket();
    const w = parseWorkflow(readFileSync(new URL('../../../examples/workflows/tiny.yaml', import.meta.url), 'utf8'));
    await expect(trainWorkflow(w, { store, artefactDir: join(dir, 'x'), market: data.market, features: data.features, models, featureSets, predictTest: true })).rejects.toThrow(/segments\.test/);
    expect(data.featureCalls).toEqual([]);
  });
});
