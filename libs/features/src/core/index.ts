export * from './rolling.kernels';
export * as ops from './series.operators';
export { SeriesWindow } from './operator.stream';
export { HistoryBuffer } from './history.buffer';
export { createRowCalculator, checkSeries, seriesField } from './row.calculator';
export type { RowSpec } from './row.calculator';
export { seriesFromBars, PRICE_FIELDS } from './series-input.util';
export type { BarLike, SeriesFromBarsOptions } from './series-input.util';
export { createFeatureSet, batchFeatureSet, streamFeatureSet, featureSetWarmup } from './feature-set.registry';
