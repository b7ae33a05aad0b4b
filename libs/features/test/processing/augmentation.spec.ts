import { describe, expect, it } from 'vitest';
import { addGaussianNoise, bootstrapSamples, createPanel, createRandom, featureStd, slidingWindows, timeWarp, warpPath } from '../../src/processing';
import type { Segment, WindowSet } from '../../src/processing';

/** mulberry32 written again with BigInt arithmetic mod 2^32, to check the Math.imul/shift version. */
function referenceMulberry32(seed: number, count: number): number[] {
  const M = 0x100000000n;
  const imul = (a: bigint, b: bigint): bigint => (a * b) % M;
  let state = BigInt(seed >>> 0);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5n) % M;
    let t = imul(state ^ (state >> 15n), state | 1n);
    t = (t ^ ((t + imul(t ^ (t >> 7n), t | 61n)) % M)) % M;
    out.push(Number(t ^ (t >> 14n)) / 4294967296);
  }
  return out;
}

describe('seeded random', () => {
  it('is mulberry32, reproducible for a seed and different across seeds', () => {
    for (const seed of [0, 1, 42, 2 ** 31 - 1]) {
      const rng = createRandom(seed);
      expect(Array.from({ length: 50 }, () => rng.next())).toEqual(referenceMulberry32(seed, 50));
    }
    expect(createRandom(1).next()).not.toBe(createRandom(2).next());
    expect(() => createRandom(1.5)).toThrow(/integer/);
  });

  it('draws standard normals (Box-Muller) and integers in range', () => {
    const rng = createRandom(123);
    const n = 20000;
    let sum = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      ss += z * z;
    }
    // deterministic for this seed; loose bounds so they state a property, not a tuned number
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.05);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[rng.int(3)]!++;
    expect(counts.every((c) => c > 900 && c < 1100)).toBe(true);
  });
});

/** 30 sessions x 2 codes x 2 features: f0 = t (a ramp), f1 = 100 * code + t; close rises 1% a day. */
function windows(segment?: Segment): WindowSet {
  const dates = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10));
  const v: number[] = [];
  for (let d = 0; d < 30; d++) for (let c = 0; c < 2; c++) v.push(d, 100 * c + d, 10 * 1.01 ** d);
  const panel = createPanel({ dates, codes: ['A', 'B'], features: ['f0', 'f1', 'close'], values: Float64Array.from(v), ...(segment ? { segment } : {}) });
  return slidingWindows(panel, { lookback: 5, horizon: 1, features: ['f0', 'f1'] });
}

describe('training-only augmentation', () => {
  it.each(['valid', 'test', 'live'] as const)('refuses a window set marked %s', (segment) => {
    const set = windows(segment);
    expect(() => addGaussianNoise(set, { seed: 1 })).toThrow(new RegExp(`addGaussianNoise runs on training data only, got a window set marked "${segment}"`));
    expect(() => timeWarp(set, { seed: 1 })).toThrow(/timeWarp runs on training data only/);
    expect(() => bootstrapSamples(set, { seed: 1 })).toThrow(/bootstrapSamples runs on training data only/);
  });

  it('refuses an unmarked window set too, saying how to mark it', () => {
    expect(() => addGaussianNoise(windows(), { seed: 1 })).toThrow(/unmarked; mark training windows with segment: 'train'/);
  });

  it('computes each feature std over the training windows', () => {
    const set = { ...windows('train'), x: Float32Array.from([1, 10, 3, 10, 5, 40]), count: 1, lookback: 3 };
    // f0: 1 3 5 -> std 2; f1: 10 10 40 -> mean 20, ss 100 + 100 + 400 = 600, std sqrt(300)
    expect(Array.from(featureStd(set))).toEqual([2, Math.sqrt(300)]);
  });

  it('adds Gaussian noise scaled by each feature std, reproducibly, without touching the input', () => {
    const set = windows('train');
    const before = set.x.slice();
    const a = addGaussianNoise(set, { seed: 9, scale: 0.5, std: [1, 100] });
    const b = addGaussianNoise(set, { seed: 9, scale: 0.5, std: [1, 100] });
    expect(a.x).toEqual(b.x);
    expect(set.x).toEqual(before);
    expect(addGaussianNoise(set, { seed: 10, scale: 0.5, std: [1, 100] }).x).not.toEqual(a.x);
    expect(addGaussianNoise(set, { seed: 9, scale: 0 }).x).toEqual(set.x);
    // the noise of feature 1 is 100 times the noise of feature 0, as asked: compare their spreads
    const spread = [0, 0];
    for (let i = 0; i < a.x.length; i++) spread[i % 2]! += ((a.x[i] as number) - (set.x[i] as number)) ** 2;
    const ratio = Math.sqrt((spread[1] as number) / (spread[0] as number));
    expect(ratio).toBeGreaterThan(70);
    expect(ratio).toBeLessThan(140);
    expect(a.y).toEqual(set.y);
  });

  it('builds a smooth monotone warp that keeps both ends', () => {
    expect(Array.from(warpPath(5, [1, 1]))).toEqual([0, 1, 2, 3, 4]);
    // speeds 1 1.5 2 2.5 3 -> cumulative trapezoid 0 1.25 3 5.25 8 -> scaled by 4/8
    expect(Array.from(warpPath(5, [1, 3]))).toEqual([0, 0.625, 1.5, 2.625, 4]);
    expect(() => warpPath(5, [1, 0])).toThrow(/positive knot speeds/);
  });

  it('time-warps each window along a random monotone path, keeping the last session (T) in place', () => {
    const set = windows('train');
    expect(timeWarp(set, { seed: 3, strength: 0 }).x).toEqual(set.x);
    const warped = timeWarp(set, { seed: 3, strength: 0.5 });
    expect(timeWarp(set, { seed: 3, strength: 0.5 }).x).toEqual(warped.x);
    expect(warped.x).not.toEqual(set.x);
    const L = set.lookback;
    let moved = 0;
    for (let i = 0; i < set.count; i++) {
      // f0 is a ramp t0..t0+4, so its warped values are t0 + path: increasing, same ends
      const at = (t: number): number => warped.x[(i * L + t) * 2] as number;
      expect(at(0)).toBe(set.x[i * L * 2]);
      expect(at(L - 1)).toBe(set.x[(i * L + L - 1) * 2]);
      for (let t = 1; t < L; t++) expect(at(t)).toBeGreaterThan(at(t - 1));
      for (let t = 1; t < L - 1; t++) if (Math.abs(at(t) - (set.x[(i * L + t) * 2] as number)) > 1e-3) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    expect(warped.y).toEqual(set.y);
  });

  it('bootstraps samples with replacement from a seed, ids and labels travelling with them', () => {
    const set = windows('train');
    const boot = bootstrapSamples(set, { seed: 5, size: 7 });
    const rng = createRandom(5);
    const picks = Array.from({ length: 7 }, () => rng.int(set.count));
    const row = set.lookback * 2;
    expect(boot.count).toBe(7);
    picks.forEach((s, i) => {
      expect(Array.from(boot.x.subarray(i * row, (i + 1) * row))).toEqual(Array.from(set.x.subarray(s * row, (s + 1) * row)));
      expect(boot.y[i]).toBe(set.y[s]);
      expect(boot.dateIndex[i]).toBe(set.dateIndex[s]);
      expect(boot.codeIndex[i]).toBe(set.codeIndex[s]);
    });
    expect(bootstrapSamples(set, { seed: 5, size: 7 }).x).toEqual(boot.x);
    expect(bootstrapSamples(set, { seed: 5 }).count).toBe(set.count);
  });
});
