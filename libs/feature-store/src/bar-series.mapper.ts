import type { DayInput, SeriesInput } from '@quant/features';
import { seriesFromBars } from '@quant/features';
import type { BarRecord } from './market-data.reader';

/** Input fields of the price/volume feature sets (what seriesFromBars fills). */
export const BAR_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'vwap'] as const;

/**
 * The batch input of one instrument: one row per calendar session from its first to its last bar.
 * The conversion is @quant/features' own (adjusted prices = raw x factor, raw volume, vwap from the
 * amount where known, a NaN row for a session without a bar or without trading), so batch and
 * streaming read the same numbers.
 */
export function barsToSeries(code: string, bars: readonly BarRecord[], calendar: readonly string[]): SeriesInput {
  return seriesFromBars(bars, calendar, code);
}

/** One bar as the next streaming input: the single row seriesFromBars makes of it. */
export function barToDayInput(bar: BarRecord): DayInput {
  const series = seriesFromBars([bar], [bar.date], bar.code);
  const values: Record<string, number> = {};
  for (const [field, column] of Object.entries(series.fields)) values[field] = column[0] as number;
  return { date: bar.date, values };
}

/** A session without a stored bar inside an instrument's life: missing like a suspension. */
export function missingDay(date: string): DayInput {
  const values: Record<string, number> = {};
  for (const f of BAR_FIELDS) values[f] = Number.NaN;
  return { date, values };
}
