import { describe, expect, it } from 'vitest';
// ONNX parity needs the onnxruntime adapter; a domain lib's test using it is the documented exception.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OnnxScorer } from '@quant/ml-runtime';
import type { TreeEnsembleSpec } from '../../src';
import { FLOAT32_MAX, GbdtModel, RandomForestModel, binOf, computeFeatureBins, mulberry32 } from '../../src/gbdt';
import { makeData } from './data';

/** Independent walk of a spec in float32 semantics: x (float32) <= threshold (float32) goes left. */
function walk(spec: TreeEnsembleSpec, x: Float32Array, row: number): number {
  // Leaves summed first, then the base score: the order CompiledEnsemble documents.
  let sum = 0;
  for (const tree of spec.trees) {
    let node = tree[0]!;
    while (node.leaf === undefined) {
      const v = x[row * spec.featureCount + node.feature]!;
      const left = Number.isNaN(v) ? node.missingGoesLeft : Math.fround(v) <= Math.fround(node.threshold);
      node = tree[left ? node.left : node.right]!;
    }
    sum += node.leaf;
  }
  sum += spec.baseScore;
  return spec.postTransform === 'logistic' ? 1 / (1 + Math.exp(-sum)) : sum;
}

describe('binning', () => {
  it('uses float32 thresholds that put every training value in its own bin side, up to 255 bins', () => {
    const rng = mulberry32(3);
    // Many distinct values, heavy ties, close neighbours (1 ulp apart) and missing values.
    const values = new Float32Array(5000);
    for (let i = 0; i < values.length; i++) {
      const u = rng();
      values[i] = u < 0.1 ? Number.NaN : u < 0.3 ? 0.5 : u < 0.35 ? Math.fround(1 + 2 ** -23 * Math.floor(rng() * 4)) : Math.fround(rng() * 1000 - 500);
    }
    const fb = computeFeatureBins(values, 255);
    expect(fb.valueBins).toBeLessThanOrEqual(255);
    expect(fb.hasMissing).toBe(true);
    expect(fb.thresholds[fb.valueBins - 1]).toBe(FLOAT32_MAX);
    for (let k = 0; k < fb.valueBins; k++) {
      expect(Math.fround(fb.thresholds[k]!)).toBe(fb.thresholds[k]);
      if (k > 0) expect(fb.thresholds[k]!).toBeGreaterThan(fb.thresholds[k - 1]!);
    }
    let disagreements = 0;
    for (const v of values) {
      const b = binOf(fb, v);
      if (Number.isNaN(v)) {
        expect(b).toBe(fb.valueBins);
        continue;
      }
      // The ONNX comparison (float32) must agree with the bin for every threshold.
      for (let k = 0; k < fb.valueBins; k++) if (Math.fround(v) <= Math.fround(fb.thresholds[k]!) !== b <= k) disagreements++;
    }
    expect(disagreements).toBe(0);
  });

  it('gives each distinct value its own bin when there are few', () => {
    const fb = computeFeatureBins(Float32Array.from([3, 1, 2, 2, 1, 3]), 255);
    expect(fb.valueBins).toBe(3);
    expect(fb.hasMissing).toBe(false);
    expect([1, 2, 3].map((v) => binOf(fb, v))).toEqual([0, 1, 2]);
  });
});

describe('predict == spec evaluation == ONNX', () => {
  const withMissing = () => {
    const data = makeData(1500, 4, 51, (x, n) => (x[0]! > 0 ? 2 : 0) + x[1]! * x[2]! + 0.2 * n);
    const rng = mulberry32(52);
    for (let i = 0; i < data.x.length; i++) if (rng() < 0.05) data.x[i] = Number.NaN;
    return data;
  };

  it.each([
    ['gbdt regression', () => new GbdtModel({ numIterations: 40, featureFraction: 0.8, baggingFraction: 0.8, baggingFreq: 2 })],
    ['gbdt binary', () => new GbdtModel({ objective: 'binary', numIterations: 30 })],
    ['random forest', () => new RandomForestModel({ numIterations: 15 })],
  ] as const)('%s', async (name, make) => {
    const train = withMissing();
    if (name === 'gbdt binary') for (let i = 0; i < train.rows; i++) train.y[i] = train.y[i]! > 1 ? 1 : 0;
    const model = make();
    await model.fit(train, { seed: 4 });
    const test = withMissing();
    const rows = test.rows;
    const pred = model.predict(test.x, rows);
    const spec = model.treeEnsemble();
    for (let r = 0; r < rows; r++) expect(pred[r]).toBe(walk(spec, test.x, r));
    const scorer = await OnnxScorer.load(model.toOnnx());
    const onnx = await scorer.score(test.x, rows);
    let worst = 0;
    for (let r = 0; r < rows; r++) worst = Math.max(worst, Math.abs(onnx[r]! - pred[r]!));
    expect(worst).toBeLessThan(1e-5);
  });
});
