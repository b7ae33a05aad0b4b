import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { DailyBar } from '@quant/contracts';
import { Topics } from '@quant/contracts';
import type { FeatureSet } from '@quant/features';
import { FeatureRepository, IncrementalFeatureEngine } from '@quant/feature-store';
import type { BarRecord, FeatureRow } from '@quant/feature-store';
import { MarketDataRepository } from '@quant/market-data';
import type { EventContext, EventPublisher, HandlerRegistry, JsonLogger, ServiceConfig } from '@quant/runtime';
import { EVENT_PUBLISHER, EventTally, HANDLER_REGISTRY, RUNTIME_CONFIG, RUNTIME_LOGGER, STORE } from '@quant/runtime';
import type { Store } from '@quant/storage';
import { GroupCommitWriter } from '@quant/storage';
import type { FeaturesEnv } from './features.config';
import { FeaturesReadyTracker } from './features-ready.tracker';

/** Resolves a configured set name to its definition (the catalogue of @quant/features by default). */
export type FeatureSetResolver = (name: string) => FeatureSet | Promise<FeatureSet>;
export const FEATURE_SET_RESOLVER = 'quant.features.set-resolver';

/** Event ids remembered for deduplication (a few days of the whole market). */
const DEDUP_CAPACITY = 50_000;

interface Pipeline {
  set: FeatureSet;
  engine: IncrementalFeatureEngine;
  /** Group commit: rows of concurrently handled partitions share inserts; each handler waits for its own. */
  writer: GroupCommitWriter<FeatureRow>;
  ready: FeaturesReadyTracker;
}

function toBarRecord(e: DailyBar): BarRecord {
  return { code: e.code, date: e.date, open: e.open, high: e.high, low: e.low, close: e.close, volume: e.volume, amount: e.amount, factor: e.factor, traded: e.traded };
}

/**
 * Daily bars in, one new day of features per instrument out. Each configured set keeps a streaming
 * state per instrument (warmed from the stored bars on first sight, rebuilt after a gap), computes only
 * the bar's day, stores the row (group commit across partitions) and tells the ready tracker, which
 * publishes `featuresReady` when the day is complete (see FeaturesReadyTracker for the rule).
 * Redeliveries are dropped by eventId once their row is stored; the table is a ReplacingMergeTree,
 * so one that slips through (after a restart) rewrites the same row.
 */
@Injectable()
export class FeaturesEventsHandler implements OnModuleInit, OnModuleDestroy {
  /** Deliveries per topic, redeliveries included (health, tests). */
  readonly tally = new EventTally();
  readonly pipelines: Pipeline[] = [];
  private readonly processed = new Map<string, true>();
  private readonly log: JsonLogger;
  private readonly repository: FeatureRepository;
  private readonly market: MarketDataRepository;

  constructor(
    @Inject(HANDLER_REGISTRY) registry: HandlerRegistry,
    @Inject(RUNTIME_LOGGER) logger: JsonLogger,
    @Inject(RUNTIME_CONFIG) private readonly config: ServiceConfig<FeaturesEnv>,
    @Inject(STORE) private readonly store: Store,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(FEATURE_SET_RESOLVER) private readonly resolveSet: FeatureSetResolver,
  ) {
    this.log = logger.child(FeaturesEventsHandler.name);
    this.repository = new FeatureRepository(store);
    this.market = new MarketDataRepository(store);
    registry.handle(Topics.dailyBar, (bar, context) => this.onBar(bar, context));
  }

  async onModuleInit(): Promise<void> {
    // Each module migrates its own block of the shared ledger: market data is read, features written.
    await this.market.migrate();
    await this.repository.migrate();
    const { QUANT_FEATURE_SETS: names, QUANT_FEATURES_UNIVERSE: universe, QUANT_FEATURES_READY_QUIET_MS: quietMs } = this.config.extra;
    for (const name of names) {
      const set = await this.resolveSet(name);
      const columns = set.definitions().map((d) => d.name);
      await this.repository.saveColumns(set.name, set.version, columns);
      this.pipelines.push({
        set,
        engine: new IncrementalFeatureEngine(set, this.market),
        writer: new GroupCommitWriter<FeatureRow>((rows) => this.repository.write(set.name, set.version, columns.length, rows), 20_000),
        ready: new FeaturesReadyTracker({
          set: set.name,
          version: set.version,
          names: columns,
          expectedOn: (date) => this.expectedOn(date, universe),
          storedCount: (date) => this.repository.countOn(set.name, set.version, date),
          publish: (event) => this.publisher.publish(Topics.featuresReady, [event]),
          quietMs,
          log: this.log,
        }),
      });
    }
    this.log.info('feature sets loaded', { sets: this.pipelines.map((p) => `${p.set.name}@${p.set.version}`), universe: universe ?? null, quietMs });
  }

  onModuleDestroy(): void {
    for (const p of this.pipelines) p.ready.close();
  }

  private async onBar(event: DailyBar, context: EventContext): Promise<void> {
    this.tally.record(context.topic, event.eventId);
    if (this.processed.has(event.eventId)) {
      this.log.debug('duplicate delivery ignored', { eventId: event.eventId, partition: context.partition, offset: context.offset });
      return;
    }
    const bar = toBarRecord(event);
    for (const p of this.pipelines) {
      const result = await p.engine.next(bar);
      await p.writer.add([{ code: bar.code, date: bar.date, values: result.values }]);
      await p.ready.stored(bar.code, bar.date);
    }
    this.processed.set(event.eventId, true);
    if (this.processed.size > DEDUP_CAPACITY) {
      const oldest = this.processed.keys().next();
      if (oldest.done !== true) this.processed.delete(oldest.value);
    }
  }

  private async expectedOn(date: string, universe: string | undefined): Promise<ReadonlySet<string> | null> {
    const codes =
      universe !== undefined
        ? await this.market.universeOn(universe, date)
        : (await this.market.instruments()).filter((i) => i.firstDate <= date && i.lastDate >= date).map((i) => i.code);
    return codes.length > 0 ? new Set(codes) : null;
  }
}
