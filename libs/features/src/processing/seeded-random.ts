import { QuantError } from '@quant/errors';

/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2^32), enough for augmentation and bootstrap
 * and, unlike Math.random, reproducible: the same seed gives the same sequence on every platform,
 * so an augmented training run can be repeated exactly.
 */
export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller; both values of each pair are used). */
  normal(): number;
}

export function createRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed)) throw new QuantError('SEED_INVALID', `seed must be an integer, got ${seed}`, { details: { seed: String(seed) } });
  let state = seed >>> 0;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new QuantError('RANDOM_RANGE_INVALID', `int(n) needs a positive integer n, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
