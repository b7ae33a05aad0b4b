import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { MonitoringEventsHandler } from './monitoring-events.handler';

@Module({ providers: [MonitoringEventsHandler], exports: [MonitoringEventsHandler] })
export class MonitoringModule {}

export const monitoringService: ServiceDefinition = {
  name: 'monitoring',
  module: MonitoringModule,
  defaultHttpPort: 3106,
  consumes: [Topics.prediction, Topics.alert, Topics.modelLifecycle],
  publishes: [Topics.alert, Topics.retrainTrigger],
};
