/**
 * The state a histogram build shares between the training thread and its helper workers, all on
 * SharedArrayBuffers, and the chunk runner both sides execute.
 *
 * A build is a job cut into chunks of consecutive features. Threads claim chunks with a
 * compare-and-swap on one control word that packs (job generation, chunk count, next chunk), so a
 * thread still holding an old job's view can never claim a newer job's chunk; a thread reads the job
 * only after claiming one of its chunks, and the job stays put until every chunk is done. The
 * training thread claims chunks too, so a build finishes even when a worker is slow to start or
 * never starts. Each feature's slots are summed by exactly one thread in leaf row order: the bits do
 * not depend on the number of threads or on who ran which chunk.
 */
import { histKernel, histStride, subtractHist, type HistData } from './histogram';

/** Control words (Int32 indices into `ctl`). */
export const CTL = {
  /** (generation & 0x7ff) << 20 | chunks << 10 | next chunk. */
  claim: 0,
  /** Chunks finished in the current job. */
  done: 1,
  /** Bumped (and notified) when a job workers should help with is published, and on stop. */
  gen: 2,
  stop: 3,
  /** 1 once a worker failed; its message is in the bytes after the words. */
  error: 4,
  /** Chunks run by workers (diagnostics and tests). */
  workerChunks: 5,
  /** Workers that reached their wait loop. */
  ready: 6,
} as const;
export const CTL_WORDS = 8;
export const ERROR_BYTES = 1024;
export const MAX_CHUNKS = 1023;

/** Job words (Int32 indices into `job`); the constant hessian is the Float64 after them. */
const JOB = { begin: 0, count: 1, small: 2, large: 3, features: 4, chunk: 5 } as const;
const JOB_WORDS = 8;

export interface HistShared {
  rows: number;
  cols: number;
  offsets: Int32Array;
  valueBins: Int32Array;
  bins: SharedArrayBuffer;
  columns: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  job: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  gg: SharedArrayBuffer;
  gh: SharedArrayBuffer;
  features: SharedArrayBuffer;
  hist: SharedArrayBuffer;
  /** Float64 slots per histogram (totalBins x 3). */
  slotLength: number;
  slots: number;
}

export function allocateShared(data: { rows: number; cols: number; offsets: Int32Array; valueBins: Int32Array; bins: Uint8Array; columns: Uint8Array; totalBins: number }, slots: number): HistShared {
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  const shareBytes = (a: Uint8Array): SharedArrayBuffer => {
    if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
    const s = sab(a.length);
    new Uint8Array(s).set(a);
    return s;
  };
  const slotLength = data.totalBins * 3;
  return {
    rows: data.rows,
    cols: data.cols,
    offsets: data.offsets,
    valueBins: data.valueBins,
    bins: shareBytes(data.bins),
    columns: shareBytes(data.columns),
    ctl: sab(CTL_WORDS * 4 + ERROR_BYTES),
    job: sab(JOB_WORDS * 4 + 8),
    indices: sab(data.rows * 4),
    gg: sab(data.rows * 8),
    gh: sab(data.rows * 8),
    features: sab(data.cols * 4),
    hist: sab(slots * slotLength * 8),
    slotLength,
    slots,
  };
}

/** Typed views of a HistShared, and the chunk runner. */
export class HistWork {
  readonly ctl: Int32Array;
  readonly data: HistData;
  readonly indices: Int32Array;
  readonly gg: Float64Array;
  readonly gh: Float64Array;
  readonly features: Int32Array;
  readonly hist: Float64Array[];
  private readonly job: Int32Array;
  private readonly jobHess: Float64Array;

  constructor(readonly shared: HistShared) {
    const s = shared;
    this.ctl = new Int32Array(s.ctl, 0, CTL_WORDS);
    this.job = new Int32Array(s.job, 0, JOB_WORDS);
    this.jobHess = new Float64Array(s.job, JOB_WORDS * 4, 1);
    this.data = { rows: s.rows, cols: s.cols, bins: new Uint8Array(s.bins, 0, s.rows * s.cols), columns: new Uint8Array(s.columns, 0, s.rows * s.cols), offsets: s.offsets, valueBins: s.valueBins };
    this.indices = new Int32Array(s.indices, 0, s.rows);
    this.gg = new Float64Array(s.gg, 0, s.rows);
    this.gh = new Float64Array(s.gh, 0, s.rows);
    this.features = new Int32Array(s.features, 0, s.cols);
    this.hist = Array.from({ length: s.slots }, (_, i) => new Float64Array(s.hist, i * s.slotLength * 8, s.slotLength));
  }

  /** Writes a job's parameters (before it is published). */
  setJob(begin: number, count: number, small: number, large: number, features: number, chunk: number, constHess: number): void {
    const j = this.job;
    j[JOB.begin] = begin;
    j[JOB.count] = count;
    j[JOB.small] = small;
    j[JOB.large] = large;
    j[JOB.features] = features;
    j[JOB.chunk] = chunk;
    this.jobHess[0] = constHess;
  }

  /** Builds chunk c of the current job: the small leaf's histogram, and the large one's by subtraction. */
  runChunk(c: number): void {
    const j = this.job;
    const nf = j[JOB.features]!;
    const k0 = c * j[JOB.chunk]!;
    const k1 = Math.min(nf, k0 + j[JOB.chunk]!);
    const constHess = this.jobHess[0]!;
    const small = this.hist[j[JOB.small]!]!;
    histKernel(small, this.data, this.indices, j[JOB.begin]!, j[JOB.count]!, this.gg, this.gh, this.features, k0, k1, constHess);
    const large = j[JOB.large]!;
    if (large >= 0) subtractHist(this.hist[large]!, small, this.data, this.features, k0, k1, histStride(constHess));
  }
}

/** Claims the next chunk of the current job: its index, or -1 when none is left. */
export function claimChunk(ctl: Int32Array): number {
  for (;;) {
    const v = Atomics.load(ctl, CTL.claim);
    const next = v & 1023;
    if (next >= ((v >>> 10) & 1023)) return -1;
    if (Atomics.compareExchange(ctl, CTL.claim, v, v + 1) === v) return next;
  }
}

export function claimWord(generation: number, chunks: number): number {
  return ((generation & 0x7ff) << 20) | (chunks << 10);
}
