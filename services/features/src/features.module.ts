import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { FeaturesEventsHandler } from './features-events.handler';

@Module({ providers: [FeaturesEventsHandler], exports: [FeaturesEventsHandler] })
export class FeaturesModule {}

export const featuresService: ServiceDefinition = {
  name: 'features',
  module: FeaturesModule,
  defaultHttpPort: 3102,
  consumes: [Topics.dailyBar],
  publishes: [Topics.featuresReady],
};
