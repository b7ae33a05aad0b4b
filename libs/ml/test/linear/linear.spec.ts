import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
// eslint-disable-next-line @nx/enforce-module-boundaries -- ONNX checks run the graph in onnxruntime (the serving adapter).
import { OnnxScorer } from '@quant/ml-runtime';
import { LinearModel, linearToOnnx, modelFactory, modelKinds } from '../../src';
import type { Dataset } from '../../src';
import { syntheticData } from '../model-contract';

function dataset(x: number[][], y: number[]): Dataset {
  const cols = (x[0] as number[]).length;
  return { rows: x.length, cols, x: new Float32Array(x.flat()), y: new Float32Array(y), featureNames: Array.from({ length: cols }, (_, j) => `f${j}`) };
}

function accuracy(p: Float64Array, y: Float32Array, threshold: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i] as number) > threshold === (y[i] as number) > 0.5) ok++;
  return ok / y.length;
}

/** Points inside a circle are class 1: not linearly separable. */
function circle(rows: number, seed: number): Dataset {
  let s = seed >>> 0 || 1;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = u() * 4 - 2;
    const b = u() * 4 - 2;
    x.push([a, b]);
    y.push(a * a + b * b < 1.6 ? 1 : 0);
  }
  return dataset(x, y);
}

describe('ridge', () => {
  it('recovers the coefficients of exactly linear data (tiny l2)', async () => {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 50; i++) {
      const a = (i % 7) - 3;
      const b = ((i * 3) % 11) * 10;
      x.push([a, b]);
      y.push(2 * a - 0.5 * b + 4);
    }
    const m = new LinearModel('ridge', { l2: 0 });
    await m.fit(dataset(x, y));
    const p = m.predict(new Float32Array([1, 20, -2, 0]), 2);
    expect(p[0]).toBeCloseTo(2 - 10 + 4, 4);
    expect(p[1]).toBeCloseTo(-4 + 4, 4);
  });

  it('a larger l2 shrinks the fitted function', async () => {
    const { train } = syntheticData({ seed: 3, objective: 'regression' });
    const spread = async (l2: number): Promise<number> => {
      const m = new LinearModel('ridge', { l2 });
      await m.fit(train);
      const p = m.predict(train.x, train.rows);
      return Math.max(...p) - Math.min(...p);
    };
    expect(await spread(10)).toBeLessThan((await spread(0.001)) * 0.5);
  });
});

describe('logistic regression', () => {
  it('classifies a linearly separable-ish problem and outputs probabilities', async () => {
    const { train, valid } = syntheticData({ seed: 5, objective: 'binary', nanRate: 0 });
    const m = new LinearModel('logistic-regression');
    const report = await m.fit(train, { valid });
    const p = m.predict(valid.x, valid.rows);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    expect(accuracy(p, valid.y, 0.5)).toBeGreaterThan(0.75);
    expect(report.bestValidLoss).not.toBeNull();
    expect(report.iterations).toBeGreaterThan(1);
  });

  it('early stopping keeps the iteration with the best validation loss and reports progress', async () => {
    const { train, valid } = syntheticData({ seed: 9, objective: 'binary' });
    const seen: number[] = [];
    const m = new LinearModel('logistic-regression', { earlyStoppingRounds: 2, l2: 0 });
    const report = await m.fit(train, { valid, onProgress: (i) => seen.push(i.validLoss as number) });
    expect(seen.length).toBeGreaterThanOrEqual(report.bestIteration);
    expect(report.bestValidLoss).toBe(Math.min(...seen));
    expect(seen[report.bestIteration - 1]).toBe(report.bestValidLoss);
  });

  it('refuses labels outside [0, 1]', async () => {
    await expect(new LinearModel('logistic-regression').fit(dataset([[1], [2]], [0, 2]))).rejects.toThrow(/label of row 1 is 2/);
  });
});

