import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { MessageBus } from '@quant/bus';
import { DEFAULT_DEAD_LETTER_TOPIC, createInProcessBus } from '@quant/bus';
import { allTopics, deadLetterCodec } from '@quant/contracts';
import type { DataSource } from '@quant/data-sources';
import { createBaostockSource, createCsvSource, createNewsSource, createQlibSource, createTushareSource } from '@quant/data-sources';
import { QuantError } from '@quant/errors';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import { IMPORT_RUN_HEADER, startMarketDataConsumer } from './market-data.consumer';
import type { ImportReport, RejectRecord } from './market-data.importer';
import { importMarketData } from './market-data.importer';
import { MarketDataRepository } from './market-data.repository';

export const SOURCE_KINDS = ['qlib', 'csv', 'baostock', 'news', 'tushare'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export function createSource(kind: string, dir: string | undefined, env: NodeJS.ProcessEnv = process.env): DataSource {
  const needDir = (): string => {
    if (!dir) throw new QuantError('ARGUMENT_MISSING', `--dir is required for --source ${kind}`);
    return dir;
  };
  switch (kind) {
    case 'qlib':
      return createQlibSource(needDir());
    case 'csv':
      return createCsvSource(needDir());
    case 'baostock':
      return createBaostockSource(needDir());
    case 'news':
      return createNewsSource(needDir());
    case 'tushare': {
      const token = env['QUANT_TUSHARE_TOKEN'];
      if (!token) throw new QuantError('CONFIG_INVALID', 'QUANT_TUSHARE_TOKEN must be set for --source tushare');
      return createTushareSource({ token, ...(env['QUANT_TUSHARE_URL'] ? { baseUrl: env['QUANT_TUSHARE_URL'] } : {}) });
    }
    default:
      throw new QuantError('ARGUMENT_INVALID', `unknown --source "${kind}"; expected one of ${SOURCE_KINDS.join(', ')}`);
  }
}

const MAX_LAG = 300_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ImportJobOptions {
  source: DataSource;
  /** chdb directory or server URL. */
  store: string;
  universe?: string;
  codes?: readonly string[];
  from?: string;
  to?: string;
  full?: boolean;
  /** Path of a file receiving one JSON line per rejected record. */
  rejectsFile?: string;
  /** Defaults to the in-process bus: the one-process `quant` path. */
  bus?: MessageBus;
  /** Consumer group of the store writer. */
  groupId?: string;
  /** How long to wait for the store consumer to acknowledge everything published. */
  drainTimeoutMs?: number;
  onProgress?: (text: string) => void;
}

export interface ImportJobReport extends ImportReport {
  stored: number;
  deadLettered: number;
  seconds: number;
}

/**
 * The whole import as one job: source -> validation -> Avro events on the bus -> store consumer ->
 * ClickHouse. The CLI runs it on the in-process bus and chdb; the same code runs on Kafka and a
 * server. Resolves when every published event is stored (or dead-lettered by the consumer).
 */
export async function runImportJob(options: ImportJobOptions): Promise<ImportJobReport> {
  const started = Date.now();
  const store: Store = await openStore(options.store);
  const ownBus = options.bus === undefined;
  // The in-process bus forgets what every group committed, and the importer never runs further
  // ahead of the store consumer than MAX_LAG events: memory follows the lag, not the data volume.
  const bus = options.bus ?? createInProcessBus({ deadLetterCodec, trimConsumed: true });
  if (options.rejectsFile) mkdirSync(dirname(options.rejectsFile), { recursive: true });
  const rejects = options.rejectsFile ? createWriteStream(options.rejectsFile, { encoding: 'utf8' }) : null;
  try {
    const repository = new MarketDataRepository(store);
    await repository.migrate();
    await bus.ensureTopics(allTopics().map((t) => ({ name: t.name, partitions: t.partitions })));
    const groupId = options.groupId ?? 'quant.ingestion.store';
    const consumer = await startMarketDataConsumer(bus, repository, groupId);
    // Dead letters of the store consumer carry the original headers, so this run's can be counted.
    const deadByRun = new Map<string, number>();
    const deadWatch = await bus.subscribe({
      groupId: `${groupId}.dead-letter-watch`,
      topics: [DEFAULT_DEAD_LETTER_TOPIC],
      fromBeginning: false,
      handler: async (messages) => {
        for (const m of messages) {
          const dl = deadLetterCodec.decode(m.value);
          const run = dl.headers[IMPORT_RUN_HEADER];
          if (run !== undefined && dl.consumerGroup === groupId) deadByRun.set(run, (deadByRun.get(run) ?? 0) + 1);
        }
      },
    });
    const runId = randomUUID();
    const acknowledged = (): number => consumer.storedForRun(runId) + (deadByRun.get(runId) ?? 0);
    try {
      const report = await importMarketData({
        runId,
        source: options.source,
        bus,
        repository,
        ...(options.universe ? { universe: options.universe } : {}),
        ...(options.codes ? { codes: options.codes } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...(options.full ? { full: true } : {}),
        onReject: (r: RejectRecord) => rejects?.write(`${JSON.stringify(r)}\n`),
        waitForCapacity: async (published) => {
          while (published - acknowledged() > MAX_LAG) await sleep(2);
        },
      });
      options.onProgress?.(`published ${report.published} events, waiting for the store`);
      const deadline = Date.now() + (options.drainTimeoutMs ?? 600_000);
      for (;;) {
        const stored = consumer.storedForRun(report.runId);
        const dead = deadByRun.get(report.runId) ?? 0;
        if (stored + dead >= report.published) {
          return { ...report, stored, deadLettered: dead, seconds: (Date.now() - started) / 1000 };
        }
        if (Date.now() > deadline) {
          throw new QuantError('IMPORT_DRAIN_TIMEOUT', `store consumer acknowledged ${stored + dead} of ${report.published} events in time`, { retriable: true });
        }
        await sleep(20);
      }
    } finally {
      await deadWatch.stop();
      await consumer.stop();
    }
  } finally {
    if (rejects) {
      rejects.end();
      await once(rejects, 'finish');
    }
    if (ownBus) await bus.close();
    await store.close();
  }
}

/** Coverage of the store for `quant data status`. */
export async function storeStatus(location: string): Promise<Record<string, unknown>> {
  const store = await openStore(location);
  try {
    const repository = new MarketDataRepository(store);
    await repository.migrate();
    const info = await store.info();
    const counts = await repository.counts();
    const coverage = await repository.coverage();
    const calendar = await repository.calendar('CN');
    const from = coverage.reduce<string | null>((m, c) => (m === null || c.from < m ? c.from : m), null);
    const to = coverage.reduce<string | null>((m, c) => (m === null || c.to > m ? c.to : m), null);
    const behind = to === null ? [] : coverage.filter((c) => c.to < to).map((c) => ({ code: c.code, lastDate: c.to }));
    return {
      store: { kind: info.kind, version: info.version, location: info.location, database: info.database },
      instruments: counts.instruments,
      bars: counts.bars,
      tradedBars: coverage.reduce((s, c) => s + c.traded, 0),
      valuations: counts.valuations,
      news: counts.news,
      calendar: { days: calendar.length, from: calendar[0] ?? null, to: calendar[calendar.length - 1] ?? null },
      from,
      to,
      instrumentsEndingBeforeLastDay: behind.length,
      perInstrument: coverage,
    };
  } finally {
    await store.close();
  }
}
