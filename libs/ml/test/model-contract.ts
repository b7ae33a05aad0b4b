/**
 * The contract every model passes (issue 5): deterministic with a seed, save/load round trip, ONNX
 * output equal to `predict`, clear errors on a wrong feature count and on +-Infinity, NaN accepted as a
 * missing value, importance keyed by feature name, self-describing metadata.
 *
 * Usage in a spec file:
 *   describeModelContract('ridge', () => new LinearModel('ridge'), (seed) => syntheticData({ seed, objective: 'regression' }));
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
// ONNX parity must run the exported graph in onnxruntime, the serving path; this shared test file is the
// one place a domain lib's tests reach the adapter.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OnnxScorer } from '@quant/ml-runtime';
import { modelFactory } from '../src';
import type { Dataset, FitOptions, Model, Objective } from '../src';

export interface ContractData {
  train: Dataset;
  valid: Dataset;
}

export interface ContractOptions {
  /** Reads an artefact back; default: the registered factory for the model's kind. */
  load?: (artefact: Uint8Array) => Model;
  /** Extra fit options (e.g. onProgress); seed and valid are set by the suite. */
  fitOptions?: Omit<FitOptions, 'seed' | 'valid'>;
  /** Seed used for the fits (default 7). */
  seed?: number;
}

/** ONNX parity tolerance: 1e-5 relative for |v| > 1, absolute otherwise. */
export const ONNX_TOLERANCE = 1e-5;

export function expectOnnxClose(onnx: ArrayLike<number>, predicted: ArrayLike<number>, tolerance = ONNX_TOLERANCE): void {
  expect(onnx.length).toBe(predicted.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] as number;
    const o = onnx[i] as number;
    const err = Math.abs(o - p) / Math.max(1, Math.abs(p));
    if (!(err <= worst)) {
      worst = err;
      worstAt = i;
    }
  }
  if (!(worst <= tolerance)) {
    throw new Error(`ONNX differs from predict at row ${worstAt}: onnx ${onnx[worstAt]} vs predict ${predicted[worstAt]} (error ${worst} > ${tolerance})`);
  }
}

/** Deterministic synthetic data with missing values: a noisy linear + nonlinear signal. */
export function syntheticData(options: { seed: number; objective: Objective; rows?: number; validRows?: number; cols?: number; nanRate?: number }): ContractData {
  const cols = options.cols ?? 6;
  const nanRate = options.nanRate ?? 0.03;
  let s = (options.seed * 2654435761) >>> 0 || 1;
  const uniform = (): number => {
    // xorshift32: enough for test data, and independent of the models' own generators.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const featureNames = Array.from({ length: cols }, (_, j) => `f${j}`);
  const make = (rows: number, groupSize: number): Dataset => {
    const x = new Float32Array(rows * cols);
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let signal = 0;
      for (let j = 0; j < cols; j++) {
        // Mixed scales so standardisation matters; a few missing values.
        const v = (uniform() * 2 - 1) * (j + 1) + j;
        x[i * cols + j] = uniform() < nanRate ? NaN : v;
        const u = (v - j) / (j + 1);
        signal += j % 2 === 0 ? u * (1 - j / cols) : Math.sin(3 * u) * 0.5;
      }
      const noisy = signal + (uniform() - 0.5) * 0.5;
      y[i] = options.objective === 'binary' ? (noisy > 0 ? 1 : 0) : options.objective === 'lambdarank' ? Math.max(0, Math.min(4, Math.round(noisy + 2))) : noisy;
    }
    const d: Dataset = { rows, cols, x, y, featureNames };
    if (options.objective === 'lambdarank') {
      const groups: number[] = [];
      for (let left = rows; left > 0; left -= groupSize) groups.push(Math.min(groupSize, left));
      d.group = Int32Array.from(groups);
    }
    return d;
  };
  return { train: make(options.rows ?? 600, 30), valid: make(options.validRows ?? 200, 20) };
}

function withNaN(d: Dataset, everyNth: number): Float32Array {
  const x = Float32Array.from(d.x);
  for (let i = 0; i < x.length; i += everyNth) x[i] = NaN;
  // One fully missing row.
  for (let j = 0; j < d.cols; j++) x[j] = NaN;
  return x;
}

function expectQuantError(fn: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a QuantError').toBeInstanceOf(QuantError);
  expect((caught as QuantError).code).toBe(code);
  expect((caught as QuantError).message).toMatch(message);
}

