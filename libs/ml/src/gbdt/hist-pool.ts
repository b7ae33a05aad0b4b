/**
 * Runs histogram jobs on the training thread plus `helpers` worker threads (see hist-work.ts for
 * the protocol). A worker that fails to start only means the training thread does all chunks itself.
 */
import type { Worker } from 'node:worker_threads';
import { QuantError } from '@quant/errors';
import { startTsWorker } from './ts-worker';
import { collectBins, type BinnedMatrix } from './binning';
import { CTL, CTL_WORDS, ERROR_BYTES, HistWork, MAX_CHUNKS, OP, claimChunk, claimWord, type HistShared } from './hist-work';

/** A job whose chunks make no progress for this long means a worker died mid-chunk. */
const STALL_MS = 60_000;

export class HistPool {
  readonly work: HistWork;
  private readonly workers: Worker[] = [];
  private generation = 0;
  private closed = false;
  /** Last start or run failure of a worker (diagnostics). */
  workerError: Error | null = null;

  constructor(shared: HistShared, helpers: number) {
    this.work = new HistWork(shared);
    if (helpers <= 0) return;
    for (let i = 0; i < helpers; i++) {
      const w = startTsWorker(new URL('./hist.worker.ts', import.meta.url), { workerData: shared });
      // An unhandled 'error' event would crash the process; the build goes on without this worker.
      w.on('error', (e) => (this.workerError = e));
      w.unref();
      this.workers.push(w);
    }
  }

  get helpers(): number {
    return this.workers.length;
  }

  /** Workers started and waiting for work. */
  ready(): number {
    return Atomics.load(this.work.ctl, CTL.ready);
  }

  /** Chunks run by workers so far. */
  workerChunks(): number {
    return Atomics.load(this.work.ctl, CTL.workerChunks);
  }

  /**
   * Runs chunks 0..chunks-1 of the job set with work.setJob. With `share` the workers are woken to
   * claim chunks too; otherwise (small jobs, where waking costs more than it saves) this thread runs all.
   */
  run(chunks: number, share: boolean): void {
    const work = this.work;
    if (!share || this.workers.length === 0) {
      for (let c = 0; c < chunks; c++) work.runChunk(c);
      return;
    }
    if (chunks > MAX_CHUNKS) throw new QuantError('ML_INTERNAL', `histogram job of ${chunks} chunks (at most ${MAX_CHUNKS})`);
    const ctl = work.ctl;
    this.generation = (this.generation + 1) & 0x7ff;
    Atomics.store(ctl, CTL.done, 0);
    Atomics.store(ctl, CTL.claim, claimWord(this.generation, chunks));
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
    for (let c = claimChunk(ctl); c >= 0; c = claimChunk(ctl)) {
      work.runChunk(c);
      Atomics.add(ctl, CTL.done, 1);
    }
    let seen = Atomics.load(ctl, CTL.done);
    let since = performance.now();
    while (seen < chunks) {
      Atomics.wait(ctl, CTL.done, seen, 1000);
      const now = Atomics.load(ctl, CTL.done);
      if (now !== seen) {
        seen = now;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        this.close();
        throw new QuantError('ML_WORKER_FAILED', `gbdt: a histogram worker made no progress for ${STALL_MS / 1000} s (${seen} of ${chunks} chunks done)`);
      }
    }
    if (Atomics.load(ctl, CTL.error) !== 0) {
      const bytes = new Uint8Array(work.shared.ctl, CTL_WORDS * 4, ERROR_BYTES);
      const end = bytes.indexOf(0);
      const message = new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end));
      this.close();
      throw new QuantError('ML_WORKER_FAILED', `gbdt: a histogram worker failed: ${message}`);
    }
  }

  /** Bins the shared training matrix (edges, column-major codes, then the row-major copy) on all threads. */
  binMatrix(): BinnedMatrix {
    this.run(this.work.setBinJob(OP.bin), true);
    this.run(this.work.setBinJob(OP.transpose), true);
    const binned = collectBins(this.work.binBuffers);
    this.work.data.offsets.set(binned.offsets);
    this.countRoot();
    return binned;
  }

  /** Counts rows per bin over all rows (after the codes and offsets are in place), for root histograms. */
  countRoot(): void {
    this.run(this.work.setBinJob(OP.countRoot), true);
    this.work.useRootCounts();
  }

  /** Row-major codes of the shared validation matrix with the training edges (after binMatrix). */
  binValid(): Uint8Array {
    const chunks = this.work.setBinJob(OP.binValid);
    if (chunks > 0) this.run(chunks, true);
    return this.work.validBins;
  }

  /** Stops the workers; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const ctl = this.work.ctl;
    Atomics.store(ctl, CTL.stop, 1);
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
    for (const w of this.workers) void w.terminate().catch(() => undefined);
  }
}
