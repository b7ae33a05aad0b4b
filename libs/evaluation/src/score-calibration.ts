import { QuantError } from '@quant/errors';
import { crossSectionalPercentiles } from './cross-section';
import { groupByDate } from './signal-metrics';

/**
 * What a score's daily rank percentile has meant historically: per percentile bin, the probability
 * that the stock beat the benchmark over the horizon and its mean forward and excess returns. Stored
 * in a registered model's metadata under `calibration`; plain JSON.
 */
export interface ScoreCalibration {
  kind: 'percentile-bins';
  /** Trading days the forward returns span. */
  horizon: number;
  bins: number;
  /** Ascending bin edges in [0, 1], length bins + 1; bin i holds percentiles in (edges[i], edges[i+1]]. */
  edges: number[];
  probabilityBeatBenchmark: number[];
  expectedReturn: number[];
  expectedExcessReturn: number[];
  /** Rows fitted (finite score, forward and benchmark return). */
  rows: number;
  /** Distinct dates fitted. */
  days: number;
}

export interface CalibrationRow {
  date: string;
  score: number;
  /** The stock's return over the horizon after `date`. */
  forwardReturn: number;
  /** The benchmark's return over the same horizon. */
  benchmarkReturn: number;
}

export interface CalibrationOptions {
  /** Number of equal-width percentile bins; default 10. */
  bins?: number;
  /** Horizon of the forward returns in trading days, recorded in the result; default 1. */
  horizon?: number;
  /**
   * Pseudo-rows of the base rate added to each bin before smoothing; a bin with far more rows than
   * this keeps its own rate, a thin one moves toward the overall rate. Default 30.
   */
  priorRows?: number;
}

export interface CalibratedScore {
  probabilityBeatBenchmark: number;
  expectedReturn: number;
  expectedExcessReturn: number;
}

/**
 * Fits a percentile-bin calibration. Each day's scores become rank percentiles in (0, 1] (highest = 1).
 * Per bin, the beat rate and mean returns are shrunk toward the overall values with `priorRows`
 * pseudo-rows, then made non-decreasing in the percentile by pooling adjacent violators weighted by
 * (rows + priorRows): a higher score never promises less. Fit it on data the model was not trained on
 * (the validation segment), never on the test period.
 */
export function fitScoreCalibration(input: readonly CalibrationRow[], options: CalibrationOptions = {}): ScoreCalibration {
  const bins = options.bins ?? 10;
  const horizon = options.horizon ?? 1;
  const prior = options.priorRows ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw invalid(`calibration bins must be a positive integer, got ${bins}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw invalid(`calibration horizon must be a positive integer, got ${horizon}`);
  if (!(prior >= 0)) throw invalid(`calibration priorRows must be >= 0, got ${prior}`);

  const count = new Float64Array(bins);
  const beats = new Float64Array(bins);
  const sumReturn = new Float64Array(bins);
  const sumExcess = new Float64Array(bins);
  const byDate = groupByDate(input, (r) => Number.isFinite(r.score) && Number.isFinite(r.forwardReturn) && Number.isFinite(r.benchmarkReturn));
  let rows = 0;
  for (const day of byDate.values()) {
    const pct = crossSectionalPercentiles(day.map((r) => r.score));
    day.forEach((r, i) => {
      const b = binOf(pct[i] as number, bins);
      count[b]!++;
      if (r.forwardReturn > r.benchmarkReturn) beats[b]!++;
      sumReturn[b]! += r.forwardReturn;
      sumExcess[b]! += r.forwardReturn - r.benchmarkReturn;
    });
    rows += day.length;
  }
  if (rows === 0) throw invalid('calibration needs at least one row with a finite score, forward return and benchmark return');

  const total = (xs: Float64Array): number => xs.reduce((s, x) => s + x, 0);
  const weights = Array.from(count, (c) => c + prior);
  const shrunk = (sums: Float64Array, overall: number): number[] => Array.from(sums, (s, b) => (s + prior * overall) / (count[b]! + prior || 1));
  const smooth = (sums: Float64Array): number[] => poolAdjacentViolators(shrunk(sums, total(sums) / rows), weights);
  return {
    kind: 'percentile-bins',
    horizon,
    bins,
    edges: Array.from({ length: bins + 1 }, (_, i) => i / bins),
    probabilityBeatBenchmark: smooth(beats),
    expectedReturn: smooth(sumReturn),
    expectedExcessReturn: smooth(sumExcess),
    rows,
    days: byDate.size,
  };
}

/** Looks up a daily rank percentile in (0, 1] (highest score = 1) in a fitted calibration. */
export function applyCalibration(cal: ScoreCalibration, percentile: number): CalibratedScore {
  if (!(percentile > 0 && percentile <= 1)) throw invalid(`percentile must be in (0, 1], got ${percentile}`);
  if (cal.kind !== 'percentile-bins' || cal.edges.length !== cal.bins + 1) {
    throw invalid(`not a percentile-bins calibration with ${cal.bins} bins and ${cal.bins + 1} edges`);
  }
  // First bin whose upper edge reaches the percentile; edges need not be equal-width.
  let b = 0;
  while (b < cal.bins - 1 && percentile > cal.edges[b + 1]! + 1e-9) b++;
  return {
    probabilityBeatBenchmark: cal.probabilityBeatBenchmark[b]!,
    expectedReturn: cal.expectedReturn[b]!,
    expectedExcessReturn: cal.expectedExcessReturn[b]!,
  };
}

function binOf(percentile: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.ceil(percentile * bins - 1e-9) - 1));
}

/**
 * Weighted isotonic (non-decreasing) regression by pooling adjacent violators: blocks whose means
 * decrease are merged into their weighted mean until the sequence is monotone.
 */
export function poolAdjacentViolators(values: readonly number[], weights: readonly number[]): number[] {
  const means: number[] = [];
  const mass: number[] = [];
  const sizes: number[] = [];
  values.forEach((v, i) => {
    means.push(v);
    mass.push(weights[i]!);
    sizes.push(1);
    while (means.length > 1 && means[means.length - 2]! > means[means.length - 1]!) {
      const w = mass.pop()!;
      const m = means.pop()!;
      const s = sizes.pop()!;
      const k = means.length - 1;
      const merged = mass[k]! + w;
      means[k] = merged > 0 ? (means[k]! * mass[k]! + m * w) / merged : (means[k]! + m) / 2;
      mass[k] = merged;
      sizes[k]! += s;
    }
  });
  return means.flatMap((m, k) => Array<number>(sizes[k]!).fill(m));
}

function invalid(message: string): QuantError {
  return new QuantError('CALIBRATION_INVALID', message);
}
