import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { InferenceEventsHandler } from './inference-events.handler';

@Module({ providers: [InferenceEventsHandler], exports: [InferenceEventsHandler] })
export class InferenceModule {}

export const inferenceService: ServiceDefinition = {
  name: 'inference',
  module: InferenceModule,
  defaultHttpPort: 3104,
  consumes: [Topics.featuresReady],
  publishes: [Topics.prediction, Topics.recommendation],
};
