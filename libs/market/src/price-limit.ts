import { QuantError } from '@quant/errors';
import type { Board } from './instrument-code';
import { boardOf } from './instrument-code';

/** What a limit check needs to know about an instrument on a day. */
export interface LimitContext {
  code: string;
  /** The trading day, `YYYY-MM-DD`. */
  date: string;
  /** Under risk warning (ST / *ST) on that day. */
  isST?: boolean;
  /** Listing day, when known; decides which listing regime applies to new stocks. */
  listDate?: string;
  /** Sessions since listing: 0 on the listing day. Undefined means a seasoned stock. */
  sessionsSinceListing?: number;
  /** The code's board when the caller already knows it (saves parsing the code on hot paths). */
  board?: Board;
}

/** Daily move limits as fractions of the previous close; null means no limit on that side. */
export interface PriceLimitRule {
  up: number | null;
  down: number | null;
  /** Which rule applied, for logs and rejection reasons. */
  rule: string;
}

// Dates on which the rules changed (exchange announcements).
export const CHINEXT_REFORM_DATE = '2020-08-24'; // ChiNext registration system: 20% limits, 5 free days
export const STAR_OPEN_DATE = '2019-07-22'; // STAR Market opens with 20% limits and 5 free days
export const IPO_FIRST_DAY_CAP_DATE = '2014-01-01'; // first-day cap +44% / -36% on main board and ChiNext
export const MAIN_REGISTRATION_DATE = '2023-04-10'; // main-board registration system: 5 free days
export const MAIN_ST_10PCT_DATE = '2025-07-07'; // SSE/SZSE main-board ST limit widened from 5% to 10%

const NO_LIMIT = (rule: string): PriceLimitRule => ({ up: null, down: null, rule });
const SYMMETRIC = (pct: number, rule: string): PriceLimitRule => ({ up: pct, down: pct, rule });

function isNewListing(ctx: LimitContext, freeSessions: number, regimeStart: string): boolean {
  if (ctx.sessionsSinceListing === undefined || ctx.sessionsSinceListing >= freeSessions) return false;
  return (ctx.listDate ?? ctx.date) >= regimeStart;
}

/**
 * The price-limit rule for an instrument on a day: board, ST status, listing age and date all matter.
 * Indices have no limit (they are not tradable).
 */
export function priceLimitRule(ctx: LimitContext): PriceLimitRule {
  const board = ctx.board ?? boardOf(ctx.code);
  const st = ctx.isST === true;
  const age = ctx.sessionsSinceListing;
  switch (board) {
    case 'index':
      return NO_LIMIT('index');
    case 'star':
      if (isNewListing(ctx, 5, STAR_OPEN_DATE)) return NO_LIMIT('star-first-5-sessions');
      return SYMMETRIC(0.2, 'star-20');
    case 'chinext':
      if (ctx.date >= CHINEXT_REFORM_DATE) {
        if (isNewListing(ctx, 5, CHINEXT_REFORM_DATE)) return NO_LIMIT('chinext-first-5-sessions');
        return SYMMETRIC(0.2, 'chinext-20');
      }
      if (age === 0) return firstDayBeforeRegistration(ctx.date);
      return st ? SYMMETRIC(0.05, 'chinext-st-5') : SYMMETRIC(0.1, 'chinext-10');
    case 'sse-main':
    case 'szse-main':
      if (isNewListing(ctx, 5, MAIN_REGISTRATION_DATE)) return NO_LIMIT('main-first-5-sessions');
      if (age === 0 && ctx.date < MAIN_REGISTRATION_DATE) return firstDayBeforeRegistration(ctx.date);
      if (st) return ctx.date >= MAIN_ST_10PCT_DATE ? SYMMETRIC(0.1, 'main-st-10') : SYMMETRIC(0.05, 'main-st-5');
      return SYMMETRIC(0.1, 'main-10');
    case 'bse':
      if (age === 0) return NO_LIMIT('bse-first-day');
      return SYMMETRIC(0.3, 'bse-30');
    case 'b-share':
      return SYMMETRIC(0.1, 'b-share-10');
  }
}

function firstDayBeforeRegistration(date: string): PriceLimitRule {
  if (date >= IPO_FIRST_DAY_CAP_DATE) return { up: 0.44, down: 0.36, rule: 'ipo-first-day-44-36' };
  return NO_LIMIT('ipo-first-day');
}

/**
 * Limit prices from a raw previous close, rounded to the fen (0.01 CNY) half-up as the exchanges
 * publish them. Integer arithmetic in fen avoids 10.00 * 1.1 = 11.000000000000002 style errors.
 */
export function limitPrices(prevClose: number, rule: PriceLimitRule): { up: number | null; down: number | null } {
  if (!Number.isFinite(prevClose) || prevClose <= 0) {
    throw new QuantError('PRICE_INVALID', `previous close must be a positive number, got ${prevClose}`);
  }
  const fen = Math.round(prevClose * 100);
  const at = (fraction: number, sign: 1 | -1): number => {
    // fraction has at most 2 decimals of percent (0.44, 0.05...): scale to basis points exactly.
    const bp = Math.round(fraction * 10_000);
    return Math.floor((fen * (10_000 + sign * bp)) / 10_000 + 0.5) / 100;
  };
  return { up: rule.up === null ? null : at(rule.up, 1), down: rule.down === null ? null : at(rule.down, -1) };
}

/** True when a raw price sits at (or beyond) the up-limit: nobody can buy there. */
export function isAtUpLimit(price: number, prevClose: number, rule: PriceLimitRule): boolean {
  const { up } = limitPrices(prevClose, rule);
  return up !== null && price >= up - 0.005;
}

/** True when a raw price sits at (or beyond) the down-limit: nobody can sell there. */
export function isAtDownLimit(price: number, prevClose: number, rule: PriceLimitRule): boolean {
  const { down } = limitPrices(prevClose, rule);
  return down !== null && price <= down + 0.005;
}

/**
 * True when a day's move exceeds what the rule allows. Works on ratios so that adjusted prices can
 * be checked too; `slack` absorbs the rounding of limit prices to the fen on cheap stocks.
 */
export function exceedsPriceLimit(close: number, prevClose: number, rule: PriceLimitRule, slack = 0.011): boolean {
  const change = close / prevClose - 1;
  if (rule.up !== null && change > rule.up + slack) return true;
  if (rule.down !== null && change < -rule.down - slack) return true;
  return false;
}
