export { FEATURE_STORE_MIGRATIONS } from './feature-store.migrations';
export { FeatureRepository, FEATURE_INSERT_ROWS } from './feature.repository';
export type { FeatureRow, StoredFeatureRow } from './feature.repository';
export type { BarRecord, MarketDataReader } from './market-data.reader';
export { BAR_FIELDS, barToDayInput, barsToSeries, missingDay } from './bar-series.mapper';
export { buildFeatures, sessionIndex, setWarmup, warmupStart } from './feature-build.job';
export type { BuildFeaturesOptions, BuildFeaturesReport } from './feature-build.job';
export { IncrementalFeatureEngine } from './incremental-features.engine';
export type { IncrementalAction, IncrementalResult } from './incremental-features.engine';
