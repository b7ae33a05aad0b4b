import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import type { Dataset } from '../../src';
import { GbdtModel, RandomForestModel, gbdtFactory, meanNdcg, mulberry32 } from '../../src/gbdt';
import { constantMse, makeData, mse } from './data';

const step = (x: number[], n: number): number => (x[0]! > 0.2 ? 1 : -1) + 0.1 * n;
const xorish = (x: number[], n: number): number => (x[0]! > 0 === x[1]! > 0 ? 1 : -1) + 0.1 * n;
const linear = (x: number[], n: number): number => 2 * x[0]! - x[1]! + 0.5 * x[2]! + 0.5 * n;

describe('gbdt learns simple functions', () => {
  it.each([
    ['step', step, 0.1],
    ['xor-ish interaction', xorish, 0.15],
    ['noisy linear', linear, 0.25],
  ] as const)('%s: held-out MSE well below a constant baseline', async (_name, fn, ratio) => {
    const train = makeData(2000, 5, 1, fn);
    const test = makeData(1000, 5, 2, fn);
    const model = new GbdtModel({ numIterations: 100, learningRate: 0.1, numLeaves: 15 });
    await model.fit(train, { seed: 7 });
    const got = mse(model.predict(test.x, test.rows), test.y);
    expect(got).toBeLessThan(ratio * constantMse(train.y, test.y));
  });

  it('binary objective outputs probabilities that separate the classes', async () => {
    const fn = (x: number[]) => (x[0]! + x[1]! > 0 ? 1 : 0);
    const train = makeData(2000, 4, 3, fn);
    const test = makeData(1000, 4, 4, fn);
    const model = new GbdtModel({ objective: 'binary', numIterations: 60 });
    await model.fit(train);
    const p = model.predict(test.x, test.rows);
    let correct = 0;
    for (let i = 0; i < test.rows; i++) {
      expect(p[i]).toBeGreaterThan(0);
      expect(p[i]).toBeLessThan(1);
      if ((p[i]! > 0.5 ? 1 : 0) === test.y[i]) correct++;
    }
    expect(correct / test.rows).toBeGreaterThan(0.93);
    expect(model.toOnnx().length).toBeGreaterThan(100);
  });
});

describe('gbdt training controls', () => {
  it('early stopping stops and keeps the best iteration', async () => {
    // Pure noise: validation loss stops improving almost at once.
    const noise = (_x: number[], n: number) => n;
    const train = makeData(500, 4, 5, noise);
    const valid = makeData(500, 4, 6, noise);
    const model = new GbdtModel({ numIterations: 500, earlyStoppingRounds: 10, numLeaves: 31, minDataInLeaf: 5 });
    const report = await model.fit(train, { valid });
    expect(report.iterations).toBeLessThan(100);
    expect(report.iterations).toBe(report.bestIteration);
    expect(model.treeEnsemble().trees.length).toBe(report.bestIteration);
    expect(report.bestValidLoss).not.toBeNull();
  });

  it('importance ranks the informative feature first', async () => {
    const train = makeData(1500, 6, 8, (x, n) => 3 * x[3]! + 0.3 * n);
    const model = new GbdtModel({ numIterations: 30 });
    await model.fit(train);
    for (const type of ['gain', 'split'] as const) {
      const imp = model.importance(type);
      const top = Object.entries(imp).sort((a, b) => b[1] - a[1])[0]![0];
      expect(top).toBe('f3');
    }
  });

  it('learns the missing-value direction (NaN means "high")', async () => {
    // y = 1 when x0 > 0.5 or x0 is missing; missing rows have NaN in x0.
    const rng = mulberry32(11);
    const rows = 2000;
    const x = new Float32Array(rows * 2);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = rng();
      const missing = rng() < 0.2;
      x[r * 2] = missing ? Number.NaN : v;
      x[r * 2 + 1] = rng();
      y[r] = missing || v > 0.5 ? 1 : 0;
    }
    const model = new GbdtModel({ numIterations: 50 });
    await model.fit({ rows, cols: 2, x, y, featureNames: ['a', 'b'] });
    const probe = Float32Array.from([Number.NaN, 0.5, 0.1, 0.5, 0.9, 0.5]);
    const p = model.predict(probe, 3);
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[1]).toBeLessThan(0.1);
    expect(p[2]).toBeGreaterThan(0.9);
  });

  it('row and feature subsampling and L1/L2/depth limits still learn', async () => {
    const train = makeData(2000, 5, 12, step);
    const test = makeData(500, 5, 13, step);
    const model = new GbdtModel({ numIterations: 80, featureFraction: 0.6, baggingFraction: 0.7, baggingFreq: 1, lambdaL1: 1, lambdaL2: 5, maxDepth: 3 });
    await model.fit(train, { seed: 3 });
    expect(mse(model.predict(test.x, test.rows), test.y)).toBeLessThan(0.15 * constantMse(train.y, test.y));
    for (const tree of model.treeEnsemble().trees) expect(tree.filter((n) => n.leaf !== undefined).length).toBeLessThanOrEqual(8);
  });
});

