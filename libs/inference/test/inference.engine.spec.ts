import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { applyCalibration } from '@quant/evaluation';
import { createPanel } from '@quant/features';
import { OnnxScorer } from '@quant/ml-runtime';
import type { ApplyCalibration, Scorer } from '../src';
import { InThreadScorer, InferenceEngine } from '../src';
import type { TrainedModel } from './inference.fixtures';
import { CALENDAR, CALIBRATION, CODES, FEATURES, MemoryFeatures, MemoryMarket, MemoryModelSource, fittedPipeline, rawFeatures, trainModel } from './inference.fixtures';

const DAY = CALENDAR[20] as string;

/** A scorer that records what it was asked, and refuses a key once unloaded (InThreadScorer does). */
class SpyScorer extends InThreadScorer {
  readonly unloaded: string[] = [];
  scored = 0;
  override async score(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    this.scored++;
    await new Promise((resolve) => setTimeout(resolve, 1));
    return super.score(key, x, rows);
  }
  override async unload(key: string): Promise<void> {
    this.unloaded.push(key);
    await super.unload(key);
  }
}

async function expectedScores(model: TrainedModel, date: string, codes: readonly string[]): Promise<Float32Array> {
  const raw = new Float64Array(codes.length * 3);
  codes.forEach((c, i) => raw.set(rawFeatures(c, date), i * 3));
  const processed = fittedPipeline().apply(createPanel({ dates: [date], codes, features: FEATURES, values: raw, segment: 'live' }));
  const scorer = await OnnxScorer.load(model.artefacts.onnx);
  try {
    return await scorer.score(Float32Array.from(processed.values), codes.length);
  } finally {
    await scorer.close();
  }
}

let gbdt: TrainedModel;
let ridge: TrainedModel;
let gbdt2: TrainedModel;
const engines: InferenceEngine[] = [];

