/**
 * Quantile binning of the training matrix. Each feature gets at most `maxBin` value bins plus one
 * bin for missing values (NaN), so a split can learn where missing values go. Bin k holds values v
 * with thresholds[k-1] < v <= thresholds[k]; the thresholds are float32 numbers chosen between
 * consecutive distinct float32 training values, so `x <= threshold` evaluated in float32 (as ONNX
 * does) sends every training value to the same side as its bin does.
 */
import { mulberry32 } from './prng';

/** Largest finite float32: the threshold of the last value bin, so every finite input goes left of it. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface FeatureBins {
  /** Upper thresholds of the value bins (float32 values); the last one is FLOAT32_MAX. */
  thresholds: Float64Array;
  /** Number of value bins (thresholds.length); the missing bin index equals it. */
  valueBins: number;
  /** Whether any training value was missing. */
  hasMissing: boolean;
}

export interface BinnedMatrix {
  rows: number;
  cols: number;
  features: FeatureBins[];
  /**
   * Row-major bin codes: bins[r * cols + f]. A leaf's rows are a scattered subset, and row-major lets
   * a histogram pass read all of one row's features from one or two cache lines instead of one line
   * per (row, feature) as a column-major layout would.
   */
  bins: Uint8Array;
  /** The same codes column-major: columns[f * rows + r]. Dense leaves and partitions read one feature over many rows. */
  columns: Uint8Array;
  /** Offset of each feature's histogram (valueBins + 1 slots) in a flat histogram. */
  offsets: Int32Array;
  totalBins: number;
}

/** Above this many rows the bin edges come from a seeded sample (as LightGBM does), not every row. */
const BIN_SAMPLE_ROWS = 200_000;

/** The float32 strictly between a and b (a < b, both float32) that keeps a on the left: the midpoint when representable. */
function thresholdBetween(a: number, b: number): number {
  const mid = Math.fround(a + (b - a) / 2);
  return mid >= a && mid < b ? mid : a;
}

/**
 * The present (non-NaN) values in ascending order, as a typed sort orders them (-0 before +0): an
 * LSD radix sort on order-preserving keys of the float32 bits, several times faster than the
 * comparison sort on the 10^5-row samples binning sorts once per feature.
 */