describe('lambdarank', () => {
  function rankingData(groups: number, size: number, seed: number): Dataset {
    const rng = mulberry32(seed);
    const rows = groups * size;
    const x = new Float32Array(rows * 3);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < 3; c++) x[r * 3 + c] = rng();
      // Relevance 0..3 driven by feature 1, with noise.
      y[r] = Math.min(3, Math.floor(4 * (0.8 * x[r * 3 + 1]! + 0.2 * rng())));
    }
    return { rows, cols: 3, x, y, group: new Int32Array(groups).fill(size), featureNames: ['a', 'b', 'c'] };
  }

  it('improves NDCG over a random order on held-out groups', async () => {
    const train = rankingData(60, 20, 21);
    const test = rankingData(40, 20, 22);
    const model = new GbdtModel({ objective: 'lambdarank', numIterations: 30, minDataInLeaf: 10 });
    await model.fit(train, { valid: test });
    const rng = mulberry32(5);
    const random = meanNdcg(Array.from({ length: test.rows }, () => rng()), test.y, test.group!, 10);
    const ours = meanNdcg(model.predict(test.x, test.rows), test.y, test.group!, 10);
    expect(ours).toBeGreaterThan(random + 0.15);
    expect(ours).toBeGreaterThan(0.9);
  });

  it('refuses missing or inconsistent groups', async () => {
    const data = rankingData(3, 5, 1);
    await expect(new GbdtModel({ objective: 'lambdarank' }).fit({ ...data, group: undefined })).rejects.toThrow(QuantError);
    await expect(new GbdtModel({ objective: 'lambdarank' }).fit({ ...data, group: Int32Array.from([5, 5]) })).rejects.toThrow(/sum to 10/);
  });
});

describe('random forest', () => {
  it('averages bagged trees and beats the constant baseline', async () => {
    const train = makeData(2000, 5, 31, xorish);
    const test = makeData(800, 5, 32, xorish);
    const model = new RandomForestModel({ numIterations: 30 });
    const report = await model.fit(train, { seed: 1 });
    expect(report.iterations).toBe(30);
    expect(mse(model.predict(test.x, test.rows), test.y)).toBeLessThan(0.3 * constantMse(train.y, test.y));
  });

  it('binary forest outputs averaged probabilities in [0, 1]', async () => {
    const fn = (x: number[]) => (x[0]! > 0 ? 1 : 0);
    const train = makeData(1000, 3, 33, fn);
    const model = new RandomForestModel({ objective: 'binary', numIterations: 20 });
    await model.fit(train);
    const p = model.predict(train.x, train.rows);
    for (const v of p) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});

describe('determinism and errors', () => {
  it('same seed + data + params gives byte-identical artefacts; another seed differs', async () => {
    const train = makeData(800, 6, 41, linear);
    const params = { numIterations: 20, featureFraction: 0.5, baggingFraction: 0.7, baggingFreq: 1 };
    const fit = async (seed: number) => {
      const m = new GbdtModel(params);
      await m.fit(train, { seed });
      return m.save();
    };
    const a = await fit(9);
    const b = await fit(9);
    const c = await fit(10);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('save/load round trip predicts identically', async () => {
    const train = makeData(600, 4, 42, step);
    const m = new GbdtModel({ numIterations: 15 });
    m.extra = { label: 'step' };
    await m.fit(train, { seed: 2 });
    const loaded = gbdtFactory.load(m.save());
    expect(Array.from(loaded.predict(train.x, train.rows))).toEqual(Array.from(m.predict(train.x, train.rows)));
    expect(loaded.metadata()).toEqual(m.metadata());
    expect(Buffer.from(loaded.save()).equals(Buffer.from(m.save()))).toBe(true);
  });

  it('refuses a wrong feature count, infinities, bad params and unfitted use', async () => {
    const train = makeData(200, 3, 43, step);
    const m = new GbdtModel({ numIterations: 3 });
    expect(() => m.predict(train.x, train.rows)).toThrow(/fitted/);
    await m.fit(train);
    expect(() => m.predict(new Float32Array(8), 2)).toThrow(expect.objectContaining({ code: 'ML_FEATURE_COUNT' }));
    expect(() => m.predict(Float32Array.from([0, Infinity, 0]), 1)).toThrow(expect.objectContaining({ code: 'ML_NON_FINITE' }));
    const bad = Float32Array.from(train.x);
    bad[4] = -Infinity;
    await expect(new GbdtModel().fit({ ...train, x: bad })).rejects.toThrow(/row 1, feature 1/);
    expect(() => new GbdtModel({ numLeaves: 1 })).toThrow(expect.objectContaining({ code: 'ML_BAD_PARAMS' }));
    expect(() => new GbdtModel({ num_leaves: 8 })).toThrow(/unknown parameter/);
    await expect(new GbdtModel({ earlyStoppingRounds: 5 }).fit(train)).rejects.toThrow(/validation set/);
  });
});
