export { FeaturesModule, createFeaturesService, featuresService } from './features.module';
export type { FeaturesServiceOptions } from './features.module';
export { FEATURE_SET_RESOLVER, FeaturesEventsHandler } from './features-events.handler';
export type { FeatureSetResolver } from './features-events.handler';
export { FeaturesReadyTracker } from './features-ready.tracker';
export { featuresEnv } from './features.config';
