import type { TradingCalendar } from '@quant/market';
import { boardOf, exceedsPriceLimit, priceLimitRule } from '@quant/market';

/** Where a record came from (same shape as the data-source port's RecordOrigin). */
export interface Origin {
  source: string;
  location: string;
  line?: number;
  offset?: number;
}

/** A bar as a source delivered it, before any semantic check. Raw (unadjusted) prices. */
export interface BarCandidate {
  code: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  amount: number | null;
  factor: number | null;
  isST?: boolean | null;
  traded?: boolean | null;
  origin: Origin;
}

/** A bar that passed validation, with what was learnt about it. */
export interface ValidBar extends BarCandidate {
  /** False on suspended days (volume 0 or missing, or the source says so): kept, never dropped. */
  traded: boolean;
  /** Warnings that do not make the bar wrong, e.g. `PRICE_LIMIT_EXCEEDED`. */
  flags: string[];
}

export type RejectReason =
  | 'PRICE_NOT_FINITE'
  | 'PRICE_NOT_POSITIVE'
  | 'OHLC_INCONSISTENT'
  | 'VOLUME_NEGATIVE'
  | 'AMOUNT_NEGATIVE'
  | 'FACTOR_NOT_POSITIVE'
  | 'NOT_A_TRADING_DAY'
  | 'UNKNOWN_INSTRUMENT'
  | 'DUPLICATE'
  | 'DUPLICATE_CONFLICT';

export interface Rejection {
  reason: RejectReason;
  message: string;
  code: string;
  date: string;
  origin: Origin;
}

export interface BarValidationResult {
  valid: ValidBar[];
  rejected: Rejection[];
}

export interface InstrumentListing {
  /** First day the instrument traded (its listing day when the data starts there). */
  firstDate: string;
}

export interface BarValidatorOptions {
  calendar: TradingCalendar;
  /** Known instruments by canonical code. */
  instruments: ReadonlyMap<string, InstrumentListing>;
  /**
   * Day before the first bar of this batch for each instrument, as already stored: lets an incremental
   * import check the first new day's move against the last stored close. Adjusted close (raw x factor).
   */
  lastAdjustedClose?: ReadonlyMap<string, number>;
}

// float32 sources (Qlib) store adjusted prices; dividing by the factor can move the last digit.
const OHLC_TOLERANCE = 1e-6;

/**
 * Semantic checks before anything is stored. Each rejected bar keeps a reason code and its origin;
 * valid bars of the same batch are never held back by a bad neighbour. Keeps state across calls so
 * that duplicates spanning two batches (two files with the same day) are caught.
 */
export class BarValidator {
  private readonly seen = new Map<string, BarCandidate>();
  private readonly lastClose = new Map<string, number>();

  constructor(private readonly options: BarValidatorOptions) {
    for (const [code, close] of options.lastAdjustedClose ?? []) this.lastClose.set(code, close);
  }

  /** Validates bars in any order; the result lists valid bars sorted by code then date. */
  validate(bars: readonly BarCandidate[]): BarValidationResult {
    const valid: ValidBar[] = [];
    const rejected: Rejection[] = [];
    const sorted = [...bars].sort((a, b) => (a.code === b.code ? cmp(a.date, b.date) : cmp(a.code, b.code)));
    for (const bar of sorted) {
      const problem = this.check(bar);
      if (problem) {
        rejected.push({ ...problem, code: bar.code, date: bar.date, origin: bar.origin });
        continue;
      }
      valid.push(this.accept(bar));
    }
    return { valid, rejected };
  }

  private check(bar: BarCandidate): { reason: RejectReason; message: string } | null {
    const { code, date } = bar;
    const listing = this.options.instruments.get(code);
    if (!listing) return { reason: 'UNKNOWN_INSTRUMENT', message: `instrument ${code} is not in the instrument list` };
    if (!this.options.calendar.isTradingDay(date)) {
      return { reason: 'NOT_A_TRADING_DAY', message: `${date} is not a trading day of the calendar` };
    }
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      const v = bar[field];
      if (!Number.isFinite(v)) return { reason: 'PRICE_NOT_FINITE', message: `${field} is ${v}, expected a finite price` };
      if (v <= 0) return { reason: 'PRICE_NOT_POSITIVE', message: `${field} is ${v}, expected a positive price` };
    }
    const tol = bar.high * OHLC_TOLERANCE;
    if (bar.low > bar.high + tol || bar.open < bar.low - tol || bar.open > bar.high + tol || bar.close < bar.low - tol || bar.close > bar.high + tol) {
      return {
        reason: 'OHLC_INCONSISTENT',
        message: `expected low <= open, close <= high, got open ${bar.open} high ${bar.high} low ${bar.low} close ${bar.close}`,
      };
    }
    if (bar.volume !== null && !(bar.volume >= 0)) return { reason: 'VOLUME_NEGATIVE', message: `volume is ${bar.volume}, expected >= 0` };
    if (bar.amount !== null && !(bar.amount >= 0)) return { reason: 'AMOUNT_NEGATIVE', message: `amount is ${bar.amount}, expected >= 0` };
    if (bar.factor !== null && !(bar.factor > 0 && Number.isFinite(bar.factor))) {
      return { reason: 'FACTOR_NOT_POSITIVE', message: `adjustment factor is ${bar.factor}, expected a positive number` };
    }
    const key = `${code}|${date}`;
    const first = this.seen.get(key);
    if (first) {
      const same = first.open === bar.open && first.high === bar.high && first.low === bar.low && first.close === bar.close && first.volume === bar.volume;
      const at = `${first.origin.location}${first.origin.line ? `:${first.origin.line}` : ''}`;
      return same
        ? { reason: 'DUPLICATE', message: `${code} ${date} already read from ${at}` }
        : { reason: 'DUPLICATE_CONFLICT', message: `${code} ${date} already read from ${at} with different values; the first one is kept` };
    }
    this.seen.set(key, bar);
    return null;
  }

  private accept(bar: BarCandidate): ValidBar {
    const traded = bar.traded !== false && bar.volume !== null && bar.volume > 0;
    const flags: string[] = [];
    const adjClose = bar.close * (bar.factor ?? 1);
    if (traded && boardOf(bar.code) !== 'index') {
      const prev = this.lastClose.get(bar.code);
      if (prev !== undefined) {
        const listing = this.options.instruments.get(bar.code)!;
        const sessions = this.sessionsSince(listing.firstDate, bar.date);
        const rule = priceLimitRule({
          code: bar.code,
          date: bar.date,
          isST: bar.isST ?? false,
          listDate: listing.firstDate,
          ...(sessions === undefined ? {} : { sessionsSinceListing: sessions }),
        });
        if (exceedsPriceLimit(adjClose, prev, rule)) flags.push('PRICE_LIMIT_EXCEEDED');
      }
    }
    if (traded) this.lastClose.set(bar.code, adjClose);
    return { ...bar, traded, flags };
  }

  private sessionsSince(first: string, date: string): number | undefined {
    const a = this.options.calendar.indexOf(first);
    const b = this.options.calendar.indexOf(date);
    return a < 0 || b < 0 ? undefined : b - a;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