describe('linear SVM', () => {
  it('the RFF kernel approximation separates a circle a linear SVM cannot', async () => {
    const train = circle(800, 1);
    const valid = circle(300, 2);
    const linear = new LinearModel('linear-svm');
    await linear.fit(train);
    const rbf = new LinearModel('linear-svm', { kernel: 'rbf', components: 200, gamma: 1 });
    await rbf.fit(train, { seed: 3 });
    const linAcc = accuracy(linear.predict(valid.x, valid.rows), valid.y, 0);
    const rbfAcc = accuracy(rbf.predict(valid.x, valid.rows), valid.y, 0);
    expect(rbfAcc).toBeGreaterThan(0.9);
    expect(rbfAcc).toBeGreaterThan(linAcc + 0.15);
  });

  it('different seeds draw different Fourier features', async () => {
    const train = circle(200, 4);
    const a = new LinearModel('linear-svm', { kernel: 'rbf', components: 16 });
    const b = new LinearModel('linear-svm', { kernel: 'rbf', components: 16 });
    await a.fit(train, { seed: 1 });
    await b.fit(train, { seed: 2 });
    expect(Buffer.from(a.save()).equals(Buffer.from(b.save()))).toBe(false);
  });

  it('refuses labels other than 0/1 and unknown parameters', async () => {
    await expect(new LinearModel('linear-svm').fit(dataset([[1], [2]], [0, -1]))).rejects.toThrow(/expected 0 or 1/);
    expect(() => new LinearModel('ridge', { kernel: 'rbf' })).toThrow(/unknown parameter kernel/);
    expect(() => new LinearModel('linear-svm', { components: 0 })).toThrow(QuantError);
  });
});

describe('model registry', () => {
  it('lists and creates the linear kinds and refuses an unknown one', () => {
    expect(modelKinds()).toEqual(expect.arrayContaining(['logistic-regression', 'ridge', 'linear-svm']));
    expect(modelFactory('ridge').create({}).kind).toBe('ridge');
    expect(() => modelFactory('nope')).toThrow(/unknown model kind nope; known kinds: .*ridge/);
  });

  it('a factory refuses an artefact of another kind', async () => {
    const m = new LinearModel('ridge');
    await m.fit(syntheticData({ seed: 1, objective: 'regression' }).train);
    expect(() => modelFactory('linear-svm').load(m.save())).toThrow(/holds a ridge, expected linear-svm/);
    expect(() => modelFactory('ridge').load(new TextEncoder().encode('{"format":"x"}'))).toThrow(QuantError);
  });

  it('predicting before fit is a clear error', () => {
    expect(() => new LinearModel('ridge').predict(new Float32Array(2), 1)).toThrow(/not fitted/);
  });
});

describe('linearToOnnx', () => {
  it('scores w.x + b (and its sigmoid) with no preprocessing', async () => {
    const x = new Float32Array([1, 2, 3, -1, 0, 0.5]);
    for (const post of ['none', 'logistic'] as const) {
      const scorer = await OnnxScorer.load(linearToOnnx({ weights: [0.5, -1, 2], bias: 0.25, featureCount: 3, postTransform: post }));
      const got = await scorer.score(x, 2);
      const margins = [0.5 - 2 + 6 + 0.25, -0.5 + 0 + 1 + 0.25];
      const want = post === 'none' ? margins : margins.map((m) => 1 / (1 + Math.exp(-m)));
      expect(got[0]).toBeCloseTo(want[0] as number, 6);
      expect(got[1]).toBeCloseTo(want[1] as number, 6);
      await scorer.close();
    }
  });

  it('imputes NaN with the given values before standardising', async () => {
    const bytes = linearToOnnx({ weights: [1, 1], bias: 0, featureCount: 2, postTransform: 'none', impute: [10, 20], center: [10, 0], scale: [2, 4] });
    const scorer = await OnnxScorer.load(bytes);
    const got = await scorer.score(new Float32Array([NaN, NaN, 14, 8]), 2);
    expect(Array.from(got)).toEqual([0 + 5, 2 + 2]);
    await scorer.close();
  });

  it('refuses mismatched or non-finite constants', () => {
    expect(() => linearToOnnx({ weights: [1], bias: 0, featureCount: 2, postTransform: 'none' })).toThrow(/weights has 1 values, expected 2/);
    expect(() => linearToOnnx({ weights: [1, NaN], bias: 0, featureCount: 2, postTransform: 'none' })).toThrow(/weights\[1\] is NaN/);
  });
});
