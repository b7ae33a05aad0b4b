export type {
  DataSource,
  SourceBatch,
  RawBar,
  RawValuation,
  RawNewsItem,
  RawQuote,
  QuoteBatch,
  QuoteSource,
  SourceProblem,
  RecordOrigin,
  InstrumentInfo,
  UniverseSpell,
  ReadOptions,
} from './data-source.port';
export { createQlibSource, QlibBinarySource } from './qlib-binary.source';
export type { QlibSourceOptions } from './qlib-binary.source';
export { createCsvSource, CsvDirectorySource, CSV_BAR_SPEC } from './csv-directory.source';
export type { CsvSourceOptions } from './csv-directory.source';
export { createBaostockSource, BaostockCsvSource, BAOSTOCK_SPEC } from './baostock-csv.source';
export type { BaostockSourceOptions } from './baostock-csv.source';
export { createNewsSource, NewsCsvSource } from './news-csv.source';
export type { NewsSourceOptions } from './news-csv.source';
export { newsItemId } from './news-item-id.util';
export { TushareClient, TUSHARE_FIELDS, TUSHARE_RATE_LIMIT_CODE } from './tushare.client';
export type { TushareClientOptions, TushareRow, TushareRowOf, TushareParams, TushareValue } from './tushare.client';
export { createTushareSource, TushareSource, shanghaiToday } from './tushare.source';
export type { TushareSourceOptions } from './tushare.source';
export { createQuotePoller, createHttpQuoteFetcher } from './quote-poller.source';
export type { QuotePollerOptions, FetchQuotes, QuoteFetchResult, HttpQuoteFetcherOptions } from './quote-poller.source';
export { TokenBucket, systemClock } from './token-bucket.limiter';
export type { Clock, TokenBucketOptions } from './token-bucket.limiter';
export { CsvRecordParser } from './csv-record.parser';
export type { CsvRecord } from './csv-record.parser';
export { stockCodeFromSymbol, parseDateText, parseDecimal } from './source-values.util';
