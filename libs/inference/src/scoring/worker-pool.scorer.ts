import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { QuantError } from '@quant/errors';
import type { Scorer } from './scorer.port';
import type { WorkerReply, WorkerRequest } from './scoring.protocol';

interface Pending {
  resolve(reply: WorkerReply & { ok: true }): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: Promise<void>;
}

/**
 * The worker is TypeScript, like the rest of the code (run by tsx, no build step): the thread first
 * registers tsx's loader, then imports the entry. Resolved from here so it works under the CLI, the
 * service and vitest alike.
 */
function bootCode(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'];
  const tsx = pathToFileURL(join(dirname(manifest), exported?.import.default ?? 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./scoring.worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
}

/**
 * A small pool of worker threads, each holding every loaded session (models are small: megabytes), so
 * any worker can score any request; a request goes to the worker with the fewest in flight. A worker
 * that dies fails its in-flight requests and is replaced, with the sessions reloaded, before it takes
 * more work.
 */
export class WorkerPoolScorer implements Scorer {
  readonly kind = 'worker-pool' as const;
  private readonly slots: Slot[] = [];
  /** Loaded models, kept to reload a replacement worker. */
  private readonly models = new Map<string, Uint8Array>();
  private nextId = 1;
  private closed = false;

  private constructor(readonly size: number) {}

  static async start(size = 2): Promise<WorkerPoolScorer> {
    if (!Number.isInteger(size) || size < 1) throw new QuantError('INFERENCE_CONFIG_INVALID', `scoring workers must be a positive integer, got ${size}`, { details: { size } });
    const pool = new WorkerPoolScorer(size);
    for (let i = 0; i < size; i++) pool.slots.push(pool.spawn(i));
    await Promise.all(pool.slots.map((s) => s.ready));
    return pool;
  }

  async load(key: string, onnx: Uint8Array): Promise<void> {
    await Promise.all(this.slots.map((s) => this.send(s, { id: 0, op: 'load', key, onnx })));
    this.models.set(key, onnx);
  }

  async score(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    let best = this.slots[0] as Slot;
    for (const s of this.slots) if (s.pending.size < best.pending.size) best = s;
    const reply = await this.send(best, { id: 0, op: 'score', key, x, rows });
    return reply.y as Float32Array;
  }

  async unload(key: string): Promise<void> {
    this.models.delete(key);
    await Promise.all(this.slots.map((s) => this.send(s, { id: 0, op: 'unload', key })));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private async send(slot: Slot, request: WorkerRequest): Promise<WorkerReply & { ok: true }> {
    if (this.closed) throw new QuantError('INFERENCE_CLOSED', 'the scoring pool is closed');
    await slot.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id });
    });
  }

  private spawn(index: number): Slot {
    const worker = new Worker(bootCode(), { eval: true, name: `quant-scoring-${index}` });
    const pending = new Map<number, Pending>();
    let started!: () => void;
    let failed!: (error: Error) => void;
    const slot: Slot = { worker, pending, ready: new Promise<void>((resolve, reject) => ((started = resolve), (failed = reject))) };
    // Awaited by every send; marked handled so a worker that dies idle is not an unhandled rejection.
    slot.ready.catch(() => undefined);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.id === 0) return started();
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(new QuantError(reply.code, reply.message));
    });
    const die = (why: string) => {
      const error = new QuantError('INFERENCE_WORKER_FAILED', `scoring worker ${index} ${why}`, { retriable: true, details: { worker: index } });
      failed(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      if (!this.closed && this.slots[index] === slot) this.replace(index);
    };
    worker.on('error', (error) => die(`failed: ${error.message}`));
    worker.on('exit', (code) => die(`exited with code ${code}`));
    return slot;
  }

  private replace(index: number): void {
    const slot = this.spawn(index);
    slot.ready = slot.ready.then(async () => {
      for (const [key, onnx] of this.models) await this.sendNow(slot, { id: 0, op: 'load', key, onnx });
    });
    slot.ready.catch(() => undefined);
    this.slots[index] = slot;
  }

  /** send() without waiting for `ready` (used while a replacement worker reloads its sessions). */
  private sendNow(slot: Slot, request: WorkerRequest): Promise<WorkerReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id });
    });
  }
}
