import type { MembershipSpan } from '@quant/market';

/**
 * What feature computation reads of the market data. `MarketDataRepository` of @quant/market-data
 * satisfies it structurally; apps pass one in (a runtime lib may not import another runtime lib),
 * and tests pass an in-memory double.
 */
export interface BarRecord {
  code: string;
  /** YYYY-MM-DD */
  date: string;
  /** Raw prices; adjusted = raw x factor. */
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares; 0 or null on a day without trading. */
  volume: number | null;
  /** CNY traded; null when the source has none (then VWAP is missing). */
  amount: number | null;
  factor: number | null;
  /** The store's flag; volume 0 or null is what marks a day without trading for features. */
  traded: boolean;
  /** Under risk warning (ST) that day, when the source knows; feeds the market family's `isst`. */
  isST?: boolean | null;
}

/** One day of baostock valuation fields of an instrument; null where the source has none. */
export interface ValuationRecord {
  code: string;
  /** YYYY-MM-DD */
  date: string;
  peTTM: number | null;
  pbMRQ: number | null;
  psTTM: number | null;
  pcfNcfTTM: number | null;
  turnover: number | null;
}

/** A stored news item of an instrument: only its publication day matters to features. */
export interface NewsRecord {
  code: string;
  /** YYYY-MM-DD */
  publishedDate: string;
  title: string | null;
  text: string;
}

export interface MarketDataReader {
  /** Stored bars of one instrument, ascending, both ends included. */
  bars(code: string, from: string, to: string): Promise<BarRecord[]>;
  /** Trading sessions, ascending. */
  calendar(market: string): Promise<string[]>;
  /** Members of a universe on a day (point in time). */
  universeOn(universe: string, date: string): Promise<string[]>;
  /** Optional: membership spans overlapping [from, to] in one read (else one universeOn per session). */
  universeSpans?(universe: string, from: string, to: string): Promise<MembershipSpan[]>;
  instruments(): Promise<Array<{ code: string; firstDate: string; lastDate: string }>>;
  /** Stored valuations of one instrument, ascending, both ends included (sets with `valuation.*` inputs). */
  valuations?(code: string, from: string, to: string): Promise<ValuationRecord[]>;
  /** Stored news items of one instrument published in [from, to] (sets with `sentiment.*` inputs). */
  news?(code: string, from: string, to: string): Promise<NewsRecord[]>;
}
