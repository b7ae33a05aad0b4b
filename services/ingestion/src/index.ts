export { IngestionModule, ingestionService } from './ingestion.module';
export { MarketDataStoreWriter, STORE_WRITER_GROUP } from './market-data.store-writer';
export { ImportController } from './import.controller';
