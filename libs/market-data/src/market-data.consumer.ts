import type { BusMessage, MessageBus, Subscription } from '@quant/bus';
import type { DailyBar, FundamentalSnapshot, NewsItem } from '@quant/contracts';
import { Topics, serdeFor } from '@quant/contracts';
import { QuantError, describeError } from '@quant/errors';
import { fromDailyBarEvent, fromFundamentalEvent, fromNewsEvent } from './market-events.mapper';
import type { MarketDataRepository } from './market-data.repository';
import { GroupCommitWriter } from '@quant/storage';

/** Header carrying the import run that published a message, so a waiting importer can count its own. */
export const IMPORT_RUN_HEADER = 'quant-import-run';

const GROUP_COMMIT_ROWS = 200_000;

export const MARKET_DATA_TOPICS = [Topics.dailyBar, Topics.fundamental, Topics.news] as const;

export interface MarketDataConsumer {
  /** Messages stored so far that carried this import run id. */
  storedForRun(runId: string): number;
  stop(): Promise<void>;
}

/**
 * Stores market-data events in ClickHouse, a batch at a time (one insert per topic per batch).
 * Idempotent twice over: duplicates inside a batch are dropped by eventId, and the tables are
 * ReplacingMergeTrees on the natural key, so a redelivered batch replaces rather than adds rows.
 * A message that cannot be decoded fails the batch; the bus isolates it and dead-letters it.
 */
export async function startMarketDataConsumer(bus: MessageBus, repository: MarketDataRepository, groupId: string): Promise<MarketDataConsumer> {
  const perRun = new Map<string, number>();
  const bars = serdeFor(Topics.dailyBar);
  const fundamentals = serdeFor(Topics.fundamental);
  const news = serdeFor(Topics.news);

  const decode = <T>(message: BusMessage, serde: { decode(v: Buffer): T }): T => {
    try {
      return serde.decode(message.value);
    } catch (cause) {
      throw new QuantError('EVENT_DECODE_FAILED', `cannot decode ${message.topic} message at ${message.partition}/${message.offset}: ${describeError(cause).message}`, {
        cause,
        details: { topic: message.topic, partition: message.partition, offset: message.offset },
      });
    }
  };

  const barWriter = new GroupCommitWriter<DailyBar>((rows) => repository.insertBars(rows.map(fromDailyBarEvent)), GROUP_COMMIT_ROWS);
  const subscription: Subscription = await bus.subscribe({
    groupId,
    topics: MARKET_DATA_TOPICS.map((t) => t.name),
    maxBatchSize: 20_000,
    handler: async (messages) => {
      const barRows = new Map<string, DailyBar>();
      const fundamentalRows = new Map<string, FundamentalSnapshot>();
      const newsRows = new Map<string, NewsItem>();
      for (const m of messages) {
        if (m.topic === Topics.dailyBar.name) {
          const e = decode(m, bars);
          barRows.set(e.eventId, e);
        } else if (m.topic === Topics.fundamental.name) {
          const e = decode(m, fundamentals);
          fundamentalRows.set(e.eventId, e);
        } else if (m.topic === Topics.news.name) {
          const e = decode(m, news);
          newsRows.set(e.eventId, e);
        }
      }
      await barWriter.add([...barRows.values()]);
      await repository.insertValuations([...fundamentalRows.values()].map(fromFundamentalEvent));
      await repository.insertNews([...newsRows.values()].flatMap(fromNewsEvent));
      for (const m of messages) {
        const run = m.headers[IMPORT_RUN_HEADER];
        if (run !== undefined) perRun.set(run, (perRun.get(run) ?? 0) + 1);
      }
    },
  });

  return {
    storedForRun: (runId) => perRun.get(runId) ?? 0,
    stop: () => subscription.stop(),
  };
}