export function sortPresent(values: Float32Array): Float32Array {
  const n = values.length;
  const keys = new Uint32Array(n);
  let present = 0;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    const b = bits[i]!;
    // Negative floats: flip all bits (larger magnitude sorts first); positive: flip the sign bit.
    keys[present++] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let src = keys.subarray(0, present);
  let dst = new Uint32Array(present);
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < present; i++) count[(src[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < present; i++) {
      const k = src[i]!;
      const d = (k >>> shift) & 2047;
      dst[count[d]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  const out = new Float32Array(present);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < present; i++) {
    const k = src[i]!;
    outBits[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
  return out;
}

export function computeFeatureBins(values: Float32Array, maxBin: number): FeatureBins {
  const sorted = sortPresent(values);
  const hasMissing = sorted.length < values.length;
  const distinct = new Float32Array(sorted.length);
  const counts = new Int32Array(sorted.length);
  let nd = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (nd > 0 && distinct[nd - 1] === v) counts[nd - 1]!++;
    else {
      distinct[nd] = v;
      counts[nd++] = 1;
    }
  }
  const thresholds: number[] = [];
  if (nd <= maxBin) {
    for (let i = 0; i + 1 < nd; i++) thresholds.push(thresholdBetween(distinct[i]!, distinct[i + 1]!));
  } else {
    // Greedy equal-count bins: close a bin once it holds its share of what is left, so heavy
    // repeated values get a bin of their own without starving the remaining bins.
    let remaining = sorted.length;
    let binsLeft = maxBin;
    let inBin = 0;
    for (let i = 0; i + 1 < nd && binsLeft > 1; i++) {
      inBin += counts[i]!;
      if (inBin >= remaining / binsLeft) {
        thresholds.push(thresholdBetween(distinct[i]!, distinct[i + 1]!));
        remaining -= inBin;
        binsLeft--;
        inBin = 0;
      }
    }
  }
  thresholds.push(FLOAT32_MAX);
  return { thresholds: Float64Array.from(thresholds), valueBins: thresholds.length, hasMissing };
}

/** Bin of one value: the first k with v <= thresholds[k]; NaN goes to the missing bin. */
export function binOf(feature: FeatureBins, v: number): number {
  if (Number.isNaN(v)) return feature.valueBins;
  const t = feature.thresholds;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= t[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Order-preserving unsigned key of a float32's bits (-0 keyed as +0, since -0 <= t exactly when
 * +0 <= t): a <= b as floats exactly when key(a) <= key(b).
 */
function floatKey(u: number): number {
  const k = (u ^ ((u >> 31) | 0x80000000)) >>> 0;
  return k === 0x7fffffff ? 0x80000000 : k;
}

/**
 * Bins a whole column: the code of v is the number of thresholds below it (binOf's first k with
 * v <= thresholds[k]). A table over the top 16 bits of the value's key gives that number for the
 * key's prefix, so only thresholds sharing the prefix (rarely more than one) are compared.
 */
function binColumn(feature: FeatureBins, column: Float32Array, out: Uint8Array): void {
  const t = feature.thresholds;
  const nb = t.length;
  const keys = new Uint32Array(nb);
  const tf = new Float32Array(t);
  const tBits = new Uint32Array(tf.buffer);
  for (let k = 0; k < nb; k++) keys[k] = floatKey(tBits[k]!);
  // below[p]: thresholds whose key is under p << 16.
  const below = new Uint8Array(65537);
  for (let p = 0, k = 0; p <= 65536; p++) {
    while (k < nb && keys[k]! >>> 16 < p) k++;
    below[p] = k;
  }
  const missing = feature.valueBins;
  const bits = new Uint32Array(column.buffer, column.byteOffset, column.length);
  for (let r = 0; r < column.length; r++) {
    const u = bits[r]!;
    if ((u & 0x7fffffff) > 0x7f800000) {
      out[r] = missing;
      continue;
    }
    const key = floatKey(u);
    const p = key >>> 16;
    let lo = below[p]!;
    const hi = below[p + 1]!;
    while (lo < hi && keys[lo]! < key) lo++;
    out[r] = lo;
  }
}

/** Features binned per chunk of work: their values share cache lines of each row. */
export const BIN_CHUNK_FEATURES = 8;
/** Rows per chunk of the row-major copy. */
export const TRANSPOSE_CHUNK_ROWS = 8192;
/** Threshold slots per feature in BinBuffers.thresholds. */
export const THRESHOLD_SLOTS = 256;

/** Where a binning pass reads and writes; the arrays may live on shared memory for worker threads. */
export interface BinBuffers {
  x: Float32Array;
  rows: number;
  cols: number;
  maxBin: number;
  /** Sorted row ids the edges come from, or null for all rows. */
  sample: Int32Array | null;
  columns: Uint8Array;
  bins: Uint8Array;
  /** Per feature, THRESHOLD_SLOTS slots: its thresholds first. */
  thresholds: Float64Array;
  valueBins: Int32Array;
  hasMissing: Uint8Array;
}

/** The rows bin edges are learned from: all of them, or (above BIN_SAMPLE_ROWS) a seeded sample as LightGBM does. */
export function binSample(rows: number, seed: number): Int32Array | null {
  if (rows <= BIN_SAMPLE_ROWS) return null;
  // Partial Fisher-Yates on row ids, then sorted so the sample reads memory in order.
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = i;
  for (let i = 0; i < BIN_SAMPLE_ROWS; i++) {
    const j = i + Math.floor(rng() * (rows - i));
    const tmp = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = tmp;
  }
  return ids.subarray(0, BIN_SAMPLE_ROWS).sort();
}

/** Learns the edges of features f0..f1 and writes their column-major codes. */
export function binFeatures(b: BinBuffers, f0: number, f1: number): void {
  const { x, rows, cols, sample } = b;
  const gathered = Array.from({ length: f1 - f0 }, () => new Float32Array(rows));
  // Gather the columns row by row: the chunk's values of a row share one or two cache lines.
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let f = f0; f < f1; f++) gathered[f - f0]![r] = x[at + f]!;
  }
  const sampled = sample ? new Float32Array(sample.length) : null;
  for (let f = f0; f < f1; f++) {
    const column = gathered[f - f0]!;
    let values = column;
    if (sample && sampled) {
      for (let i = 0; i < sample.length; i++) sampled[i] = column[sample[i]!]!;
      values = sampled;
    }
    const fb = computeFeatureBins(values, b.maxBin);
    // The sample may miss every missing value, yet the missing bin must exist to be learnable.
    if (!fb.hasMissing && values !== column) for (let r = 0; r < rows && !fb.hasMissing; r++) if (column[r] !== column[r]) fb.hasMissing = true;
    b.thresholds.set(fb.thresholds, f * THRESHOLD_SLOTS);
    b.valueBins[f] = fb.valueBins;
    b.hasMissing[f] = fb.hasMissing ? 1 : 0;
    binColumn(fb, column, b.columns.subarray(f * rows, (f + 1) * rows));
  }
}

/** Row-major copy of rows r0..r1 from the column-major codes. */
export function transposeRows(b: BinBuffers, r0: number, r1: number): void {
  const { rows, cols, columns, bins } = b;
  // Tiles of rows, so both the reads and the writes stay in cache lines.
  const TILE = 64;
  for (let t0 = r0; t0 < r1; t0 += TILE) {
    const t1 = Math.min(r1, t0 + TILE);
    for (let f = 0; f < cols; f++) {
      const base = f * rows;
      for (let r = t0; r < t1; r++) bins[r * cols + f] = columns[base + r]!;
    }
  }
}

/**
 * Row-major codes of features f0..f1 of another matrix (a validation set, rows x cols) with learned
 * edges: `thresholds` and `valueBins` as BinBuffers holds them. Column by column, as the training
 * matrix is binned, so the same table search applies.
 */
export function binOtherFeatures(x: Float32Array, rows: number, cols: number, thresholds: Float64Array, valueBins: Int32Array, out: Uint8Array, f0: number, f1: number): void {
  const gathered = Array.from({ length: f1 - f0 }, () => new Float32Array(rows));
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let f = f0; f < f1; f++) gathered[f - f0]![r] = x[at + f]!;
  }
  const codes = new Uint8Array(rows);
  for (let f = f0; f < f1; f++) {
    const column = gathered[f - f0]!;
    const nb = valueBins[f]!;
    binColumn({ thresholds: thresholds.subarray(f * THRESHOLD_SLOTS, f * THRESHOLD_SLOTS + nb), valueBins: nb, hasMissing: true }, column, codes);
    for (let r = 0, i = f; r < rows; r++, i += cols) out[i] = codes[r]!;
  }
}

