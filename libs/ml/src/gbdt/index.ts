export { TreeEnsembleModel, GbdtModel, RandomForestModel, gbdtFactory, randomForestFactory, GBDT_FACTORIES } from './tree.model';
export type { TreeModelKind } from './tree.model';
export { GBDT_DEFAULTS, FOREST_DEFAULTS } from './params';
export type { TreeParams } from './params';
export { CompiledEnsemble } from './ensemble';
export { computeFeatureBins, binMatrix, binOf, FLOAT32_MAX } from './binning';
export type { FeatureBins, BinnedMatrix } from './binning';
export { meanNdcg } from './objectives';
export { mulberry32 } from './prng';
