import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { computeLabel, labelDefinition } from '@quant/features';
import type { LabelSpec } from '@quant/features';
import { purgedKFold, timeSeriesSplit, trainSessions, walkForwardFolds } from '../src';
import type { Fold } from '../src';

/** Weekday sessions from 2020-01-01. */
function sessions(n: number): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(2020, 0, 1));
  while (out.length < n) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function prices(n: number, seed: number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  let p = 10;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    p *= 1 + (s / 2147483648 - 0.5) * 0.04;
    out[i] = p;
  }
  return out;
}

/**
 * The property the purge exists for: change every price of the validation block, recompute the labels,
 * and no training label may change. Returns the training sessions whose label did change.
 */
function leakingSessions(fold: Fold, close: Float64Array, spec: LabelSpec): number[] {
  const before = computeLabel(close, spec);
  const shocked = close.slice();
  for (let i = fold.valid.start; i < fold.valid.end; i++) shocked[i] = (shocked[i] as number) * 1.5;
  const after = computeLabel(shocked, spec);
  return trainSessions(fold).filter((t) => !Object.is(before[t], after[t]));
}

const qlib: LabelSpec = { kind: 'forward-return', horizon: 1, entryLag: 1 };
const fiveDay: LabelSpec = { kind: 'forward-return', horizon: 5, entryLag: 1 };

describe('walkForwardFolds', () => {
  const dates = sessions(200);
  const close = prices(200, 7);

  it('lays validation blocks one after the other and purges the label horizon before each', () => {
    const horizon = labelDefinition(qlib).lookahead;
    const folds = walkForwardFolds(dates, { horizon, validSize: 30, minTrainSize: 50 });
    expect(folds.map((f) => [f.valid.start, f.valid.end])).toEqual([
      [50, 80],
      [80, 110],
      [110, 140],
      [140, 170],
      [170, 200],
    ]);
    for (const f of folds) {
      expect(f.train).toHaveLength(1);
      expect(f.train[0]?.start).toBe(0);
      expect(f.train[0]?.end).toBe(f.valid.start - horizon);
      expect(f.purged).toBe(horizon);
      expect(f.valid.from).toBe(dates[f.valid.start]);
      expect(f.train[0]?.to).toBe(dates[f.valid.start - horizon - 1]);
    }
  });

  it('no training label reads a price of its validation block (Qlib label and a 5-day label)', () => {
    for (const spec of [qlib, fiveDay]) {
      const horizon = labelDefinition(spec).lookahead;
      for (const f of walkForwardFolds(dates, { horizon, validSize: 20, minTrainSize: 40, trainSize: 60 })) {
        expect(leakingSessions(f, close, spec)).toEqual([]);
      }
    }
  });

  it('the property test catches a purge one session too short', () => {
    const horizon = labelDefinition(fiveDay).lookahead;
    const short = walkForwardFolds(dates, { horizon: horizon - 1, validSize: 20, minTrainSize: 40 });
    expect(leakingSessions(short[0] as Fold, close, fiveDay)).toEqual([short[0]?.valid.start as number - horizon]);
  });

  it('rolls a fixed window, steps and caps the number of folds', () => {
    const folds = walkForwardFolds(dates, { horizon: 2, validSize: 10, minTrainSize: 40, trainSize: 40, step: 25, maxFolds: 3 });
    expect(folds.map((f) => [f.train[0]?.start, f.train[0]?.end, f.valid.start, f.valid.end])).toEqual([
      [0, 38, 40, 50],
      [25, 63, 65, 75],
      [50, 88, 90, 100],
    ]);
  });

  it('refuses options that make no fold, naming them', () => {
    expect(() => walkForwardFolds(dates, { horizon: 2, validSize: 150, minTrainSize: 100 })).toThrow(/no walk-forward fold fits in 200 sessions/);
    expect(() => walkForwardFolds(dates, { horizon: -1, validSize: 10 })).toThrow(/horizon must be an integer >= 0/);
    try {
      walkForwardFolds(dates, { horizon: 2, validSize: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(QuantError);
      expect((e as QuantError).code).toBe('SPLIT_INVALID');
    }
    // The training window must survive the purge.
    expect(() => walkForwardFolds(dates, { horizon: 5, validSize: 10, minTrainSize: 5 })).toThrow(/empty after purging 5 sessions/);
  });
});

describe('timeSeriesSplit', () => {
  it('cuts splits + 1 blocks, the first taking the remainder, and purges before each validation block', () => {
    const dates = sessions(103);
    const folds = timeSeriesSplit(dates, { splits: 4, horizon: 2 });
    expect(folds.map((f) => [f.train[0]?.end, f.valid.start, f.valid.end])).toEqual([
      [21, 23, 43],
      [41, 43, 63],
      [61, 63, 83],
      [81, 83, 103],
    ]);
    const close = prices(103, 3);
    for (const f of folds) expect(leakingSessions(f, close, qlib)).toEqual([]);
  });

  it('caps the training window', () => {
    const folds = timeSeriesSplit(sessions(100), { splits: 3, horizon: 2, maxTrainSize: 10 });
    for (const f of folds) expect(f.train[0]?.start).toBe(f.valid.start - 10);
  });
});

describe('purgedKFold', () => {
  it('trains on both sides of each block, purged before and embargoed after', () => {
    const dates = sessions(100);
    const folds = purgedKFold(dates, { folds: 4, horizon: 6 });
    expect(folds.map((f) => f.train.map((r) => [r.start, r.end]))).toEqual([[[31, 100]], [[0, 19], [56, 100]], [[0, 44], [81, 100]], [[0, 69]]]);
    const close = prices(100, 11);
    for (const f of folds) {
      expect(leakingSessions(f, close, fiveDay)).toEqual([]);
      // Embargo: label windows [T+1, T+6] of training sessions after the block never overlap the block's own.
      for (const t of trainSessions(f)) if (t >= f.valid.end) expect(t).toBeGreaterThan(f.valid.end - 1 + 6);
    }
  });

  it('refuses fewer than two folds', () => {
    expect(() => purgedKFold(sessions(10), { folds: 1, horizon: 2 })).toThrow(/folds must be an integer >= 2/);
  });
});