function engine(source: MemoryModelSource, options: { scorer?: Scorer; applyCalibration?: ApplyCalibration; market?: MemoryMarket; features?: MemoryFeatures } = {}): InferenceEngine {
  const e = new InferenceEngine({
    models: source,
    features: options.features ?? new MemoryFeatures(),
    market: options.market ?? new MemoryMarket(),
    scorer: options.scorer ?? new InThreadScorer(),
    ...(options.applyCalibration ? { applyCalibration: options.applyCalibration } : {}),
  });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  gbdt = await trainModel('gbdt-syn', 1, 'gbdt', { calibration: true });
  gbdt2 = await trainModel('gbdt-syn', 2, 'gbdt', { rounds: 5 });
  ridge = await trainModel('ridge-syn', 1, 'ridge');
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

describe('InferenceEngine.predict', () => {
  it('scores stored features of the day through the fitted processors, as at training time', async () => {
    const e = engine(new MemoryModelSource().add(gbdt));
    const out = await e.predict({ date: DAY, codes: ['SH600003', 'SH600001', 'SZ000001'] });
    const expected = await expectedScores(gbdt, DAY, CODES);
    expect(out.model).toMatchObject({ name: 'gbdt-syn', version: '1', horizonDays: 1, featureSet: 'syn' });
    expect(out.predictions.map((p) => p.code)).toEqual(['SH600003', 'SH600001']);
    expect(out.predictions[0]?.score).toBeCloseTo(expected[3] as number, 5);
    expect(out.predictions[1]?.score).toBeCloseTo(expected[1] as number, 5);
    const rankOf3 = 1 + [...expected].filter((s) => s > (expected[3] as number)).length;
    expect(out.predictions[0]?.rank).toBe(rankOf3);
    expect(out.predictions[0]?.percentile).toBeCloseTo((CODES.length - rankOf3 + 1) / CODES.length, 12);
    expect(out.skipped).toEqual([{ code: 'SZ000001', reason: `no stored features on ${DAY} within the listed instruments` }]);
    expect(out.universeSize).toBe(CODES.length);
  });

  it('averages the production models\' cross-sectionally standardised scores by default (the ensemble)', async () => {
    const e = engine(new MemoryModelSource().add(gbdt).add(ridge));
    const out = await e.predict({ date: DAY });
    expect(out.model).toMatchObject({ name: 'ensemble', version: 'gbdt-syn@1+ridge-syn@1' });
    const [g, r] = [await expectedScores(gbdt, DAY, CODES), await expectedScores(ridge, DAY, CODES)];
    const z = (v: Float32Array) => {
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
      return [...v].map((x) => (x - m) / sd);
    };
    const [zg, zr] = [z(g), z(r)];
    for (const p of out.predictions) {
      const i = CODES.indexOf(p.code);
      expect(p.score).toBeCloseTo(((zg[i] as number) + (zr[i] as number)) / 2, 4);
    }
    expect(out.predictions.map((p) => p.rank).sort((a, b) => (a as number) - (b as number))).toEqual(CODES.map((_, i) => i + 1));
  });

  it('answers a named model or version, loading a non-production version on demand', async () => {
    const source = new MemoryModelSource().add(gbdt).add(ridge).add(gbdt2, false);
    const e = engine(source);
    expect((await e.predict({ date: DAY, codes: ['SH600000'], model: { name: 'ridge-syn' } })).model.name).toBe('ridge-syn');
    const v2 = await e.predict({ date: DAY, codes: ['SH600000'], model: { name: 'gbdt-syn', version: '2' } });
    expect(v2.model).toMatchObject({ name: 'gbdt-syn', version: '2' });
    expect(v2.predictions[0]?.score).toBeCloseTo((await expectedScores(gbdt2, DAY, ['SH600000']))[0] as number, 5);
    await expect(e.predict({ model: { name: 'nope' } })).rejects.toMatchObject({ code: 'INFERENCE_MODEL_NOT_SERVED' });
    await expect(e.predict({ model: { name: 'gbdt-syn', version: '9' } })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('fills the calibrated outlook only from a model\'s stored calibration, never inventing one', async () => {
    const apply: ApplyCalibration = (cal, percentile) => {
      const bin = percentile > 0.5 ? 1 : 0;
      return { probabilityBeatBenchmark: cal.probabilityBeatBenchmark[bin] as number, expectedReturn: cal.expectedReturn[bin] as number, expectedExcessReturn: cal.expectedExcessReturn[bin] as number };
    };
    const calibrated = await engine(new MemoryModelSource().add(gbdt), { applyCalibration: apply }).predict({ date: DAY });
    for (const p of calibrated.predictions) {
      expect(p.probabilityBeatBenchmark).toBe((p.percentile as number) > 0.5 ? 0.6 : 0.4);
      expect(p.expectedReturn).toBe((p.percentile as number) > 0.5 ? 0.004 : -0.002);
    }
    const partly = await engine(new MemoryModelSource().add(gbdt).add(ridge), { applyCalibration: apply }).predict({ date: DAY });
    expect(partly.predictions.every((p) => p.probabilityBeatBenchmark === null && p.expectedReturn === null)).toBe(true);
    // By default the calibration is read with @quant/evaluation's applyCalibration.
    const byDefault = await engine(new MemoryModelSource().add(gbdt)).predict({ date: DAY });
    for (const p of byDefault.predictions) expect(p.probabilityBeatBenchmark).toBe(applyCalibration(CALIBRATION, p.percentile as number).probabilityBeatBenchmark);
    const uncalibrated = await engine(new MemoryModelSource().add(ridge)).predict({ date: DAY });
    expect(uncalibrated.predictions.every((p) => p.probabilityBeatBenchmark === null && p.expectedReturn === null && p.expectedExcessReturn === null)).toBe(true);
  });

  it('scores what-if vectors against the day\'s cross-section, by feature name', async () => {
    const e = engine(new MemoryModelSource().add(gbdt));
    const stored = rawFeatures('SH600005', DAY);
    const out = await e.predict({ date: DAY, features: [{ code: 'SH600005', names: ['C', 'A', 'B'], values: [stored[2] as number, stored[0] as number, stored[1] as number] }] });
    const direct = await e.predict({ date: DAY, codes: ['SH600005'] });
    // The same row appended to the day: its cross-sectional rank of C moves by at most one place.
    expect(out.predictions[0]?.score).toBeCloseTo(direct.predictions[0]?.score as number, 1);
    await expect(e.predict({ date: DAY, features: [{ code: 'X', names: ['A'], values: [1, 2] }] })).rejects.toMatchObject({ code: 'INFERENCE_BAD_REQUEST' });
  });

  it('defaults to the latest day with features and names bad input', async () => {
    const e = engine(new MemoryModelSource().add(gbdt));
    expect((await e.predict({ codes: ['SH600000'] })).date).toBe(CALENDAR[CALENDAR.length - 1]);
    await expect(e.predict({ date: '2024/01/02' })).rejects.toMatchObject({ code: 'INFERENCE_BAD_REQUEST' });
    await expect(engine(new MemoryModelSource()).predict({})).rejects.toMatchObject({ code: 'INFERENCE_NO_MODEL' });
  });
});

describe('model swap', () => {
  it('switches to the new production set under load with no failed call; the old sessions go once idle', async () => {
    const source = new MemoryModelSource().add(gbdt);
    const scorer = new SpyScorer();
    const e = engine(source, { scorer });
    await e.predict({ date: DAY, codes: ['SH600000'] });
    const versions: string[] = [];
    const failures: unknown[] = [];
    let swapped = false;
    const load = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 40; i++) {
        try {
          const out = await e.predict({ date: CALENDAR[10 + ((w + i) % 10)] as string, codes: [CODES[i % CODES.length] as string] });
          versions.push(out.model.version);
        } catch (error) {
          failures.push(error);
        }
        if (w === 0 && i === 10) {
          source.add(gbdt2);
          swapped = await e.reload();
        }
      }
    });
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(swapped).toBe(true);
    expect(e.serving).toBe('gbdt-syn@2');
    expect(versions).toContain('1');
    expect(versions[versions.length - 1]).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(scorer.unloaded).toEqual(['g1:gbdt-syn@1']);
    expect(await e.reload()).toBe(false);
  });

  it('keeps serving the old set when the new one fails to load', async () => {
    const source = new MemoryModelSource().add(gbdt);
    const e = engine(source);
    await e.predict({ date: DAY, codes: ['SH600000'] });
    source.add({ ...gbdt2, artefacts: { ...gbdt2.artefacts, onnx: new Uint8Array([1, 2, 3]) } });
    await expect(e.reload()).rejects.toBeInstanceOf(QuantError);
    expect(e.serving).toBe('gbdt-syn@1');
    expect((await e.predict({ date: DAY, codes: ['SH600000'] })).model.version).toBe('1');
  });
});
