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
import { BIN_CHUNK_FEATURES, THRESHOLD_SLOTS, TRANSPOSE_CHUNK_ROWS, binFeatures, binOtherFeatures, transposeRows, type BinBuffers } from './binning';
import { countBins, histKernel, histStride, subtractHist, type HistData } from './histogram';
import { SPLIT_WORDS, scanSplits, type SplitRules } from './split-finder';

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

/** Job words (Int32 indices into `job`), then the job's doubles (JOBF indices). */
const JOB = { op: 0, begin: 1, count: 2, small: 3, large: 4, features: 5, chunk: 6, smallCount: 7, largeCount: 8, scanSmall: 9, scanLarge: 10, minData: 11, rootCounts: 12 } as const;
const JOB_WORDS = 16;
const JOBF = { constHess: 0, smallG: 1, smallH: 2, largeG: 3, largeH: 4, l1: 5, l2: 6, minHess: 7, minGain: 8 } as const;
const JOB_DOUBLES = 9;

/** A leaf of a histogram job: its slot, totals, and whether its best split is wanted. */
export interface JobLeaf {
  slot: number;
  g: number;
  h: number;
  count: number;
  scan: boolean;
}

/** What a job's chunks do. */
export const OP = { hist: 0, bin: 1, transpose: 2, binValid: 3, countRoot: 4 } as const;

export interface HistShared {
  rows: number;
  cols: number;
  maxBin: number;
  /** The training matrix (row-major float32), read by the binning jobs. */
  x: SharedArrayBuffer;
  /** The validation matrix (row-major float32) and its row-major codes with the training edges. */
  validX: SharedArrayBuffer;
  validRows: number;
  validBins: SharedArrayBuffer;
  /** Rows the bin edges come from (sorted ids), empty for all rows. */
  sample: SharedArrayBuffer;
  sampleLength: number;
  thresholds: SharedArrayBuffer;
  valueBins: SharedArrayBuffer;
  hasMissing: SharedArrayBuffer;
  offsets: SharedArrayBuffer;
  bins: SharedArrayBuffer;
  columns: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  job: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  gg: SharedArrayBuffer;
  gh: SharedArrayBuffer;
  features: SharedArrayBuffer;
  hist: SharedArrayBuffer;
  /** Per chunk, the best split of the small and of the large leaf over the chunk's features. */
  best: SharedArrayBuffer;
  /** Rows per bin over all rows (HistData.rootCounts). */
  rootCounts: SharedArrayBuffer;
  /** Float64 slots per histogram (an upper bound: cols x (maxBin + 2) x 3). */
  slotLength: number;
  slots: number;
}

/** Shared buffers for one fit; `x` is copied in unless it already sits at the start of a SharedArrayBuffer (null: no binning here). */
export function allocateShared(x: Float32Array | null, rows: number, cols: number, maxBin: number, slots: number, sample: Int32Array | null, valid: { x: Float32Array; rows: number } | null = null): HistShared {
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  const share = (m: Float32Array | null, n: number): SharedArrayBuffer => {
    if (!m) return sab(0);
    if (m.buffer instanceof SharedArrayBuffer && m.byteOffset === 0 && m.length >= n) return m.buffer;
    const out = sab(n * 4);
    new Float32Array(out, 0, n).set(m.subarray(0, n));
    return out;
  };
  const xs = share(x, rows * cols);
  const validRows = valid ? valid.rows : 0;
  const sampleBuffer = sab((sample?.length ?? 0) * 4);
  if (sample) new Int32Array(sampleBuffer, 0, sample.length).set(sample);
  const slotLength = cols * (maxBin + 2) * 3;
  return {
    rows,
    cols,
    maxBin,
    x: xs,
    validX: share(valid ? valid.x : null, validRows * cols),
    validRows,
    validBins: sab(validRows * cols),
    sample: sampleBuffer,
    sampleLength: sample?.length ?? 0,
    thresholds: sab(cols * THRESHOLD_SLOTS * 8),
    valueBins: sab(cols * 4),
    hasMissing: sab(cols),
    offsets: sab(cols * 4),
    bins: sab(rows * cols),
    columns: sab(rows * cols),
    ctl: sab(CTL_WORDS * 4 + ERROR_BYTES),
    job: sab(JOB_WORDS * 4 + JOB_DOUBLES * 8),
    best: sab((MAX_CHUNKS + 1) * 2 * SPLIT_WORDS * 8),
    rootCounts: sab(cols * (maxBin + 2) * 8),
    indices: sab(rows * 4),
    gg: sab(rows * 8),
    gh: sab(rows * 8),
    features: sab(cols * 4),
    hist: sab(slots * slotLength * 8),
    slotLength,
    slots,
  };
}

