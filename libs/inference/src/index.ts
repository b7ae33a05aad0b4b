/** Inference: production models from the registry scored with onnxruntime-node, predictions and next-day recommendations. */
export type {
  ApplyCalibration,
  FeatureReader,
  Listing,
  MarketBar,
  MarketReader,
  ModelArtefacts,
  ModelDescriptor,
  ModelSource,
  StoredFeatures,
} from './inference.ports';
export { servedModelSpec } from './served-model';
export type { ServedModelSpec } from './served-model';
export { ENSEMBLE_NAME } from './model-set';
export { InferenceEngine } from './inference.engine';
export type {
  ExcludedItem,
  InferenceEngineOptions,
  InlineFeatures,
  ModelRef,
  PredictInput,
  PredictOutput,
  RecommendInput,
  RecommendOutput,
  RecommendedItem,
  ScoredInstrument,
  ServedModelInfo,
} from './inference.engine';
export { STRATEGIES, buildPortfolio } from './recommend/portfolio.strategy';
export type { Decision, Exclusion, HoldingInput, RankedCandidate, StrategyName, StrategyOptions, StrategyResult } from './recommend/portfolio.strategy';
export { VOLATILITY_WINDOW, marketSnapshot, nextTradingDay, tradability } from './recommend/tradability';
export type { Tradability, TradabilityFlag, TradabilityInput } from './recommend/tradability';
export type { Scorer } from './scoring/scorer.port';
export { InThreadScorer } from './scoring/in-thread.scorer';
export { WorkerPoolScorer } from './scoring/worker-pool.scorer';
export { HybridScorer } from './scoring/hybrid.scorer';
