import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { DailyBarPublisher } from './daily-bar.publisher';

@Module({ providers: [DailyBarPublisher], exports: [DailyBarPublisher] })
export class IngestionModule {}

export const ingestionService: ServiceDefinition = {
  name: 'ingestion',
  module: IngestionModule,
  defaultHttpPort: 3101,
  consumes: [],
  publishes: [Topics.dailyBar],
};