/** Typed views of a HistShared, and the chunk runner. */
export class HistWork {
  readonly ctl: Int32Array;
  readonly data: HistData;
  readonly binBuffers: BinBuffers;
  readonly indices: Int32Array;
  readonly gg: Float64Array;
  readonly gh: Float64Array;
  readonly features: Int32Array;
  readonly hist: Float64Array[];
  readonly best: Float64Array;
  readonly validX: Float32Array;
  private readonly rootCounts: Float64Array;
  /** Features per binning chunk and rows per transpose chunk: the defaults, or more so that no job passes MAX_CHUNKS. */
  private readonly chunkFeatures: number;
  private readonly chunkRows: number;
  private rootReady = false;
  private readonly allFeatures: Int32Array;
  readonly validBins: Uint8Array;
  private readonly job: Int32Array;
  private readonly jobF: Float64Array;

  constructor(readonly shared: HistShared) {
    const s = shared;
    const n = s.rows * s.cols;
    this.ctl = new Int32Array(s.ctl, 0, CTL_WORDS);
    this.job = new Int32Array(s.job, 0, JOB_WORDS);
    this.jobF = new Float64Array(s.job, JOB_WORDS * 4, JOB_DOUBLES);
    this.best = new Float64Array(s.best);
    const valueBins = new Int32Array(s.valueBins, 0, s.cols);
    const bins = new Uint8Array(s.bins, 0, n);
    const columns = new Uint8Array(s.columns, 0, n);
    this.data = { rows: s.rows, cols: s.cols, bins, columns, offsets: new Int32Array(s.offsets, 0, s.cols), valueBins, rootCounts: null };
    this.rootCounts = new Float64Array(s.rootCounts);
    this.chunkFeatures = Math.max(BIN_CHUNK_FEATURES, Math.ceil(s.cols / MAX_CHUNKS));
    this.chunkRows = Math.max(TRANSPOSE_CHUNK_ROWS, Math.ceil(s.rows / MAX_CHUNKS));
    this.allFeatures = Int32Array.from({ length: s.cols }, (_, i) => i);
    this.binBuffers = {
      x: new Float32Array(s.x, 0, Math.min(n, s.x.byteLength >> 2)),
      rows: s.rows,
      cols: s.cols,
      maxBin: s.maxBin,
      sample: s.sampleLength > 0 ? new Int32Array(s.sample, 0, s.sampleLength) : null,
      columns,
      bins,
      thresholds: new Float64Array(s.thresholds, 0, s.cols * THRESHOLD_SLOTS),
      valueBins,
      hasMissing: new Uint8Array(s.hasMissing, 0, s.cols),
    };
    this.validX = new Float32Array(s.validX, 0, s.validRows * s.cols);
    this.validBins = new Uint8Array(s.validBins, 0, s.validRows * s.cols);
    this.indices = new Int32Array(s.indices, 0, s.rows);
    this.gg = new Float64Array(s.gg, 0, s.rows);
    this.gh = new Float64Array(s.gh, 0, s.rows);
    this.features = new Int32Array(s.features, 0, s.cols);
    this.hist = Array.from({ length: s.slots }, (_, i) => new Float64Array(s.hist, i * s.slotLength * 8, s.slotLength));
  }

