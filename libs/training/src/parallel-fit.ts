/**
 * Trains several models at once, one per worker thread (issue 5: "several models trained in
 * parallel on worker threads"). Each distinct dataset is copied once into shared memory and every
 * worker reads it in place, so N jobs on one matrix cost one copy, not N. A worker creates its model
 * through defaultModelLookup, fits it with the job's seed and sends back the saved artefact; the
 * caller loads it with the kind's factory. Artefacts are the bytes a fit in this thread would save:
 * same seed, data and params, same bytes.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { QuantError } from '@quant/errors';
import { startTsWorker, type Dataset, type FitReport } from '@quant/ml';

export interface ParallelFitJob {
  kind: string;
  params: Record<string, unknown>;
  seed: number;
  train: Dataset;
  valid?: Dataset;
}

export interface ParallelFitResult {
  /** The model's save() bytes. */
  artefact: Uint8Array;
  report: FitReport;
}

export interface ParallelFitOptions {
  /** Jobs running at once (default: the machine's cores, at most the number of jobs). */
  concurrency?: number;
}

/** A Dataset whose arrays live on SharedArrayBuffers (what crosses to the workers). */
export type SharedDataset = Dataset;

export interface FitJobMessage {
  id: number;
  kind: string;
  params: Record<string, unknown>;
  seed: number;
  train: number;
  valid: number | null;
}

export type FitReplyMessage = { id: number; artefact: Uint8Array; report: FitReport } | { id: number; error: { code: string | null; message: string } };

function shared<T extends Float32Array | Int32Array>(a: T, make: (buffer: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = make(new SharedArrayBuffer(Math.max(1, a.byteLength)));
  out.set(a);
  return out;
}

function shareDataset(d: Dataset): SharedDataset {
  const f32 = (a: Float32Array) => shared(a, (b) => new Float32Array(b, 0, a.length));
  return {
    rows: d.rows,
    cols: d.cols,
    x: f32(d.x),
    y: f32(d.y),
    ...(d.weight ? { weight: f32(d.weight) } : {}),
    ...(d.group ? { group: shared(d.group, (b) => new Int32Array(b, 0, d.group!.length)) } : {}),
    featureNames: [...d.featureNames],
  };
}

/** Fits every job on a pool of worker threads; results come back in job order. */
export async function fitModelsInParallel(jobs: readonly ParallelFitJob[], options: ParallelFitOptions = {}): Promise<ParallelFitResult[]> {
  if (jobs.length === 0) return [];
  const concurrency = options.concurrency ?? Math.min(jobs.length, availableParallelism());
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new QuantError('TRAINING_BAD_OPTIONS', `fitModelsInParallel: concurrency must be a positive integer, got ${concurrency}`);
  }
  // One shared copy per distinct dataset object.
  const index = new Map<Dataset, number>();
  const datasets: SharedDataset[] = [];
  const ref = (d: Dataset): number => {
    let i = index.get(d);
    if (i === undefined) {
      i = datasets.length;
      index.set(d, i);
      datasets.push(shareDataset(d));
    }
    return i;
  };
  const messages: FitJobMessage[] = jobs.map((j, id) => ({ id, kind: j.kind, params: j.params, seed: j.seed, train: ref(j.train), valid: j.valid ? ref(j.valid) : null }));

  const results: ParallelFitResult[] = new Array(jobs.length);
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const feed = (w: Worker) => {
        if (next < messages.length) w.postMessage(messages[next++]);
      };
      const size = Math.min(concurrency, jobs.length);
      for (let k = 0; k < size; k++) {
        const w = startTsWorker(new URL('./parallel-fit.worker.ts', import.meta.url), { workerData: { datasets } });
        let current = -1;
        w.on('message', (m: FitReplyMessage) => {
          current = -1;
          const job = jobs[m.id]!;
          if ('error' in m) {
            fail(new QuantError(m.error.code ?? 'TRAINING_FIT_FAILED', `fitModelsInParallel: job ${m.id} (${job.kind}) failed: ${m.error.message}`, { details: { job: m.id, kind: job.kind } }));
            return;
          }
          results[m.id] = { artefact: m.artefact, report: m.report };
          if (++finished === jobs.length) resolve();
          else {
            current = next;
            feed(w);
          }
        });
        w.on('error', (e) => fail(new QuantError('TRAINING_WORKER_FAILED', `fitModelsInParallel: a worker failed${current >= 0 ? ` on job ${current}` : ''}: ${e.message}`, { cause: e })));
        w.on('exit', (code) => {
          if (finished < jobs.length) fail(new QuantError('TRAINING_WORKER_FAILED', `fitModelsInParallel: a worker exited (code ${code}) before the jobs finished`));
        });
        workers.push(w);
        current = next;
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  }
  return results;
}
