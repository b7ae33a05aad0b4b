import { describe, expect, it } from 'vitest';
import type { Dataset } from '@quant/ml';
import { SeededRandom, meanGroupCorrelation } from '@quant/ml';
import { DeepModel, registerGradients } from '../src';

await registerGradients();

/** Days of 40 stocks: a weak non-linear signal in the features plus a large day-wide move they cannot see. */
function daily(days: number, seed: number): Dataset {
  const rng = new SeededRandom(seed);
  const rows = days * 40;
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 3; c++) x[r * 3 + c] = rng.next() * 2 - 1;
    y[r] = 0.4 * Math.tanh(2 * x[r * 3]!) - 0.3 * x[r * 3 + 1]! * x[r * 3 + 2]! + (rng.next() - 0.5) + 2 * Math.sin(Math.floor(r / 40) * 1.3 + seed);
  }
  return { rows, cols: 3, x, y, featureNames: ['a', 'b', 'c'], group: Int32Array.from({ length: days }, () => 40) };
}

describe('deep models: metric ic', () => {
  it('watches minus the mean daily validation IC, keeps the epoch where it is lowest and restores its weights', async () => {
    const train = daily(30, 1);
    const valid = daily(15, 2);
    const losses: number[] = [];
    const model = new DeepModel('mlp', { hiddenSizes: [16], epochs: 8, batchSize: 64, learningRate: 0.01, earlyStoppingRounds: 8, metric: 'ic' });
    const report = await model.fit(train, { seed: 3, valid, onProgress: (p) => losses.push(p.validLoss as number) });
    expect(losses).toHaveLength(8);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(report.bestIteration).toBe(best);
    expect(report.bestValidLoss).toBe(Math.min(...losses));
    // The restored weights score the validation days at exactly that IC (an MSE-watching fit would report a positive loss).
    const ic = meanGroupCorrelation(model.predict(valid.x, valid.rows), valid.y, valid.group!);
    expect(ic).toBeGreaterThan(0);
    expect(-report.bestValidLoss!).toBeCloseTo(ic, 5);
  });

  it('refuses metric ic without date groups and groups that do not add up', async () => {
    const train = daily(5, 4);
    const { group: _g, ...noGroups } = daily(5, 5);
    await expect(new DeepModel('mlp', { hiddenSizes: [4], epochs: 1, metric: 'ic' }).fit(train, { valid: noGroups })).rejects.toThrow(/metric ic needs date groups/);
    await expect(new DeepModel('mlp', { hiddenSizes: [4], epochs: 1 }).fit(train, { valid: { ...noGroups, group: Int32Array.from([40, 40]) } })).rejects.toThrow(/date groups sum to 80, dataset has 200 rows/);
    expect(() => new DeepModel('mlp', { metric: 'rank' })).toThrow(/metric must be one of auto, ic/);
  });
});
