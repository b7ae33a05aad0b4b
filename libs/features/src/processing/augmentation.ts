import { QuantError } from '@quant/errors';
import { createRandom } from './seeded-random';
import type { SeededRandom } from './seeded-random';
import type { WindowSet } from './sliding-windows';

/**
 * Training-only augmentation of window sets. Each function returns a new set (the input is untouched)
 * and refuses a set not explicitly marked segment 'train': augmenting validation or test data would
 * make evaluation measure something else than the model on real data.
 */

export function assertTrainingSet(set: WindowSet, operation: string): void {
  if (set.segment !== 'train') {
    const marked = set.segment === undefined ? 'unmarked' : `marked "${set.segment}"`;
    throw new QuantError('AUGMENTATION_NOT_TRAINING', `${operation} runs on training data only, got a window set ${marked}; mark training windows with segment: 'train'`, {
      details: { operation, segment: set.segment ?? null },
    });
  }
}

function checkSeed(seed: number, operation: string): SeededRandom {
  if (!Number.isInteger(seed)) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `${operation} needs an integer seed, got ${seed}`);
  return createRandom(seed);
}

/** Standard deviation (ddof 1) of every feature over all the set's cells (the training windows). */
export function featureStd(set: WindowSet): Float64Array {
  const k = set.features.length;
  const sum = new Float64Array(k);
  const n = new Float64Array(k);
  const ss = new Float64Array(k);
  for (let i = 0; i < set.x.length; i++) {
    const v = set.x[i] as number;
    if (!Number.isFinite(v)) continue;
    const f = i % k;
    sum[f] = (sum[f] as number) + v;
    n[f] = (n[f] as number) + 1;
  }
  for (let i = 0; i < set.x.length; i++) {
    const v = set.x[i] as number;
    if (!Number.isFinite(v)) continue;
    const f = i % k;
    const d = v - (sum[f] as number) / (n[f] as number);
    ss[f] = (ss[f] as number) + d * d;
  }
  return ss.map((s, f) => ((n[f] as number) > 1 ? Math.sqrt(s / ((n[f] as number) - 1)) : 0));
}

export interface NoiseOptions {
  seed: number;
  /** Noise std as a fraction of each feature's training std (default 0.1). */
  scale?: number;
  /** Per-feature training std (e.g. from featureStd of the full training set); default computed from this set. */
  std?: ArrayLike<number>;
}

/** x + scale * std_f * N(0, 1), independently per cell; labels unchanged. */
export function addGaussianNoise(set: WindowSet, options: NoiseOptions): WindowSet {
  assertTrainingSet(set, 'addGaussianNoise');
  const rng = checkSeed(options.seed, 'addGaussianNoise');
  const scale = options.scale ?? 0.1;
  if (!(scale >= 0 && Number.isFinite(scale))) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `noise scale must be >= 0, got ${scale}`);
  const std = options.std ?? featureStd(set);
  const k = set.features.length;
  if (std.length !== k) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `std has ${std.length} values for ${k} features`);
  const x = new Float32Array(set.x.length);
  for (let i = 0; i < x.length; i++) x[i] = (set.x[i] as number) + scale * (std[i % k] as number) * rng.normal();
  return { ...set, x };
}

/**
 * The monotone time map of a warp: output step t in 0..length-1 reads source time path[t]. Speeds are
 * given at knots spread evenly over the window and linearly interpolated at every step; the path is
 * their cumulative trapezoid, rescaled so path[0] = 0 and path[length-1] = length-1. Positive speeds
 * make it strictly increasing; the last step stays on the last day (T), so a warp never moves data
 * across the sample's date and the label still follows the window.
 */
