import { describe, expect, it } from 'vitest';
import { GbdtModel, RandomForestModel, binMatrix, mulberry32 } from '../../src/gbdt';
import { HistPool } from '../../src/gbdt/hist-pool';
import { allocateShared } from '../../src/gbdt/hist-work';
import { TreeLearner } from '../../src/gbdt/tree-learner';
import { makeData } from './data';

const label = (x: number[], e: number) => Math.sin(3 * x[0]!) + x[1]! * x[2]! - (x[3]! > 0.2 ? 0.5 : 0) + 0.3 * e;

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('histogram worker threads', () => {
  const rows = 40_000;
  const cols = 24;
  const train = makeData(rows, cols, 11, label);
  for (let i = 0; i < train.x.length; i += 53) train.x[i] = Number.NaN;
  const params = { numIterations: 25, numLeaves: 63, maxDepth: 10, featureFraction: 0.8, lambdaL2: 1 };

  it('grow the same trees on 1 and 3 threads over many rounds, with the helpers doing part of the work', async () => {
    const binned = binMatrix(train.x, rows, cols, 255, 0);
    const p = { numLeaves: 63, maxDepth: -1, lambdaL1: 0, lambdaL2: 1, minDataInLeaf: 20, minSumHessianInLeaf: 1e-3, minGainToSplit: 0 };
    const one = new TreeLearner(binned, p, { threads: 1 });
    const three = new TreeLearner(binned, p, { threads: 3 });
    try {
      const rng = mulberry32(5);
      const grad = new Float64Array(rows);
      const hess = new Float64Array(rows);
      const bag = Int32Array.from({ length: rows }, (_, i) => i);
      // Long enough (hundreds of jobs per tree) that a lost wake-up would show as a hang.
      let first = true;
      for (let round = 0; round < 60; round++) {
        for (let i = 0; i < rows; i++) {
          grad[i] = rng() - 0.5;
          hess[i] = round % 2 === 0 ? 1 : 0.5 + rng();
        }
        const features = Int32Array.from({ length: cols }, (_, i) => i).filter((f) => (f + round) % 5 !== 0);
        const a = one.grow(grad, hess, bag, rows, features);
        const b = three.grow(grad, hess, bag, rows, features);
        expect(b.nodes).toEqual(a.nodes);
        if (first) {
          first = false;
          // The helpers start asynchronously; wait once so the later rounds really share the work.
          await until('the helper threads', () => three.helpersReady() === 2);
        }
      }
      expect(three.workerChunks()).toBeGreaterThan(0);
    } finally {
      one.close();
      three.close();
    }
  });

  it('bin the matrix on 3 threads exactly as on one', async () => {
    const p = { numLeaves: 31, maxDepth: -1, lambdaL1: 0, lambdaL2: 0, minDataInLeaf: 20, minSumHessianInLeaf: 1e-3, minGainToSplit: 0, maxBin: 63 };
    const local = binMatrix(train.x, rows, cols, 63, 9);
    const learner = TreeLearner.fromMatrix(train.x, rows, cols, p, 9, 3);
    try {
      expect(learner.data.features).toEqual(local.features);
      expect(Array.from(learner.data.offsets)).toEqual(Array.from(local.offsets));
      expect(Buffer.compare(Buffer.from(learner.data.bins), Buffer.from(local.bins))).toBe(0);
      expect(Buffer.compare(Buffer.from(learner.data.columns), Buffer.from(local.columns))).toBe(0);
    } finally {
      learner.close();
    }
  });

  it('give byte-identical gbdt and forest artefacts for any thread count', async () => {
    const valid = makeData(5_000, cols, 12, label);
    const fit = async (numThreads: number) => {
      const m = new GbdtModel({ ...params, numThreads, earlyStoppingRounds: 10 });
      await m.fit(train, { valid, seed: 4 });
      return m.save();
    };
    const one = await fit(1);
    expect(await fit(2)).toEqual(one);
    expect(await fit(4)).toEqual(one);
    const forest = async (numThreads: number) => {
      const m = new RandomForestModel({ numIterations: 8, numThreads });
      await m.fit(train, { seed: 2 });
      return m.save();
    };
    expect(await forest(2)).toEqual(await forest(1));
  });

  it('scores the validation set on its bin codes exactly as the exported trees do', async () => {
    const valid = makeData(3_000, cols, 13, label);
    for (let i = 5; i < valid.x.length; i += 41) valid.x[i] = Number.NaN;
    const losses: number[] = [];
    const m = new GbdtModel({ ...params, numIterations: 12 });
    await m.fit(train, { valid, seed: 1, onProgress: (i) => losses.push(i.validLoss!) });
    const pred = m.predict(valid.x, valid.rows);
    let mse = 0;
    for (let r = 0; r < valid.rows; r++) mse += (pred[r]! - valid.y[r]!) ** 2;
    expect(losses).toHaveLength(12);
    expect(losses[11]).toBeCloseTo(mse / valid.rows, 12);
  });

  it('fails a broken job with an error instead of hanging, then stops its worker', async () => {
    const pool = new HistPool(allocateShared(null, 1000, 4, 15, 2, null), 1);
    try {
      await until('the helper thread', () => pool.ready() === 1);
      pool.work.features.set([0, 1, 2, 3]);
      // Slot 99 does not exist: every chunk throws on whichever thread claims it.
      pool.work.setJob(0, { slot: 99, g: 0, h: 0, count: 1000, scan: false }, null, 4, 1, 1, { lambdaL1: 0, lambdaL2: 0, minData: 1, minHess: 0, minGain: 0 });
      expect(() => pool.run(4, true)).toThrow();
    } finally {
      pool.close();
    }
  });
});
