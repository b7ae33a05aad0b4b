import { QuantError } from '@quant/errors';
import { mean, pearsonCorrelation, sampleStd, spearmanCorrelation } from './statistics';

/** One prediction: the model's score for a stock on a day and the realised label it tries to rank. */
export interface SignalRow {
  date: string;
  code: string;
  score: number;
  /** The realised label (e.g. the forward return); NaN or missing rows are dropped, as Qlib does. */
  label: number;
}

/** IC and rank IC of one day's cross-section. */
export interface DailySignalMetric {
  date: string;
  /** Pearson correlation of score and label across the day's stocks; NaN when undefined. */
  ic: number;
  /** Spearman correlation (average ranks for ties). */
  rankIc: number;
  /** Rows used that day. */
  count: number;
}

/** Qlib's signal analysis (SigAnaRecord): means and information ratios of the daily IC series. */
export interface SignalMetrics {
  ic: number;
  icir: number;
  rankIc: number;
  rankIcir: number;
  /** Days with a defined IC (at least 2 rows and variance on both sides). */
  days: number;
  rows: number;
  daily: DailySignalMetric[];
}

/** Groups finite (score, label) rows by date, sorted by date. */
export function groupByDate<T extends { date: string }>(rows: readonly T[], keep: (row: T) => boolean): Map<string, T[]> {
  const byDate = new Map<string, T[]>();
  for (const row of rows) {
    if (!keep(row)) continue;
    const day = byDate.get(row.date);
    if (day) day.push(row);
    else byDate.set(row.date, [row]);
  }
  return new Map([...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Daily IC (Pearson) and rank IC (Spearman) of score against label, and their mean / std (ddof 1)
 * ratios, as Qlib's `calc_ic` + SigAnaRecord compute them. Days where a correlation is undefined
 * (one stock, constant score or label) are left out of that metric's series, as pandas' mean/std skip NaN.
 */
export function signalMetrics(rows: readonly SignalRow[]): SignalMetrics {
  for (const row of rows) {
    if (typeof row.score !== 'number' || Number.isNaN(row.score)) {
      throw new QuantError('EVALUATION_INPUT_INVALID', `signal row ${row.date} ${row.code} has no score`, {
        details: { date: row.date, code: row.code },
      });
    }
  }
  const byDate = groupByDate(rows, (r) => Number.isFinite(r.label) && Number.isFinite(r.score));
  const daily: DailySignalMetric[] = [];
  let used = 0;
  for (const [date, day] of byDate) {
    const scores = day.map((r) => r.score);
    const labels = day.map((r) => r.label);
    daily.push({ date, ic: pearsonCorrelation(scores, labels), rankIc: spearmanCorrelation(scores, labels), count: day.length });
    used += day.length;
  }
  const ics = daily.map((d) => d.ic).filter(Number.isFinite);
  const rankIcs = daily.map((d) => d.rankIc).filter(Number.isFinite);
  return {
    ic: mean(ics),
    icir: mean(ics) / sampleStd(ics),
    rankIc: mean(rankIcs),
    rankIcir: mean(rankIcs) / sampleStd(rankIcs),
    days: ics.length,
    rows: used,
    daily,
  };
}

/** Mean daily IC and rank IC per calendar month ('YYYY-MM'), for Qlib's monthly IC chart. */
export function monthlySignalMetrics(daily: readonly DailySignalMetric[]): { month: string; ic: number; rankIc: number; days: number }[] {
  const byMonth = groupByDate(
    daily.map((d) => ({ ...d, date: d.date.slice(0, 7) })),
    () => true,
  );
  return [...byMonth].map(([month, days]) => ({
    month,
    ic: mean(days.map((d) => d.ic).filter(Number.isFinite)),
    rankIc: mean(days.map((d) => d.rankIc).filter(Number.isFinite)),
    days: days.length,
  }));
}
