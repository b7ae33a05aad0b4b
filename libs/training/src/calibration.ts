import { fitScoreCalibration } from '@quant/evaluation';
import type { LabelDefinition, LabelSpec } from '@quant/features';

/** One valid-segment prediction with what happened next: the calibration's input (contract of @quant/evaluation). */
export interface CalibrationRow {
  date: string;
  score: number;
  /** Forward return over the label's horizon from its entry (adjusted close). */
  forwardReturn: number;
  /** The benchmark's return over the same window. */
  benchmarkReturn: number;
}

/** Fits a score calibration (percentile bins -> probability of beating the benchmark, expected return). */
export type CalibrationFitter = (rows: CalibrationRow[], options: { horizon: number }) => object;

/**
 * The plain forward return over the label's horizon and entry lag, whatever the label's kind; entry is
 * never before the next session (a list for day T is acted on at T+1, so a return from T's close is
 * not one anybody can earn).
 */
export function forwardReturnSpec(label: LabelDefinition): LabelSpec {
  const spec = label.spec;
  return { kind: 'forward-return', horizon: spec.kind === 'future-volatility' ? 1 : (spec.horizon ?? 1), entryLag: Math.max(1, spec.entryLag ?? 1) };
}

/**
 * Calibration rows of one segment: each scored row (`cells`: date index x codes + code index) with its
 * forward return and the benchmark's. Rows whose forward return is unknown are left out; a day without
 * a benchmark return (index not stored) uses the equal-weighted mean of that day's rows instead.
 */
export function calibrationRows(input: { cells: Int32Array; codes: number; dates: readonly string[]; scores: ArrayLike<number>; forward: Float64Array; benchmark: Float64Array }): CalibrationRow[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const cell of input.cells) {
    const r = input.forward[cell] as number;
    if (!Number.isFinite(r)) continue;
    const d = Math.floor(cell / input.codes);
    const s = sums.get(d) ?? { sum: 0, n: 0 };
    s.sum += r;
    s.n++;
    sums.set(d, s);
  }
  const rows: CalibrationRow[] = [];
  for (const [i, cell] of input.cells.entries()) {
    const forwardReturn = input.forward[cell] as number;
    const score = input.scores[i] as number;
    if (!Number.isFinite(forwardReturn) || !Number.isFinite(score)) continue;
    const d = Math.floor(cell / input.codes);
    const bench = input.benchmark[d];
    const s = sums.get(d) as { sum: number; n: number };
    rows.push({ date: input.dates[d] as string, score, forwardReturn, benchmarkReturn: bench !== undefined && Number.isFinite(bench) ? bench : s.sum / s.n });
  }
  return rows;
}

/** @quant/evaluation's percentile-bin calibration (the contract H3's serving reads back). */
export const defaultCalibration: CalibrationFitter = (rows, options) => fitScoreCalibration(rows, { horizon: options.horizon });
