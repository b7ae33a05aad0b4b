import { QuantError } from '@quant/errors';
import { OnnxScorer } from '@quant/ml-runtime';
import type { Scorer } from './scorer.port';

/**
 * Sessions on the calling thread. onnxruntime-node runs a session synchronously (its promise only
 * defers the call with setImmediate), so a batch blocks the event loop for its duration: fine for
 * a CLI or a test, measured against the worker pool in bench/inference-latency.bench.ts.
 */
export class InThreadScorer implements Scorer {
  readonly kind = 'in-thread' as const;
  private readonly sessions = new Map<string, OnnxScorer>();

  async load(key: string, onnx: Uint8Array): Promise<void> {
    const scorer = await OnnxScorer.load(onnx);
    await this.sessions.get(key)?.close();
    this.sessions.set(key, scorer);
  }

  async score(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    const session = this.sessions.get(key);
    if (session === undefined) throw new QuantError('INFERENCE_SESSION_UNKNOWN', `no ONNX session loaded under ${key}`, { details: { key } });
    return session.score(x, rows);
  }

  async unload(key: string): Promise<void> {
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    await session?.close();
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
