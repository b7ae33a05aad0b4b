export { MarketDataRepository, toDateTime } from './market-data.repository';
export type { StoredBar, StoredValuation, StoredNewsItem, InstrumentCoverage } from './market-data.repository';
export { MARKET_DATA_MIGRATIONS } from './market-data.migrations';
export { importMarketData, formatOrigin } from './market-data.importer';
export type { ImportOptions, ImportReport, RejectRecord } from './market-data.importer';
export { startMarketDataConsumer, IMPORT_RUN_HEADER, MARKET_DATA_TOPICS } from './market-data.consumer';
export type { MarketDataConsumer } from './market-data.consumer';
export { runImportJob, storeStatus, createSource, SOURCE_KINDS } from './market-data.job';
export type { ImportJobOptions, ImportJobReport, SourceKind } from './market-data.job';
export {
  barEventId,
  toDailyBarEvent,
  fromDailyBarEvent,
  toFundamentalEvent,
  fromFundamentalEvent,
  toNewsEvent,
  fromNewsEvent,
  shanghaiDate,
  shanghaiMidnight,
} from './market-events.mapper';
