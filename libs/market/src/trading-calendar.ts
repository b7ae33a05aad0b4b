import { QuantError } from '@quant/errors';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a `YYYY-MM-DD` calendar date (real day of a real month). */
export function assertIsoDate(value: string, what = 'date'): string {
  if (!ISO_DATE.test(value)) {
    throw new QuantError('DATE_INVALID', `${what} "${value}" is not a YYYY-MM-DD date`, { details: { value } });
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new QuantError('DATE_INVALID', `${what} "${value}" is not a calendar date`, { details: { value } });
  }
  return value;
}

/**
 * A trading calendar built from data (the exchange publishes holidays a year ahead only, so the
 * calendar is whatever the data source says the sessions were). Dates are `YYYY-MM-DD` strings,
 * which sort correctly as text.
 */
export class TradingCalendar {
  private readonly days: readonly string[];
  private readonly index = new Map<string, number>();

  constructor(days: Iterable<string>) {
    const sorted = [...new Set(days)].map((d) => assertIsoDate(d, 'calendar day')).sort();
    this.days = sorted;
    sorted.forEach((d, i) => this.index.set(d, i));
  }

  get size(): number {
    return this.days.length;
  }

  get first(): string | undefined {
    return this.days[0];
  }

  get last(): string | undefined {
    return this.days[this.days.length - 1];
  }

  all(): readonly string[] {
    return this.days;
  }

  isTradingDay(date: string): boolean {
    return this.index.has(date);
  }

  /** Position of a trading day in the calendar, or -1. */
  indexOf(date: string): number {
    return this.index.get(date) ?? -1;
  }

  at(i: number): string | undefined {
    return this.days[i];
  }

  /** The first trading day strictly after `date` (which need not be a trading day). */
  next(date: string): string | undefined {
    return this.days[this.upperBound(date)];
  }

  /** The last trading day strictly before `date`. */
  previous(date: string): string | undefined {
    return this.days[this.lowerBound(date) - 1];
  }

  /** The trading day `n` sessions after (n > 0) or before (n < 0) a trading day. */
  shift(date: string, n: number): string | undefined {
    const i = this.indexOf(date);
    if (i < 0) throw new QuantError('NOT_A_TRADING_DAY', `${date} is not a trading day`, { details: { date } });
    return this.days[i + n];
  }

  /** Trading days in [from, to], both inclusive. */
  range(from: string, to: string): string[] {
    return this.days.slice(this.lowerBound(from), this.upperBound(to));
  }

  /** Number of sessions from `from` to `to` (0 for the same day), both trading days. */
  sessionsBetween(from: string, to: string): number {
    const a = this.indexOf(from);
    const b = this.indexOf(to);
    if (a < 0 || b < 0) {
      throw new QuantError('NOT_A_TRADING_DAY', `${a < 0 ? from : to} is not a trading day`, { details: { from, to } });
    }
    return b - a;
  }

  /** Index of the first day >= date. */
  private lowerBound(date: string): number {
    let lo = 0;
    let hi = this.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.days[mid]! < date) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first day > date. */
  private upperBound(date: string): number {
    let lo = 0;
    let hi = this.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.days[mid]! <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