/** The binned matrix once every feature chunk and row chunk has run. */
export function collectBins(b: BinBuffers): BinnedMatrix {
  const features: FeatureBins[] = [];
  const offsets = new Int32Array(b.cols);
  let totalBins = 0;
  for (let f = 0; f < b.cols; f++) {
    const nb = b.valueBins[f]!;
    features.push({ thresholds: b.thresholds.slice(f * THRESHOLD_SLOTS, f * THRESHOLD_SLOTS + nb), valueBins: nb, hasMissing: b.hasMissing[f] === 1 });
    offsets[f] = totalBins;
    totalBins += nb + 1;
  }
  return { rows: b.rows, cols: b.cols, features, bins: b.bins, columns: b.columns, offsets, totalBins };
}

/** Bins a row-major float32 matrix (rows x cols) with edges learned from it, on this thread. */
export function binMatrix(x: Float32Array, rows: number, cols: number, maxBin: number, seed: number): BinnedMatrix {
  const b: BinBuffers = {
    x,
    rows,
    cols,
    maxBin,
    sample: binSample(rows, seed),
    columns: new Uint8Array(rows * cols),
    bins: new Uint8Array(rows * cols),
    thresholds: new Float64Array(cols * THRESHOLD_SLOTS),
    valueBins: new Int32Array(cols),
    hasMissing: new Uint8Array(cols),
  };
  for (let f0 = 0; f0 < cols; f0 += BIN_CHUNK_FEATURES) binFeatures(b, f0, Math.min(cols, f0 + BIN_CHUNK_FEATURES));
  transposeRows(b, 0, rows);
  return collectBins(b);
}
