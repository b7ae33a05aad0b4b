/**
 * The market-data source port: one adapter per vendor or file layout (Qlib binary, CSV directory,
 * baostock CSV, news CSV, TuShare Pro, real-time quotes). Adapters only read and normalise; they do
 * not validate semantics (that is ingestion's job) but they never drop a record silently: whatever
 * cannot be read becomes a SourceProblem with a reason code and its origin.
 */

/** Where a record came from, precise enough for a person to open the file at the right place. */
export interface RecordOrigin {
  source: string;
  /** File path or URL. */
  location: string;
  /** 1-based line for text files. */
  line?: number;
  /** Byte offset for binary files. */
  offset?: number;
}

/** One daily bar as the source has it, normalised to raw (unadjusted) prices in CNY. */
export interface RawBar {
  /** Canonical code, `SH600000`. */
  code: string;
  /** `YYYY-MM-DD`. */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares; null when the source has none (some Qlib rows). 0 on suspended days. */
  volume: number | null;
  /** CNY; null when the source has none. */
  amount: number | null;
  /** Cumulative adjustment factor (adjusted price = raw x factor); null when unknown. */
  factor: number | null;
  /** Previous close as the source states it, when it does (baostock). */
  preClose?: number | null;
  /** ST / *ST status that day, when the source says. */
  isST?: boolean | null;
  /** The source's own trading status flag (baostock tradestatus), when present. */
  traded?: boolean | null;
  origin: RecordOrigin;
}

/** Valuation snapshot (baostock daily, TuShare daily_basic). Ratios as published (TTM/MRQ). */
export interface RawValuation {
  code: string;
  date: string;
  peTTM: number | null;
  pbMRQ: number | null;
  psTTM: number | null;
  pcfNcfTTM: number | null;
  /** Turnover in percent of free float. */
  turnover: number | null;
  totalMarketValue?: number | null;
  circulatingMarketValue?: number | null;
  origin: RecordOrigin;
}

export interface RawNewsItem {
  /** Canonical code the item is tagged with. */
  code: string;
  /** Calendar date the item was published (`YYYY-MM-DD`); may be a non-trading day. */
  publishedDate: string;
  /** Epoch ms when known precisely; null when only the date is known. */
  publishedAt: number | null;
  title: string | null;
  text: string;
  /** A label supplied by the dataset (1 positive, 0 negative), when present. */
  label?: number | null;
  origin: RecordOrigin;
}

/** Something that could not be read, kept with its reason instead of being dropped. */
export interface SourceProblem {
  /** Stable code, e.g. `BIN_TRUNCATED`, `CSV_BAD_NUMBER`, `CODE_UNKNOWN`. */
  code: string;
  message: string;
  origin: RecordOrigin;
  /** The raw text of the line or a short description of the bytes, when useful. */
  raw?: string;
}

export interface InstrumentInfo {
  code: string;
  /** First and last day the source has for it. */
  firstDate: string;
  lastDate: string;
  name?: string | null;
}

/** A membership spell of a universe (index) file: point in time, both ends inclusive. */
export interface UniverseSpell {
  code: string;
  start: string;
  end: string;
}

export interface ReadOptions {
  /** Canonical codes to read; all when absent. */
  codes?: readonly string[];
  /** Inclusive date bounds. */
  from?: string;
  to?: string;
}

/** What a source yields: a batch per file or instrument, so memory stays bounded. */
export interface SourceBatch {
  bars: RawBar[];
  valuations: RawValuation[];
  news: RawNewsItem[];
  problems: SourceProblem[];
}

export interface DataSource {
  readonly name: string;
  /** The trading calendar the source knows (may be empty for sources without one). */
  calendar(): Promise<string[]>;
  instruments(): Promise<InstrumentInfo[]>;
  /**
   * Point-in-time membership of a named universe (csi300...), when the source has it. Lines that
   * cannot be read (e.g. a code that is no instrument code) are skipped and passed to `onProblem`.
   */
  universe?(name: string, onProblem?: (problem: SourceProblem) => void): Promise<UniverseSpell[]>;
  read(options?: ReadOptions): AsyncIterable<SourceBatch>;
}

/** One real-time quote snapshot (intraday), raw prices in CNY. */
export interface RawQuote {
  /** Canonical code, `SH600000`. */
  code: string;
  /** Epoch ms of the quote as the vendor stamps it (not when it was polled). */
  time: number;
  price: number;
  open: number | null;
  high: number | null;
  low: number | null;
  preClose: number | null;
  /** Cumulative shares traded today. */
  volume: number | null;
  /** Cumulative CNY traded today. */
  amount: number | null;
  origin: RecordOrigin;
}

/** What one poll yields: the quotes that changed since the last poll, and what could not be read. */
export interface QuoteBatch {
  /** Epoch ms when the poll completed. */
  polledAt: number;
  quotes: RawQuote[];
  problems: SourceProblem[];
}

/** The real-time side of the port: a stream of polls that ends when the caller stops iterating or aborts. */
export interface QuoteSource {
  readonly name: string;
  poll(signal?: AbortSignal): AsyncIterable<QuoteBatch>;
}
