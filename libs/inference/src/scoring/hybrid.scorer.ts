import type { Scorer } from './scorer.port';

/**
 * Small batches on the calling thread, large ones in the worker pool. Measured (bench/RESULTS.md,
 * "Inference latency"): a 200-tree GBDT scores one row in ~10 us on the calling thread against ~30 us
 * through a worker (the message hop costs more than the model), while a 300-row cross-section takes
 * ~1 ms either way, which the event loop should not spend. Every session is loaded on both sides.
 */
export class HybridScorer implements Scorer {
  readonly kind = 'hybrid' as const;

  constructor(
    private readonly local: Scorer,
    private readonly pool: Scorer,
    /** Batches of at least this many rows go to the pool. */
    readonly minPoolRows = 64,
  ) {}

  async load(key: string, onnx: Uint8Array): Promise<void> {
    const results = await Promise.allSettled([this.local.load(key, onnx), this.pool.load(key, onnx)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // Never leave a session loaded on one side only.
      await Promise.allSettled([this.local.unload(key), this.pool.unload(key)]);
      throw failed.reason;
    }
  }

  score(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    return (rows >= this.minPoolRows ? this.pool : this.local).score(key, x, rows);
  }

  async unload(key: string): Promise<void> {
    await Promise.all([this.local.unload(key), this.pool.unload(key)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), this.pool.close()]);
  }
}
