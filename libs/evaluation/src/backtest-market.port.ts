/**
 * What the backtest needs to know about the market, as a small port the caller adapts its bars to.
 * Prices are RAW (unadjusted) CNY: price limits, lots and costs apply to the prices that traded.
 * The adjustment factor (adjusted = raw * factor) carries corporate actions into holdings.
 */
export interface DayQuote {
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares traded; a day with volume 0 is a suspended day. Null when the source does not say. */
  volume: number | null;
  /** False on a suspended day (no trade possible; a held position keeps its last price). */
  traded: boolean;
  /** Under risk warning (ST / *ST) that day: decides the price limit. */
  isST: boolean;
  /** Adjusted price = raw price * factor. A change between two days is a split, bonus or dividend. */
  factor: number;
  /**
   * The exchange's reference previous close (raw, ex-rights) when the source has it. Otherwise the
   * engine derives it from the last traded raw close and the factors: close_prev * factor_prev / factor.
   */
  prevClose?: number;
}

export interface BacktestMarket {
  /** Every trading session the data covers, ascending; may start before the backtest. */
  readonly sessions: readonly string[];
  /** The instrument's bar that day, or undefined when it has none (not listed, delisted, no data). */
  quote(code: string, date: string): DayQuote | undefined;
  /** The benchmark index close that day, or undefined when missing. */
  benchmarkClose(date: string): number | undefined;
  /** Listing day, when known: decides the no-limit sessions of a new listing. */
  listDate?(code: string): string | undefined;
}

/**
 * One bar for `inMemoryBacktestMarket`. A stored bar fits as it is: a missing factor reads as 1 and a
 * missing ST flag as not ST.
 */
export interface MarketBar extends Omit<DayQuote, 'factor' | 'isST'> {
  code: string;
  date: string;
  factor: number | null;
  isST: boolean | null;
}

/**
 * A `BacktestMarket` over bars held in memory (tests, and callers that load a period's bars at once).
 * Sessions are the dates that have a benchmark close or a bar, unless given.
 */
export function inMemoryBacktestMarket(input: {
  bars: readonly MarketBar[];
  benchmark: readonly { date: string; close: number }[];
  sessions?: readonly string[];
  listDates?: Readonly<Record<string, string>>;
}): BacktestMarket {
  const quotes = new Map<string, DayQuote>();
  for (const b of input.bars) {
    const quote: DayQuote = { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, traded: b.traded, isST: b.isST ?? false, factor: b.factor ?? 1 };
    if (b.prevClose !== undefined) quote.prevClose = b.prevClose;
    quotes.set(`${b.code}|${b.date}`, quote);
  }
  const bench = new Map(input.benchmark.map((b) => [b.date, b.close]));
  const sessions = input.sessions ?? [...new Set([...bench.keys(), ...input.bars.map((b) => b.date)])].sort();
  const listDates = input.listDates ?? {};
  return {
    sessions,
    quote: (code, date) => quotes.get(`${code}|${date}`),
    benchmarkClose: (date) => bench.get(date),
    listDate: (code) => listDates[code],
  };
}
