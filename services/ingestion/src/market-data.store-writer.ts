import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { MessageBus } from '@quant/bus';
import type { MarketDataConsumer } from '@quant/market-data';
import { MarketDataRepository, startMarketDataConsumer } from '@quant/market-data';
import { MESSAGE_BUS, STORE } from '@quant/runtime';
import type { Store } from '@quant/storage';

export const STORE_WRITER_GROUP = 'quant.ingestion.store';

/**
 * Stores the market-data events (bars, valuations, news) in ClickHouse. It consumes in large batches
 * with its own consumer group rather than through the per-event handler registry: one insert per
 * batch is what keeps ClickHouse fast.
 */
@Injectable()
export class MarketDataStoreWriter implements OnModuleInit, OnModuleDestroy {
  readonly repository: MarketDataRepository;
  private consumer: MarketDataConsumer | null = null;

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(STORE) store: Store,
  ) {
    this.repository = new MarketDataRepository(store);
  }

  async onModuleInit(): Promise<void> {
    await this.repository.migrate();
    this.consumer = await startMarketDataConsumer(this.bus, this.repository, STORE_WRITER_GROUP);
  }

  /** Events of an import run stored so far (for callers that wait for their import). */
  storedForRun(runId: string): number {
    return this.consumer?.storedForRun(runId) ?? 0;
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = null;
  }
}
