import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridScorer, InThreadScorer, WorkerPoolScorer } from '../src';
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

describe('HybridScorer', () => {
  it('scores small batches on the calling thread and large ones in the pool, with the same results', async () => {
    const calls: string[] = [];
    const spy = (name: string, inner: InThreadScorer) => ({
      kind: 'in-thread' as const,
      load: (k: string, b: Uint8Array) => inner.load(k, b),
      score: (k: string, x: Float32Array, r: number) => (calls.push(`${name}:${r}`), inner.score(k, x, r)),
      unload: (k: string) => inner.unload(k),
      close: () => inner.close(),
    });
    const hybrid = new HybridScorer(spy('local', new InThreadScorer()), spy('pool', new InThreadScorer()), 10);
    await hybrid.load('m', model.artefacts.onnx);
    const small = await hybrid.score('m', input(3), 3);
    const large = await hybrid.score('m', input(12), 12);
    expect(calls).toEqual(['local:3', 'pool:12']);
    expect([...large.subarray(0, 3)]).toEqual([...small]);
    await expect(hybrid.load('bad', new Uint8Array([1]))).rejects.toMatchObject({ code: 'ML_ONNX_LOAD_FAILED' });
    await hybrid.close();
  });
});
