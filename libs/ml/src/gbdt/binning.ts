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

export function computeFeatureBins(values: Float32Array, maxBin: number): FeatureBins {
  // A typed sort puts NaN last, so the present values are the prefix before the first NaN.
  const all = Float32Array.from(values).sort();
  let present = all.length;
  while (present > 0 && Number.isNaN(all[present - 1]!)) present--;
  const hasMissing = present < all.length;
  const sorted = all.subarray(0, present);
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]!++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const thresholds: number[] = [];
  if (distinct.length <= maxBin) {
    for (let i = 0; i + 1 < distinct.length; i++) thresholds.push(thresholdBetween(distinct[i]!, distinct[i + 1]!));
  } else {
    // Greedy equal-count bins: close a bin once it holds its share of what is left, so heavy
    // repeated values get a bin of their own without starving the remaining bins.
    let remaining = sorted.length;
    let binsLeft = maxBin;
    let inBin = 0;
    for (let i = 0; i + 1 < distinct.length && binsLeft > 1; i++) {
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

/** Features whose columns are gathered per pass over the rows: a block's columns stay in cache. */
const FEATURE_BLOCK = 16;

/** Bins a row-major float32 matrix (rows x cols) with edges learned from it. */
export function binMatrix(x: Float32Array, rows: number, cols: number, maxBin: number, seed: number): BinnedMatrix {
  let sample: Int32Array | null = null;
  if (rows > BIN_SAMPLE_ROWS) {
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
    sample = ids.subarray(0, BIN_SAMPLE_ROWS).sort();
  }
  const features: FeatureBins[] = [];
  const bins = new Uint8Array(rows * cols);
  const offsets = new Int32Array(cols);
  let totalBins = 0;
  const n = sample ? sample.length : rows;
  const columns = Array.from({ length: Math.min(FEATURE_BLOCK, cols) }, () => new Float32Array(n));
  // Whether each feature has a missing value anywhere (the sample may miss them all, yet the
  // missing bin must exist to be learnable).
  const anyMissing = new Uint8Array(cols);
  for (let r = 0, i = 0; r < rows; r++) for (let f = 0; f < cols; f++, i++) if (Number.isNaN(x[i]!)) anyMissing[f] = 1;
  for (let f0 = 0; f0 < cols; f0 += FEATURE_BLOCK) {
    const f1 = Math.min(cols, f0 + FEATURE_BLOCK);
    // Gather the block's columns row by row (sequential reads of the row-major matrix).
    for (let i = 0; i < n; i++) {
      const at = (sample ? sample[i]! : i) * cols;
      for (let f = f0; f < f1; f++) columns[f - f0]![i] = x[at + f]!;
    }
    for (let f = f0; f < f1; f++) {
      const fb = computeFeatureBins(columns[f - f0]!, maxBin);
      if (anyMissing[f]) fb.hasMissing = true;
      features.push(fb);
      offsets[f] = totalBins;
      totalBins += fb.valueBins + 1;
    }
  }
  for (let r = 0, i = 0; r < rows; r++) for (let f = 0; f < cols; f++, i++) bins[i] = binOf(features[f]!, x[i]!);
  return { rows, cols, features, bins, offsets, totalBins };
}
