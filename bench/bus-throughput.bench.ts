/**
 * End-to-end bus throughput: N Avro daily-bar events encoded, published in large batches, consumed by
 * one consumer group and decoded; the clock runs from the first publish to the last event handled.
 * Runs on the local Kafka broker and on the in-process bus; prints one JSON line per adapter.
 *
 *   npx tsx bench/bus-throughput.bench.ts [--events 200000] [--batch 5000] [--partitions 12]
 *        [--concurrency 4] [--inflight 4] [--runs 3] [--only kafka|in-process]
 *   (brokers: QUANT_KAFKA_BROKERS, default 127.0.0.1:9092). --concurrency: partitions one Kafka consumer
 *   handles at once; --inflight: publish calls outstanding at once (the next batch is encoded while the
 *   broker acknowledges the previous one). Each run uses a fresh topic and group; the line reports the
 *   median run (and every run), since a 2-core machine shared with the broker is noisy.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { HEADER, createInProcessBus, createKafkaBus } from '@quant/bus';
import type { MessageBus, OutgoingMessage } from '@quant/bus';
import { Topics, serdeFor } from '@quant/contracts';
import type { DailyBar } from '@quant/contracts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '5000' },
    partitions: { type: 'string', default: String(Topics.dailyBar.partitions) },
    concurrency: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});

function positive(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${String(raw)}`);
  return n;
}

const EVENTS = positive('events', args.events);
const BATCH = positive('batch', args.batch);
const PARTITIONS = positive('partitions', args.partitions);
const CONCURRENCY = positive('concurrency', args.concurrency);
const INFLIGHT = positive('inflight', args.inflight);
const RUNS = positive('runs', args.runs);
if (args.only !== undefined && args.only !== 'kafka' && args.only !== 'in-process') throw new Error(`--only must be kafka or in-process, got ${args.only}`);
const BROKERS = (process.env.QUANT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const serde = serdeFor(Topics.dailyBar);

/** Deterministic bars: 5,000 instruments x as many trading days as needed. */
function bars(n: number): DailyBar[] {
  const out: DailyBar[] = [];
  const instruments = 5000;
  const start = Date.UTC(2020, 0, 2);
  for (let i = 0; i < n; i++) {
    const code = `${String(600000 + (i % instruments)).padStart(6, '0')}.SH`;
    const day = Math.floor(i / instruments);
    const close = 10 + ((i * 7919) % 1000) / 100;
    out.push({
      eventId: `bench-${i}`,
      code,
      date: new Date(start + day * 86_400_000).toISOString().slice(0, 10),
      open: close * 0.99,
      high: close * 1.02,
      low: close * 0.98,
      close,
      volume: 1_000_000 + (i % 977) * 100,
      amount: close * 1_000_000,
      factor: 1.0,
      traded: true,
      source: 'bench',
      ingestedAt: 1_700_000_000_000 + i,
      isST: false,
      flags: [],
    });
  }
  return out;
}

interface Result {
  bench: 'bus-throughput';
  adapter: MessageBus['kind'];
  events: number;
  batch: number;
  partitions: number;
  consumerConcurrency: number | null;
  publishInflight: number;
  avgValueBytes: number;
  publishSeconds: number;
  endToEndSeconds: number;
  publishEventsPerSecond: number;
  eventsPerSecond: number;
  cpus: number;
  node: string;
  command: string;
}

async function run(bus: MessageBus, events: DailyBar[], concurrency: number | null): Promise<Result> {
  const id = randomBytes(4).toString('hex');
  const topic = `bench.daily-bar.${id}`;
  await bus.ensureTopics([{ name: topic, partitions: PARTITIONS }]);

  const seen = new Set<string>();
  let valueBytes = 0;
  let finish!: () => void;
  const allConsumed = new Promise<void>((resolve) => (finish = resolve));
  const subscription = await bus.subscribe({
    groupId: `bench-${id}`,
    topics: [topic],
    maxBatchSize: 5000,
    deadLetterTopic: `${topic}.dlq`,
    handler: async (messages) => {
      for (const m of messages) {
        // Consumers decode what they get: part of the measured work.
        seen.add(serde.decode(m.value).eventId);
        valueBytes += m.value.length;
      }
      if (seen.size === events.length) finish();
    },
  });

  const t0 = performance.now();
  const inflight = new Set<Promise<void>>();
  // The clock includes Avro encoding (publisher side) and decoding (consumer side).
  for (let i = 0; i < events.length; i += BATCH) {
    const chunk: OutgoingMessage[] = events.slice(i, i + BATCH).map((bar) => ({
      key: Topics.dailyBar.key(bar),
      // The value is Avro single-object encoding: it carries the schema fingerprint itself.
      value: serde.encode(bar),
      headers: { [HEADER.eventId]: bar.eventId },
    }));
    const sent: Promise<void> = bus.publish(topic, chunk).finally(() => inflight.delete(sent));
    inflight.add(sent);
    if (inflight.size >= INFLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const published = performance.now();
  await allConsumed;
  const done = performance.now();
  await subscription.stop();

  const endToEndSeconds = (done - t0) / 1000;
  const publishSeconds = (published - t0) / 1000;
  return {
    bench: 'bus-throughput',
    adapter: bus.kind,
    events: events.length,
    batch: BATCH,
    partitions: PARTITIONS,
    consumerConcurrency: concurrency,
    publishInflight: INFLIGHT,
    avgValueBytes: Math.round(valueBytes / Math.max(1, seen.size)),
    publishSeconds: Number(publishSeconds.toFixed(3)),
    endToEndSeconds: Number(endToEndSeconds.toFixed(3)),
    publishEventsPerSecond: Math.round(events.length / publishSeconds),
    eventsPerSecond: Math.round(events.length / endToEndSeconds),
    cpus: cpus().length,
    node: process.version,
    command: `npx tsx bench/bus-throughput.bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  };
}

async function deleteBenchTopics(): Promise<void> {
  const admin = new Kafka({ clientId: 'bus-bench-cleanup', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith('bench.daily-bar.'));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}

const events = bars(EVENTS);

async function measure(open: () => MessageBus, concurrency: number | null, cleanup?: () => Promise<void>): Promise<void> {
  const runs: Result[] = [];
  for (let r = 0; r < RUNS; r++) {
    const bus = open();
    try {
      runs.push(await run(bus, events, concurrency));
    } finally {
      await bus.close();
      await cleanup?.();
    }
  }
  const byRate = [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  const median = byRate[Math.floor(byRate.length / 2)]!;
  console.log(
    JSON.stringify({
      ...median,
      runs: RUNS,
      runEventsPerSecond: runs.map((x) => x.eventsPerSecond),
      bestEventsPerSecond: byRate[byRate.length - 1]!.eventsPerSecond,
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    }),
  );
}

// Kafka first: the in-process run keeps every event in memory, which would slow the other's GC.
if (args.only !== 'in-process') {
  await measure(
    () =>
      createKafkaBus({
        brokers: BROKERS,
        clientId: 'bus-bench',
        logLevel: 'error',
        consumer: { partitionsConsumedConcurrently: CONCURRENCY, maxWaitTimeMs: 100, heartbeatIntervalMs: 1000, sessionTimeoutMs: 10_000 },
      }),
    CONCURRENCY,
    deleteBenchTopics,
  );
}

if (args.only !== 'kafka') {
  await measure(() => createInProcessBus(), null);
}
