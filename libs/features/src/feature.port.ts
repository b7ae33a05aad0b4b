/**
 * Features are pure functions of an instrument's daily history (and, for market and cross-sectional
 * families, of other series given as extra inputs). Every calculator computes the same numbers two
 * ways: in batch over a whole history (typed arrays, vectorised) and streaming, one new day at a time.
 *
 * Missing rows: a day on which the instrument did not trade (volume 0 or missing) is a row of NaN in
 * every input field, kept in place on the calendar (as Qlib's data has NaN rows), so that windows count
 * calendar sessions, and pandas-style rolling statistics (min_periods=1) skip the NaN values inside.
 */

export type FeatureFamily = 'technical' | 'fundamental' | 'market' | 'temporal' | 'sentiment';

/** One output column: documented once, in the catalogue. */
export interface FeatureDefinition {
  /** Unique within its set; Alpha158/Alpha360 use Qlib's names (KMID, ROC5, ..., VSUMD60, CLOSE59...). */
  name: string;
  family: FeatureFamily;
  /** Human-readable formula in Qlib expression style, e.g. `Mean($close, 5)/$close`. */
  formula: string;
  /** Input fields it reads, e.g. ['close', 'volume'] or ['index.close'], ['valuation.peTTM']. */
  inputs: readonly string[];
  /** Sessions of history needed before the value is stable (exactly equal to a full-history batch). */
  warmup: number;
}

/** Input fields of one instrument on the calendar, one element per session; NaN where missing. */
export interface SeriesInput {
  code: string;
  /** `YYYY-MM-DD` sessions, ascending, contiguous on the trading calendar from the first to the last. */
  dates: readonly string[];
  /** Named fields: open, high, low, close, volume, vwap (adjusted prices), plus any extra input
   *  a family needs (index.close, valuation.peTTM, sentiment.score ...). */
  fields: Readonly<Record<string, Float64Array>>;
}

/** One day of inputs, for streaming. */
export interface DayInput {
  date: string;
  values: Readonly<Record<string, number>>;
}

/** A streaming calculator: state of one instrument, fed one session at a time. */
export interface FeatureStream {
  /** Appends the next session and returns its feature values (one per definition, in order). */
  add(day: DayInput): Float64Array;
  /** Replaces the last session added (a correction of today's bar) and returns the new values. */
  replace(day: DayInput): Float64Array;
  /** Sessions added so far. */
  readonly length: number;
  /** True once `length >= warmup` of every column: values now equal the batch ones. */
  readonly isStable: boolean;
}

/** A group of features computed together (they share intermediate series). */
export interface FeatureCalculator {
  readonly name: string;
  readonly definitions: readonly FeatureDefinition[];
  /** Batch over a whole history: one Float64Array per definition, each of length dates.length. */
  batch(input: SeriesInput): Float64Array[];
  /**
   * A fresh streaming state for one instrument. The code matters to calculators whose rules depend on
   * the instrument (price limits by board); others ignore it.
   */
  stream(code?: string): FeatureStream;
}

/** A named, versioned list of calculators (alpha158, alpha360, technical, ...). */
export interface FeatureSet {
  name: string;
  /** Changes whenever a definition changes: stored features carry it, so stale ones are never mixed in. */
  version: string;
  calculators: readonly FeatureCalculator[];
  /** All columns in order. */
  definitions(): FeatureDefinition[];
}
