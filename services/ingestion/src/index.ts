export { IngestionModule, ingestionService } from './ingestion.module';
export { DailyBarPublisher } from './daily-bar.publisher';
