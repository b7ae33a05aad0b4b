import { QuantError } from '@quant/errors';
import { boardOf } from './instrument-code';

/** Buy-side quantity rule: at least `minBuy` shares, then in steps of `increment`. */
export interface LotRule {
  minBuy: number;
  increment: number;
}

/**
 * Main board and ChiNext buy in round lots of 100; STAR buys at least 200 then any share count
 * (SSE STAR rules 2019); BSE at least 100 then any count. Selling an odd remainder is always allowed.
 */
export function lotRule(code: string): LotRule {
  switch (boardOf(code)) {
    case 'star':
      return { minBuy: 200, increment: 1 };
    case 'bse':
      return { minBuy: 100, increment: 1 };
    case 'index':
      throw new QuantError('NOT_TRADABLE', `${code} is an index and cannot be traded`, { details: { code } });
    default:
      return { minBuy: 100, increment: 100 };
  }
}

/** The largest valid buy quantity not above `shares` (0 when below the minimum). */
export function roundBuyQuantity(code: string, shares: number): number {
  const { minBuy, increment } = lotRule(code);
  if (!(shares >= minBuy)) return 0;
  return Math.floor(shares / increment) * increment;
}

/** A sell must be a whole number of lots unless it sells the entire position. */
export function isValidSellQuantity(code: string, shares: number, held: number): boolean {
  if (!Number.isInteger(shares) || shares <= 0 || shares > held) return false;
  if (shares === held) return true;
  // STAR and BSE sell any count of at least the minimum; the rest of the market sells whole lots.
  const { minBuy, increment } = lotRule(code);
  return shares >= minBuy && shares % increment === 0;
}
