import { QuantError } from '@quant/errors';
import type { SeriesInput } from '../feature.port';

/** The bar fields seriesFromBars reads: a RawBar of @quant/data-sources fits, so does a stored bar. */
export interface BarLike {
  /** Instrument code; every bar given at once must have the same one. */
  code?: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** 0 or null: the instrument did not trade that day. */
  volume: number | null;
  /** CNY traded; with volume it gives the VWAP. */
  amount?: number | null;
  /** Cumulative adjustment factor, adjusted = raw x factor; null or absent: prices taken as they are. */
  factor?: number | null;
}

export const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

export interface SeriesFromBarsOptions {
  /**
   * Precision of the adjusted prices. `float32` (default) rounds raw x factor to float32, the precision
   * Qlib stores adjusted prices in: prices that are equal in Qlib's data are then equal here too, so
   * ties (Rank, IdxMax, $close>Ref($close,1)) come out as Qlib has them; raw/factor round trips
   * otherwise leave 1-ulp differences between days with different factors. `float64` keeps the product.
   */
  adjustedPrecision?: 'float32' | 'float64';
}

/**
 * Builds the SeriesInput of one instrument from its bars: one row per session of `calendar` from its
 * first to its last bar, adjusted prices (raw x factor), raw volume, and vwap = amount/volume x factor
 * where the amount is known (NaN otherwise, as in our Qlib data). A session without a bar, or with
 * volume 0 or null, is a NaN row in every field (Qlib's data has NaN rows on suspended days).
 */
export function seriesFromBars(
  bars: readonly BarLike[],
  calendar: readonly string[],
  code = bars[0]?.code ?? '',
  options: SeriesFromBarsOptions = {},
): SeriesInput {
  const round = (options.adjustedPrecision ?? 'float32') === 'float32' ? Math.fround : (x: number) => x;
  if (bars.length === 0) return { code, dates: [], fields: emptyFields(0) };
  const sorted = [...bars].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const first = sorted[0]!.date;
  const last = sorted[sorted.length - 1]!.date;
  const lo = lowerBound(calendar, first);
  if (calendar[lo] !== first) throw notInCalendar(code, first);
  const hi = lowerBound(calendar, last);
  if (calendar[hi] !== last) throw notInCalendar(code, last);
  const n = hi - lo + 1;
  const dates = calendar.slice(lo, hi + 1);
  const fields = emptyFields(n);
  let row = 0;
  let previous = '';
  for (const bar of sorted) {
    if (bar.date === previous) {
      throw new QuantError('FEATURE_INPUT_INVALID', `${code}: two bars on ${bar.date}`, { details: { code, date: bar.date } });
    }
    previous = bar.date;
    if (bar.code !== undefined && bar.code !== code) {
      throw new QuantError('FEATURE_INPUT_INVALID', `seriesFromBars: bars of ${bar.code} mixed with ${code} (${bar.date})`, { details: { code, other: bar.code } });
    }
    while (row < n && dates[row]! < bar.date) row++;
    if (dates[row] !== bar.date) throw notInCalendar(code, bar.date);
    const volume = bar.volume;
    if (volume === null || !(volume > 0)) continue;
    const factor = bar.factor ?? 1;
    if (!(factor > 0)) {
      throw new QuantError('FEATURE_INPUT_INVALID', `${code} ${bar.date}: factor ${factor} is not a positive number`, { details: { code, date: bar.date } });
    }
    fields.open![row] = round(bar.open * factor);
    fields.high![row] = round(bar.high * factor);
    fields.low![row] = round(bar.low * factor);
    fields.close![row] = round(bar.close * factor);
    fields.volume![row] = volume;
    const amount = bar.amount;
    if (amount !== null && amount !== undefined && amount > 0) fields.vwap![row] = round((amount / volume) * factor);
  }
  return { code, dates, fields };
}

function emptyFields(n: number): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const f of [...PRICE_FIELDS, 'volume', 'vwap']) out[f] = new Float64Array(n).fill(NaN);
  return out;
}

function notInCalendar(code: string, date: string): QuantError {
  return new QuantError('FEATURE_INPUT_INVALID', `${code}: bar on ${date}, which is not a session of the calendar`, { details: { code, date } });
}

function lowerBound(days: readonly string[], d: string): number {
  let a = 0;
  let b = days.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (days[m]! < d) a = m + 1;
    else b = m;
  }
  return a;
}