export function describeModelContract(name: string, factory: () => Model, makeData: (seed: number) => ContractData, options: ContractOptions = {}): void {
  const seed = options.seed ?? 7;
  describe(`model contract: ${name}`, () => {
    let data: ContractData;
    let model: Model;
    const fit = async (m: Model): Promise<void> => {
      await m.fit(data.train, { ...options.fitOptions, seed, valid: data.valid });
    };
    const load = (bytes: Uint8Array): Model => (options.load ? options.load(bytes) : modelFactory(model.kind).load(bytes));

    beforeAll(async () => {
      data = makeData(seed);
      model = factory();
      await fit(model);
    });

    it('is deterministic with a seed: byte-identical artefacts and identical predictions', async () => {
      const again = factory();
      await fit(again);
      expect(Buffer.from(again.save()).equals(Buffer.from(model.save()))).toBe(true);
      expect(Buffer.from(again.toOnnx()).equals(Buffer.from(model.toOnnx()))).toBe(true);
      expect(Array.from(again.predict(data.valid.x, data.valid.rows))).toEqual(Array.from(model.predict(data.valid.x, data.valid.rows)));
    });

    it('learns something: predictions vary across rows', () => {
      const p = model.predict(data.valid.x, data.valid.rows);
      expect(p.every(Number.isFinite)).toBe(true);
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(1e-6);
    });

    it('round-trips through save/load with identical predictions and metadata', () => {
      const bytes = model.save();
      const loaded = load(bytes);
      expect(loaded.kind).toBe(model.kind);
      expect(Array.from(loaded.predict(data.valid.x, data.valid.rows))).toEqual(Array.from(model.predict(data.valid.x, data.valid.rows)));
      expect(loaded.metadata()).toEqual(model.metadata());
      expect(Buffer.from(loaded.save()).equals(Buffer.from(bytes))).toBe(true);
    });

    it('exports ONNX whose onnxruntime output equals predict within 1e-5, missing values included', async () => {
      const scorer = await OnnxScorer.load(model.toOnnx());
      try {
        expect(scorer.featureCount).toBe(data.train.cols);
        const x = withNaN(data.valid, 7);
        const onnx = await scorer.score(x, data.valid.rows);
        expectOnnxClose(onnx, model.predict(x, data.valid.rows));
        // The training rows too: they reach the extremes of the fitted function.
        expectOnnxClose(await scorer.score(data.train.x, data.train.rows), model.predict(data.train.x, data.train.rows));
      } finally {
        await scorer.close();
      }
    });

    it('refuses a wrong feature count with a clear error', async () => {
      const F = data.train.cols;
      expectQuantError(() => model.predict(new Float32Array(3 * (F + 1)), 3), 'ML_FEATURE_COUNT', new RegExp(`${F} features`));
      expectQuantError(() => model.predict(new Float32Array(3 * F - 1), 3), 'ML_FEATURE_COUNT', new RegExp(`${F} features`));
      const narrow: Dataset = { ...data.valid, cols: F - 1, x: data.valid.x.slice(0, data.valid.rows * (F - 1)), featureNames: data.valid.featureNames.slice(0, F - 1) };
      await expect(factory().fit(data.train, { seed, valid: narrow })).rejects.toBeInstanceOf(QuantError);
      const scorer = await OnnxScorer.load(model.toOnnx());
      await expect(scorer.score(new Float32Array(2 * (F + 1)), 2)).rejects.toThrow(new RegExp(`takes ${F} features per row`));
      await scorer.close();
    });

    it('refuses +-Infinity in predict and fit with where it was', async () => {
      const F = data.train.cols;
      for (const bad of [Infinity, -Infinity]) {
        const x = Float32Array.from(data.valid.x.subarray(0, 4 * F));
        x[2 * F + 1] = bad;
        expectQuantError(() => model.predict(x, 4), 'ML_NON_FINITE', /row 2, feature 1/);
      }
      const x = Float32Array.from(data.train.x);
      x[5 * F] = Infinity;
      await expect(factory().fit({ ...data.train, x }, { seed })).rejects.toThrow(/row 5, feature 0/);
    });

    it('accepts NaN as missing, in fit and predict', async () => {
      const m = factory();
      await m.fit({ ...data.train, x: withNaN(data.train, 5) }, { seed });
      const p = m.predict(withNaN(data.valid, 3), data.valid.rows);
      expect(p.every(Number.isFinite)).toBe(true);
      const allMissing = new Float32Array(data.train.cols).fill(NaN);
      expect(Number.isFinite(model.predict(allMissing, 1)[0])).toBe(true);
    });

    it('keys importance by feature name', () => {
      for (const type of ['gain', 'split'] as const) {
        const imp = model.importance(type);
        expect(Object.keys(imp).sort()).toEqual([...data.train.featureNames].sort());
        expect(Object.values(imp).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      }
    });

    it('describes itself in metadata', () => {
      const meta = model.metadata();
      expect(meta.kind).toBe(model.kind);
      expect(['regression', 'binary', 'lambdarank']).toContain(meta.objective);
      expect(meta.featureNames).toEqual([...data.train.featureNames]);
      expect(typeof meta.params).toBe('object');
      expect(meta.seed).toBe(seed);
      expect(typeof meta.extra).toBe('object');
    });
  });
}
