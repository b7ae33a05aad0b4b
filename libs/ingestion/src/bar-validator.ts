import type { Board, TradingCalendar } from '@quant/market';
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
 * What the validator remembers per instrument. Arrays indexed by calendar position keep the memory
 * flat (a few tens of kB per instrument) however many bars go through: an import of every A-share
 * since 2010 must not hold millions of objects just to spot duplicates.
 */
interface InstrumentState {
  board: Board | null;
  listing: InstrumentListing;
  listingIndex: number;
  seenClose: Float64Array;
  seenVolume: Float64Array;
  seenLocation: Array<string | undefined>;
  seenLine: Float64Array;
  lastAdjustedClose: number | undefined;
}

/**
 * Semantic checks before anything is stored. Each rejected bar keeps a reason code and its origin;
 * valid bars of the same batch are never held back by a bad neighbour. Keeps state across calls so
 * that duplicates spanning two batches (two files with the same day) are caught.
 */
export class BarValidator {
  private readonly states = new Map<string, InstrumentState | null>();

  constructor(private readonly options: BarValidatorOptions) {}

  /**
   * Validates bars in any order; the result lists valid bars sorted by code then date. Valid bars are
   * the candidate objects themselves, completed with `traded` and `flags` (no copy: an import runs
   * millions of them through here).
   */
  validate(bars: readonly BarCandidate[]): BarValidationResult {
    const valid: ValidBar[] = [];
    const rejected: Rejection[] = [];
    const sorted = isSorted(bars) ? bars : [...bars].sort((a, b) => (a.code === b.code ? cmp(a.date, b.date) : cmp(a.code, b.code)));
    for (const bar of sorted) {
      const state = this.stateOf(bar.code);
      const day = this.options.calendar.indexOf(bar.date);
      const problem = this.check(bar, state, day);
      if (problem || !state) {
        const p = problem ?? { reason: 'UNKNOWN_INSTRUMENT' as const, message: `instrument ${bar.code} is not in the instrument list` };
        rejected.push({ ...p, code: bar.code, date: bar.date, origin: bar.origin });
        continue;
      }
      valid.push(this.accept(bar, state, day));
    }
    return { valid, rejected };
  }

  private stateOf(code: string): InstrumentState | null {
    let state = this.states.get(code);
    if (state !== undefined) return state;
    const listing = this.options.instruments.get(code);
    let board: Board | null = null;
    try {
      board = boardOf(code);
    } catch {
      // A code with no known board (e.g. SH123456) is unknown however it was listed.
      board = null;
    }
    if (!listing || board === null) {
      state = null;
    } else {
      const n = this.options.calendar.size;
      state = {
        board,
        listing,
        listingIndex: this.options.calendar.indexOf(listing.firstDate),
        seenClose: new Float64Array(n).fill(Number.NaN),
        seenVolume: new Float64Array(n),
        seenLocation: new Array<string | undefined>(n),
        seenLine: new Float64Array(n),
        lastAdjustedClose: this.options.lastAdjustedClose?.get(code),
      };
    }
    this.states.set(code, state);
    return state;
  }

  private check(bar: BarCandidate, state: InstrumentState | null, day: number): { reason: RejectReason; message: string } | null {
    const { code, date } = bar;
    if (!state) return { reason: 'UNKNOWN_INSTRUMENT', message: `instrument ${code} is not in the instrument list` };
    if (day < 0) return { reason: 'NOT_A_TRADING_DAY', message: `${date} is not a trading day of the calendar` };
    for (const field of PRICE_FIELDS) {
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
    const firstClose = state.seenClose[day]!;
    if (!Number.isNaN(firstClose)) {
      const same = firstClose === bar.close && state.seenVolume[day] === (bar.volume ?? -1);
      const line = state.seenLine[day]!;
      const at = `${state.seenLocation[day] ?? '?'}${line > 0 ? `:${line}` : ''}`;
      return same
        ? { reason: 'DUPLICATE', message: `${code} ${date} already read from ${at}` }
        : { reason: 'DUPLICATE_CONFLICT', message: `${code} ${date} already read from ${at} with different values; the first one is kept` };
    }
    state.seenClose[day] = bar.close;
    state.seenVolume[day] = bar.volume ?? -1;
    state.seenLocation[day] = bar.origin.location;
    state.seenLine[day] = bar.origin.line ?? 0;
    return null;
  }

  private accept(bar: BarCandidate, state: InstrumentState, day: number): ValidBar {
    const traded = bar.traded !== false && bar.volume !== null && bar.volume > 0;
    const flags: string[] = [];
    const adjClose = bar.close * (bar.factor ?? 1);
    if (traded && state.board !== 'index' && state.lastAdjustedClose !== undefined) {
      const rule = priceLimitRule({
        code: bar.code,
        board: state.board!,
        date: bar.date,
        isST: bar.isST ?? false,
        listDate: state.listing.firstDate,
        ...(state.listingIndex < 0 ? {} : { sessionsSinceListing: day - state.listingIndex }),
      });
      if (exceedsPriceLimit(adjClose, state.lastAdjustedClose, rule)) flags.push('PRICE_LIMIT_EXCEEDED');
    }
    if (traded) state.lastAdjustedClose = adjClose;
    const valid = bar as ValidBar;
    valid.traded = traded;
    valid.flags = flags;
    return valid;
  }
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

function isSorted(bars: readonly BarCandidate[]): boolean {
  for (let i = 1; i < bars.length; i++) {
    const a = bars[i - 1]!;
    const b = bars[i]!;
    if (a.code > b.code || (a.code === b.code && a.date > b.date)) return false;
  }
  return true;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
