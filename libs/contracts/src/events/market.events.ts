// Hand-written mirrors of proto/avro/quant/market/v1/*.avsc; test/event-types.spec.ts keeps them in step.
// Conventions: dates are 'YYYY-MM-DD' strings (Asia/Shanghai trading days), timestamps are epoch ms,
// codes are exchange prefix + 6 digits ('SH600000', 'SZ000001', 'BJ430047'), money is CNY.

/** quant.market.v1.DailyBar: one trading day of one instrument, raw (unadjusted) prices. */
export interface DailyBar {
  eventId: string;
  code: string;
  /** YYYY-MM-DD */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares, not lots. */
  volume: number;
  /** CNY; null when the source does not report it. */
  amount: number | null;
  /** Adjusted price = raw price * factor. */
  factor: number;
  /** False on a suspended day. */
  traded: boolean;
  source: string;
  /** Epoch ms. */
  ingestedAt: number;
  /** ST / *ST that day; null when the source does not say (r2). */
  isST: boolean | null;
  /** Validation warnings, e.g. PRICE_LIMIT_EXCEEDED, VOLUME_MISSING (r2). */
  flags: string[];
}

/** quant.market.v1.TradingPhase. UNKNOWN is also what a phase added later reads as. */
export type TradingPhase = 'PRE_OPEN' | 'OPENING_AUCTION' | 'CONTINUOUS' | 'BREAK' | 'CLOSING_AUCTION' | 'CLOSED' | 'HALTED' | 'UNKNOWN';

/** quant.market.v1.Quote: real-time level-1 snapshot. */
export interface Quote {
  eventId: string;
  code: string;
  /** YYYY-MM-DD */
  tradingDay: string;
  /** Exchange timestamp, epoch ms. */
  exchangeTime: number;
  phase: TradingPhase;
  last: number;
  open: number | null;
  high: number | null;
  low: number | null;
  preClose: number;
  /** Null when the day has no limit (first days after a ChiNext/STAR listing). */
  upperLimit: number | null;
  lowerLimit: number | null;
  /** Cumulative shares of the day. */
  volume: number;
  /** Cumulative CNY of the day. */
  amount: number;
  /** Best first. */
  bidPrices: number[];
  bidVolumes: number[];
  askPrices: number[];
  askVolumes: number[];
  source: string;
  /** Epoch ms. */
  receivedAt: number;
}

/** quant.market.v1.FundamentalSnapshot: point-in-time valuation and fundamentals; ratios are fractions. */
export interface FundamentalSnapshot {
  eventId: string;
  code: string;
  /** Trading day the snapshot is valid for, YYYY-MM-DD. */
  date: string;
  /** End of the financial period of the latest report used, YYYY-MM-DD. */
  reportPeriod: string | null;
  /** Publication day of that report, YYYY-MM-DD, never after `date`. */
  announcedDate: string | null;
  /** ST or *ST on this day. */
  specialTreatment: boolean;
  industry: string | null;
  peTtm: number | null;
  pb: number | null;
  psTtm: number | null;
  dividendYieldTtm: number | null;
  totalShares: number | null;
  floatShares: number | null;
  totalMarketCap: number | null;
  floatMarketCap: number | null;
  turnoverRate: number | null;
  roeTtm: number | null;
  epsTtm: number | null;
  bps: number | null;
  revenueYoy: number | null;
  netProfitYoy: number | null;
  /** Further source-specific indicators by name. */
  extra: Record<string, number>;
  source: string;
  /** Epoch ms. */
  ingestedAt: number;
}
