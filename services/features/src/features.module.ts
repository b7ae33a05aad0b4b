import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import { featureSet } from '@quant/features';
import type { ServiceDefinition } from '@quant/runtime';
import type { FeaturesEnv } from './features.config';
import { featuresEnv } from './features.config';
import type { FeatureSetResolver } from './features-events.handler';
import { FEATURE_SET_RESOLVER, FeaturesEventsHandler } from './features-events.handler';

/** The catalogue of @quant/features (an unknown name fails boot with FEATURE_SET_UNKNOWN and the known names). */
const catalogueResolver: FeatureSetResolver = (name) => featureSet(name);

@Module({})
export class FeaturesModule {
  static forRoot(resolveSet: FeatureSetResolver = catalogueResolver): DynamicModule {
    return {
      module: FeaturesModule,
      providers: [{ provide: FEATURE_SET_RESOLVER, useValue: resolveSet }, FeaturesEventsHandler],
      exports: [FeaturesEventsHandler],
    };
  }
}

export interface FeaturesServiceOptions {
  /** Where set names resolve; tests pass a stand-in set. */
  resolveSet?: FeatureSetResolver;
}

export function createFeaturesService(options: FeaturesServiceOptions = {}): ServiceDefinition<FeaturesEnv> {
  return {
    name: 'features',
    module: FeaturesModule.forRoot(options.resolveSet),
    defaultHttpPort: 3102,
    consumes: [Topics.dailyBar],
    publishes: [Topics.featuresReady],
    env: featuresEnv,
  };
}

export const featuresService = createFeaturesService();
