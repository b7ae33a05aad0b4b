import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src';
import { GbdtModel, meanGroupCorrelation } from '../../src/gbdt';
import { makeData } from './data';

describe('meanGroupCorrelation', () => {
  it('averages the per-group Pearson correlations, skipping groups where either side is constant', () => {
    // group 1: perfectly aligned (1); group 2: reversed (-1); group 3: score constant (skipped);
    // group 4: x = [1, 2, 3], y = [1, 3, 2] -> cov 0.5 / sqrt(1 * 1) = 0.5.
    const score = Float64Array.from([1, 2, 3, 3, 2, 1, 5, 5, 1, 2, 3]);
    const y = Float64Array.from([10, 20, 30, 1, 2, 3, 1, 2, 1, 3, 2]);
    const got = meanGroupCorrelation(score, y, Int32Array.from([3, 3, 2, 3]));
    expect(got).toBeCloseTo((1 - 1 + 0.5) / 3, 12);
  });
});

/** Rows in days of 50 stocks; the label is a weak feature signal plus a large day-wide move no feature sees. */
function daily(days: number, seed: number): Dataset {
  const base = makeData(days * 50, 4, seed, (x, n) => 0.3 * x[0]! - 0.2 * x[1]! * x[2]! + n);
  const y = Float32Array.from(base.y, (v, i) => v + 3 * Math.sin(Math.floor(i / 50) * 1.7 + seed));
  return { ...base, y, group: Int32Array.from({ length: days }, () => 50) };
}

function validIc(model: GbdtModel, valid: Dataset): number {
  return meanGroupCorrelation(model.predict(valid.x, valid.rows), valid.y, valid.group!);
}

describe('gbdt metric ic', () => {
  it('keeps the number of trees whose validation daily IC is highest, and reports minus that IC', async () => {
    const train = daily(40, 11);
    const valid = daily(20, 12);
    const params = { numIterations: 30, learningRate: 0.3, numLeaves: 15, minDataInLeaf: 10 };
    const model = new GbdtModel({ ...params, metric: 'ic', earlyStoppingRounds: 30 });
    const report = await model.fit(train, { valid });
    // Without bagging or feature sampling the first k trees of any run are the same trees, so a
    // k-tree model is the ensemble truncated at k.
    const ics: number[] = [];
    for (let k = 1; k <= params.numIterations; k++) {
      const m = new GbdtModel({ ...params, numIterations: k });
      await m.fit(train);
      ics.push(validIc(m, valid));
    }
    const best = ics.indexOf(Math.max(...ics)) + 1;
    expect(report.bestIteration).toBe(best);
    expect(model.treeEnsemble().trees.length).toBe(best);
    expect(report.bestValidLoss).toBeCloseTo(-ics[best - 1]!, 6);
    expect(validIc(model, valid)).toBeCloseTo(ics[best - 1]!, 6);
  });

  it('watches a different criterion from the l2 default', async () => {
    const train = daily(40, 21);
    const valid = daily(20, 22);
    const params = { numIterations: 60, learningRate: 0.3, numLeaves: 15, minDataInLeaf: 10, earlyStoppingRounds: 60 };
    const l2 = await new GbdtModel(params).fit(train, { valid });
    const ic = await new GbdtModel({ ...params, metric: 'ic' }).fit(train, { valid });
    expect(l2.bestValidLoss).toBeGreaterThan(0);
    expect(ic.bestValidLoss).toBeLessThan(0);
  });

  it('refuses an unknown metric and ic without date groups', async () => {
    expect(() => new GbdtModel({ metric: 'auc' })).toThrow(/metric must be one of auto, ic/);
    const train = daily(5, 31);
    const { group: _g, ...noGroups } = daily(5, 32);
    await expect(new GbdtModel({ metric: 'ic', numIterations: 3 }).fit(train, { valid: noGroups })).rejects.toThrow(/metric ic needs date groups/);
    await expect(new GbdtModel({ numIterations: 3 }).fit(train, { valid: { ...noGroups, group: Int32Array.from([100, 100]) } })).rejects.toThrow(/groups sum to 200, dataset has 250 rows/);
  });
});