  /**
   * Writes a histogram job (before it is published): build `small`'s histogram, turn the parent's
   * in `large`'s slot into large's by subtraction (large null: none), and scan the leaves asked for.
   */
  setJob(begin: number, small: JobLeaf, large: JobLeaf | null, features: number, chunk: number, constHess: number, rules: SplitRules): void {
    const j = this.job;
    const d = this.jobF;
    j[JOB.op] = OP.hist;
    j[JOB.begin] = begin;
    j[JOB.count] = small.count;
    j[JOB.small] = small.slot;
    j[JOB.large] = large ? large.slot : -1;
    j[JOB.features] = features;
    j[JOB.chunk] = chunk;
    j[JOB.smallCount] = small.count;
    j[JOB.largeCount] = large ? large.count : 0;
    j[JOB.scanSmall] = small.scan ? 1 : 0;
    j[JOB.scanLarge] = large?.scan ? 1 : 0;
    j[JOB.minData] = rules.minData;
    j[JOB.rootCounts] = this.rootReady ? 1 : 0;
    d[JOBF.constHess] = constHess;
    d[JOBF.smallG] = small.g;
    d[JOBF.smallH] = small.h;
    d[JOBF.largeG] = large ? large.g : 0;
    d[JOBF.largeH] = large ? large.h : 0;
    d[JOBF.l1] = rules.lambdaL1;
    d[JOBF.l2] = rules.lambdaL2;
    d[JOBF.minHess] = rules.minHess;
    d[JOBF.minGain] = rules.minGain;
  }

  /** Writes a binning job (OP.bin over feature chunks, OP.transpose over row chunks); returns its chunk count. */
  setBinJob(op: typeof OP.bin | typeof OP.transpose | typeof OP.binValid | typeof OP.countRoot): number {
    this.job[JOB.op] = op;
    if (op === OP.transpose) return Math.ceil(this.shared.rows / this.chunkRows);
    if (op === OP.binValid && this.shared.validRows === 0) return 0;
    return Math.ceil(this.shared.cols / this.chunkFeatures);
  }

  /** Lets root histograms copy their counts (once countRoot has run, on every thread). */
  useRootCounts(): void {
    this.rootReady = true;
  }

  /** Runs chunk c of the current job. */
  runChunk(c: number): void {
    const j = this.job;
    const op = j[JOB.op]!;
    if (op === OP.bin) {
      binFeatures(this.binBuffers, c * this.chunkFeatures, Math.min(this.shared.cols, (c + 1) * this.chunkFeatures));
      return;
    }
    if (op === OP.countRoot) {
      countBins(this.data, this.rootCounts, this.allFeatures, c * this.chunkFeatures, Math.min(this.shared.cols, (c + 1) * this.chunkFeatures));
      return;
    }
    if (op === OP.binValid) {
      const b = this.binBuffers;
      binOtherFeatures(this.validX, this.shared.validRows, b.cols, b.thresholds, b.valueBins, this.validBins, c * this.chunkFeatures, Math.min(b.cols, (c + 1) * this.chunkFeatures));
      return;
    }
    if (op === OP.transpose) {
      transposeRows(this.binBuffers, c * this.chunkRows, Math.min(this.shared.rows, (c + 1) * this.chunkRows));
      return;
    }
    // The histogram of the small leaf, the large one's by subtraction, then their best splits over the chunk.
    const d = this.jobF;
    const nf = j[JOB.features]!;
    const k0 = c * j[JOB.chunk]!;
    const k1 = Math.min(nf, k0 + j[JOB.chunk]!);
    const constHess = d[JOBF.constHess]!;
    const small = this.hist[j[JOB.small]!]!;
    const data = this.data;
    data.rootCounts = j[JOB.rootCounts] === 1 ? this.rootCounts : null;
    histKernel(small, data, this.indices, j[JOB.begin]!, j[JOB.count]!, this.gg, this.gh, this.features, k0, k1, constHess);
    const large = j[JOB.large]!;
    if (large >= 0) subtractHist(this.hist[large]!, small, data, this.features, k0, k1, histStride(constHess));
    const rules: SplitRules = { lambdaL1: d[JOBF.l1]!, lambdaL2: d[JOBF.l2]!, minData: j[JOB.minData]!, minHess: d[JOBF.minHess]!, minGain: d[JOBF.minGain]! };
    const at = c * 2 * SPLIT_WORDS;
    if (j[JOB.scanSmall] === 1) scanSplits(small, data.offsets, data.valueBins, this.features, k0, k1, constHess, d[JOBF.smallG]!, d[JOBF.smallH]!, j[JOB.smallCount]!, rules, this.best, at);
    if (j[JOB.scanLarge] === 1) scanSplits(this.hist[large]!, data.offsets, data.valueBins, this.features, k0, k1, constHess, d[JOBF.largeG]!, d[JOBF.largeH]!, j[JOB.largeCount]!, rules, this.best, at + SPLIT_WORDS);
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
