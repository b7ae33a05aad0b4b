import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { ImportController } from './import.controller';
import { MarketDataStoreWriter } from './market-data.store-writer';

@Module({ controllers: [ImportController], providers: [MarketDataStoreWriter], exports: [MarketDataStoreWriter] })
export class IngestionModule {}

/**
 * Ingestion: `POST /imports` publishes validated market data as Avro events (rejects to the
 * dead-letter topic); the store writer consumes them into ClickHouse idempotently.
 */
export const ingestionService: ServiceDefinition = {
  name: 'ingestion',
  module: IngestionModule,
  defaultHttpPort: 3101,
  consumes: [],
  publishes: [Topics.dailyBar, Topics.fundamental, Topics.news],
};