export function warpPath(length: number, knotSpeeds: readonly number[]): Float64Array {
  if (!Number.isInteger(length) || length < 1) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `warp length must be a positive integer, got ${length}`);
  if (knotSpeeds.length < 2 || knotSpeeds.some((s) => !(s > 0 && Number.isFinite(s)))) {
    throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `warp needs at least 2 positive knot speeds, got ${JSON.stringify(knotSpeeds)}`);
  }
  const path = new Float64Array(length);
  if (length === 1) return path;
  const speed = (t: number): number => {
    const u = (t / (length - 1)) * (knotSpeeds.length - 1);
    const j = Math.min(Math.floor(u), knotSpeeds.length - 2);
    const a = knotSpeeds[j] as number;
    return a + ((knotSpeeds[j + 1] as number) - a) * (u - j);
  };
  for (let t = 1; t < length; t++) path[t] = (path[t - 1] as number) + (speed(t - 1) + speed(t)) / 2;
  const total = path[length - 1] as number;
  for (let t = 0; t < length; t++) path[t] = ((path[t] as number) * (length - 1)) / total;
  path[length - 1] = length - 1;
  return path;
}

export interface TimeWarpOptions {
  seed: number;
  /** Knot speeds are exp(strength * N(0, 1)) (default 0.2); 0 is the identity. */
  strength?: number;
  /** Number of knots (default 4; at least 2). */
  knots?: number;
}

/** Resamples every window along its own random monotone time map (linear interpolation between sessions). */
export function timeWarp(set: WindowSet, options: TimeWarpOptions): WindowSet {
  assertTrainingSet(set, 'timeWarp');
  const rng = checkSeed(options.seed, 'timeWarp');
  const strength = options.strength ?? 0.2;
  const knots = options.knots ?? 4;
  if (!(strength >= 0 && Number.isFinite(strength))) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `warp strength must be >= 0, got ${strength}`);
  if (!Number.isInteger(knots) || knots < 2) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `warp needs an integer knots >= 2, got ${knots}`);
  const L = set.lookback;
  const k = set.features.length;
  const x = new Float32Array(set.x.length);
  const speeds = new Array<number>(knots);
  for (let i = 0; i < set.count; i++) {
    for (let j = 0; j < knots; j++) speeds[j] = Math.exp(strength * rng.normal());
    const path = warpPath(L, speeds);
    const base = i * L * k;
    for (let t = 0; t < L; t++) {
      const s = path[t] as number;
      const lo = Math.min(Math.floor(s), L - 1);
      const hi = Math.min(lo + 1, L - 1);
      const w = s - lo;
      for (let f = 0; f < k; f++) {
        const a = set.x[base + lo * k + f] as number;
        const b = set.x[base + hi * k + f] as number;
        x[base + t * k + f] = w === 0 ? a : a + (b - a) * w;
      }
    }
  }
  return { ...set, x };
}

export interface BootstrapOptions {
  seed: number;
  /** Samples drawn with replacement (default: the set's count). */
  size?: number;
}

/** Draws samples with replacement; returns them with their ids and labels, in draw order. */
export function bootstrapSamples(set: WindowSet, options: BootstrapOptions): WindowSet {
  assertTrainingSet(set, 'bootstrapSamples');
  const rng = checkSeed(options.seed, 'bootstrapSamples');
  const size = options.size ?? set.count;
  if (!Number.isInteger(size) || size < 0) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', `bootstrap size must be a non-negative integer, got ${size}`);
  if (size > 0 && set.count === 0) throw new QuantError('AUGMENTATION_OPTIONS_INVALID', 'cannot bootstrap from an empty window set');
  const row = set.lookback * set.features.length;
  const nL = set.labels.length;
  const x = new Float32Array(size * row);
  const y = new Float32Array(size * nL);
  const dateIndex = new Int32Array(size);
  const codeIndex = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const s = rng.int(set.count);
    x.set(set.x.subarray(s * row, (s + 1) * row), i * row);
    y.set(set.y.subarray(s * nL, (s + 1) * nL), i * nL);
    dateIndex[i] = set.dateIndex[s] as number;
    codeIndex[i] = set.codeIndex[s] as number;
  }
  return { ...set, count: size, x, y, dateIndex, codeIndex };
}
