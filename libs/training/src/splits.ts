import { QuantError } from '@quant/errors';
import { assertSessions, purgedSplit } from '@quant/features';

/** Sessions `[start, end)` by index into the calendar, with their first and last dates. */
export interface SessionRange {
  start: number;
  end: number;
  from: string;
  to: string;
}

/**
 * One fold: the training sessions (one range for forward-chaining, up to two for purged k-fold, where
 * training data lies on both sides of the validation block) and the validation block.
 */
export interface Fold {
  index: number;
  train: SessionRange[];
  valid: SessionRange;
  /** Training sessions dropped next to the validation block so no training label reads its prices. */
  purged: number;
}

export interface WalkForwardOptions {
  /** The label's lookahead (LabelDefinition.lookahead): sessions purged before each validation block. */
  horizon: number;
  /** Sessions in each validation block. */
  validSize: number;
  /** Sessions of the first training window (before purging). Default: validSize. */
  minTrainSize?: number;
  /** Rolling window of this many training sessions (before purging); default: expanding (anchored at 0). */
  trainSize?: number;
  /** Sessions between the starts of consecutive validation blocks (default validSize: adjacent blocks). */
  step?: number;
  /** At most this many folds (the earliest ones). */
  maxFolds?: number;
}

function fail(message: string, details: Record<string, string | number> = {}): never {
  throw new QuantError('SPLIT_INVALID', message, { details });
}

function positiveInt(value: number | undefined, name: string, min = 1): number {
  if (value === undefined || !Number.isInteger(value) || value < min) fail(`${name} must be an integer >= ${min}, got ${String(value)}`, { option: name });
  return value;
}

function range(dates: readonly string[], start: number, end: number): SessionRange {
  return { start, end, from: dates[start] as string, to: dates[end - 1] as string };
}

/**
 * Forward-chaining (walk-forward) folds: validation blocks of `validSize` sessions laid one after the
 * other from `minTrainSize` on, each trained on the sessions before it (all of them, or the last
 * `trainSize`). The purge is purgedSplit's: a training label at T reads up to T + horizon, so training
 * keeps only T + horizon < the block's first session. A block cut short by the end of the calendar is
 * dropped (its metrics would not compare with the others').
 */
export function walkForwardFolds(dates: readonly string[], options: WalkForwardOptions): Fold[] {
  assertSessions(dates);
  const horizon = positiveInt(options.horizon, 'horizon', 0);
  const validSize = positiveInt(options.validSize, 'validSize');
  const minTrain = positiveInt(options.minTrainSize ?? validSize, 'minTrainSize');
  const step = positiveInt(options.step ?? validSize, 'step');
  const trainSize = options.trainSize === undefined ? undefined : positiveInt(options.trainSize, 'trainSize');
  const maxFolds = options.maxFolds === undefined ? Infinity : positiveInt(options.maxFolds, 'maxFolds');
  const folds: Fold[] = [];
  for (let vStart = minTrain; vStart + validSize <= dates.length && folds.length < maxFolds; vStart += step) {
    const tStart = trainSize === undefined ? 0 : Math.max(0, vStart - trainSize);
    // purgedSplit owns the embargo rule, so every split in the project purges the same way.
    const split = purgedSplit(
      dates,
      { train: { from: dates[tStart] as string, to: dates[vStart - 1] as string }, valid: { from: dates[vStart] as string, to: dates[vStart + validSize - 1] as string } },
      horizon,
    );
    folds.push({ index: folds.length, train: [range(dates, split.train.start, split.train.end)], valid: range(dates, split.valid.start, split.valid.end), purged: split.train.purged });
  }
  if (folds.length === 0) {
    fail(`no walk-forward fold fits in ${dates.length} sessions (first training window ${minTrain} + validation ${validSize} sessions)`, { sessions: dates.length });
  }
  return folds;
}

export interface TimeSeriesSplitOptions {
  /** Number of folds (>= 2 blocks are made: splits + 1). */
  splits: number;
  /** The label's lookahead: sessions purged before each validation block. */
  horizon: number;
  /** Rolling training window of at most this many sessions (before purging); default expanding. */
  maxTrainSize?: number;
}

/**
 * Time-series cross-validation in the usual shape (sklearn's TimeSeriesSplit with a gap): the sessions
 * are cut into `splits + 1` equal blocks, the first absorbing the remainder; fold k validates on block
 * k + 1 and trains on everything before it, purged by `horizon`.
 */
export function timeSeriesSplit(dates: readonly string[], options: TimeSeriesSplitOptions): Fold[] {
  const splits = positiveInt(options.splits, 'splits');
  const validSize = Math.floor(dates.length / (splits + 1));
  if (validSize < 1) fail(`${dates.length} sessions cannot make ${splits} time-series folds`, { sessions: dates.length, splits });
  const first = dates.length - splits * validSize;
  return walkForwardFolds(dates, {
    horizon: options.horizon,
    validSize,
    minTrainSize: first,
    ...(options.maxTrainSize !== undefined ? { trainSize: options.maxTrainSize } : {}),
  });
}

export interface PurgedKFoldOptions {
  folds: number;
  /** The label's lookahead: purged before each validation block and embargoed after it. */
  horizon: number;
}

/**
 * Purged k-fold cross-validation over sessions: k contiguous validation blocks, each trained on every
 * other session except the `horizon` sessions before the block (their labels read the block's prices)
 * and the `horizon` sessions after it (the embargo: their label windows overlap the block's last labels).
 * For model selection where future-trained folds are acceptable; forward-chaining folds are the honest
 * backtest.
 */
export function purgedKFold(dates: readonly string[], options: PurgedKFoldOptions): Fold[] {
  assertSessions(dates);
  const k = positiveInt(options.folds, 'folds', 2);
  const horizon = positiveInt(options.horizon, 'horizon', 0);
  const n = dates.length;
  if (n < k) fail(`${n} sessions cannot make ${k} folds`, { sessions: n, folds: k });
  const folds: Fold[] = [];
  for (let i = 0; i < k; i++) {
    const vStart = Math.floor((i * n) / k);
    const vEnd = Math.floor(((i + 1) * n) / k);
    const before = Math.max(0, vStart - horizon);
    const after = Math.min(n, vEnd + horizon);
    const train: SessionRange[] = [];
    if (before > 0) train.push(range(dates, 0, before));
    if (after < n) train.push(range(dates, after, n));
    if (train.length === 0) fail(`fold ${i} has no training session left after purging ${horizon} sessions on each side`, { fold: i, horizon });
    folds.push({ index: i, train, valid: range(dates, vStart, vEnd), purged: vStart - before + (after - vEnd) });
  }
  return folds;
}

/** Every session index of a fold's training ranges, ascending. */
export function trainSessions(fold: Fold): number[] {
  const out: number[] = [];
  for (const r of fold.train) for (let i = r.start; i < r.end; i++) out.push(i);
  return out;
}
