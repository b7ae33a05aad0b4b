import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InThreadScorer, WorkerPoolScorer } from '../src';
import type { TrainedModel } from './inference.fixtures';
import { trainModel } from './inference.fixtures';

let model: TrainedModel;
let pool: WorkerPoolScorer;

beforeAll(async () => {
  model = await trainModel('gbdt-syn', 1, 'gbdt');
  pool = await WorkerPoolScorer.start(2);
});
afterAll(async () => {
  await pool?.close();
});

const input = (rows: number) => Float32Array.from({ length: rows * 3 }, (_, i) => Math.sin(i) * 2);

describe('WorkerPoolScorer', () => {
  it('scores in worker threads exactly as on the calling thread', async () => {
    const local = new InThreadScorer();
    await local.load('m', model.artefacts.onnx);
    await pool.load('m', model.artefacts.onnx);
    const expected = await local.score('m', input(300), 300);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.score('m', input(300), 300)));
    for (const r of results) expect([...r]).toEqual([...expected]);
    await local.close();
  });

  it('reports a bad request with the session\'s error and an unknown key by name', async () => {
    await expect(pool.score('m', input(2), 3)).rejects.toMatchObject({ code: 'ML_FEATURE_COUNT' });
    await expect(pool.score('missing', input(1), 1)).rejects.toMatchObject({ code: 'INFERENCE_SESSION_UNKNOWN' });
    await pool.unload('m');
    await expect(pool.score('m', input(1), 1)).rejects.toMatchObject({ code: 'INFERENCE_SESSION_UNKNOWN' });
  });

  it('refuses a pool without workers', async () => {
    await expect(WorkerPoolScorer.start(0)).rejects.toMatchObject({ code: 'INFERENCE_CONFIG_INVALID' });
  });
});
