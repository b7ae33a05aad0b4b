import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { TrainingEventsHandler } from './training-events.handler';

@Module({ providers: [TrainingEventsHandler], exports: [TrainingEventsHandler] })
export class TrainingModule {}

export const trainingService: ServiceDefinition = {
  name: 'training',
  module: TrainingModule,
  defaultHttpPort: 3103,
  consumes: [Topics.retrainTrigger],
  publishes: [Topics.modelLifecycle],
};
