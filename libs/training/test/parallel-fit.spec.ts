import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { mulberry32, modelFactory, type Dataset } from '@quant/ml';
import { fitModelsInParallel, type ParallelFitJob } from '../src';

function dataset(rows: number, cols: number, seed: number): Dataset {
  const rng = mulberry32(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = rng() * 2 - 1;
    y[r] = Math.sin(3 * x[r * cols]!) + x[r * cols + 1]! * x[r * cols + 2]! + 0.2 * (rng() - 0.5);
  }
  return { rows, cols, x, y, featureNames: Array.from({ length: cols }, (_, i) => `f${i}`) };
}

describe('fitModelsInParallel', () => {
  const train = dataset(6_000, 8, 1);
  const valid = dataset(1_500, 8, 2);
  const jobs: ParallelFitJob[] = [
    { kind: 'gbdt', params: { numIterations: 30, numLeaves: 15, earlyStoppingRounds: 5 }, seed: 1, train, valid },
    { kind: 'gbdt', params: { numIterations: 20, featureFraction: 0.7, numThreads: 1 }, seed: 2, train },
    { kind: 'random-forest', params: { numIterations: 10 }, seed: 3, train },
    { kind: 'ridge', params: {}, seed: 4, train, valid },
  ];

  it('returns, in job order, the artefacts a fit in this thread saves (shared datasets, 2 at a time)', async () => {
    const results = await fitModelsInParallel(jobs, { concurrency: 2 });
    expect(results).toHaveLength(jobs.length);
    for (const [i, job] of jobs.entries()) {
      const model = modelFactory(job.kind).create(job.params);
      const report = await model.fit(job.train, { seed: job.seed, ...(job.valid ? { valid: job.valid } : {}) });
      expect(results[i]!.artefact).toEqual(model.save());
      expect(results[i]!.report.bestIteration).toBe(report.bestIteration);
      const loaded = modelFactory(job.kind).load(results[i]!.artefact);
      expect(loaded.predict(valid.x, valid.rows)).toEqual(model.predict(valid.x, valid.rows));
    }
    // The caller's arrays are left as they were (copied once to shared memory, not moved).
    expect(train.x.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('rejects with the failing job named and the model error code kept', async () => {
    const bad = [jobs[3]!, { kind: 'gbdt', params: { numLeaves: 1 }, seed: 0, train }];
    const error = await fitModelsInParallel(bad, { concurrency: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuantError);
    expect((error as QuantError).code).toBe('ML_BAD_PARAMS');
    expect((error as QuantError).message).toMatch(/job 1 \(gbdt\) failed: .*numLeaves/);
    await expect(fitModelsInParallel([{ kind: 'no-such-model', params: {}, seed: 0, train }])).rejects.toThrow(/unknown model kind no-such-model/);
  });

  it('checks its options and does nothing for no jobs', async () => {
    expect(await fitModelsInParallel([])).toEqual([]);
    await expect(fitModelsInParallel(jobs, { concurrency: 0 })).rejects.toThrow(/concurrency must be a positive integer/);
  });
});
