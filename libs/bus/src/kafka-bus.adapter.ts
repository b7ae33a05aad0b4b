/**
 * Kafka adapter (kafkajs). Producer: idempotent, acks=all, Java-compatible partitioner. Consumer:
 * eachBatch with offsets resolved and committed by us, only after the handler succeeded for them
 * (at-least-once); retry / isolation / dead-letter rules are shared with the in-process bus
 * (batch-processor.ts). Nest's Kafka transport is avoided on purpose: it handles one message per topic
 * at a time (nestjs/nest#12703).
 */
import { Kafka, Partitioners, CompressionTypes, logLevel as KafkaLogLevel } from 'kafkajs';
import type { Admin, Batch, Consumer, EachBatchPayload, IHeaders, KafkaMessage, LogEntry, Producer } from 'kafkajs';
import { QuantError, describeError } from '@quant/errors';
import { DEFAULT_DEAD_LETTER_TOPIC } from './bus.port';
import type {
  BusMessage,
  DeadLetterCodec,
  Headers,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from './bus.port';
import { processPartitionMessages, resolveSubscribeOptions, sleep } from './batch-processor';
import type { PartitionDriver, ResolvedSubscribeOptions } from './batch-processor';
import { jsonDeadLetterCodec } from './json-dead-letter.codec';
import { fromKafkaError } from './kafka-errors';
import { assertOutgoing, assertTopicName, assertTopicSpecs } from './message-validation';
import { traceHeaders, withTraceHeaders } from './trace-context';

export interface KafkaConsumerTuning {
  /** Broker-side liveness window; the broker's group.min.session.timeout.ms (default 6000) is the floor. Default 30000. */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance. Default 60000. */
  rebalanceTimeoutMs?: number;
  /** Default 3000. Heartbeats are sent between batches, so a handler must not run longer than the session timeout. */
  heartbeatIntervalMs?: number;
  /** Long-poll wait of a fetch; also bounds how long stop() waits for an idle fetch. Default 1000. */
  maxWaitTimeMs?: number;
  /** Partitions handled concurrently by one consumer (order is per partition either way). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Default 1 MiB (kafkajs default). */
  maxBytesPerPartition?: number;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  deadLetterCodec?: DeadLetterCodec;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  consumer?: KafkaConsumerTuning;
  /** Producer compression. Default 'none': Avro bars barely compress and gzip costs CPU we lack. */
  compression?: 'none' | 'gzip';
  /**
   * Prefix of every physical topic name (e.g. 'staging.'): several environments or test runs share a
   * cluster without seeing each other's messages. Callers keep using logical names; messages they
   * receive carry logical names too. Default: none.
   */
  topicPrefix?: string;
  /** Errors no caller can receive (a consumer that crashed for good). Default: console.error. */
  onError?: (error: unknown, where: string) => void;
}

/** ~3 s of backoff in all: long enough for a loaded single broker to publish new topics' metadata. */
const ENSURE_TOPICS_ATTEMPTS = 6;

const LOG_LEVELS = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

// kafkajs logs every protocol error response at ERROR, including the REBALANCE_IN_PROGRESS answer to a
// heartbeat that is how a healthy group learns of a join or leave (and that kafkajs handles by rejoining).
const ROUTINE_PROTOCOL_ERRORS = new Set(['The group is rebalancing, so a rejoin is needed']);

function kafkaLogCreator(configured: KafkaLogLevel) {
  return () =>
    ({ namespace, level, label, log }: LogEntry): void => {
      const routine = level === KafkaLogLevel.ERROR && namespace === 'Connection' && ROUTINE_PROTOCOL_ERRORS.has(String(log.error));
      const effective = routine ? KafkaLogLevel.DEBUG : level;
      if (effective > configured) return;
      const line = JSON.stringify({ ...log, level: routine ? 'DEBUG' : label, message: `${namespace ? `[${namespace}] ` : ''}${log.message}` });
      if (effective === KafkaLogLevel.ERROR) console.error(line);
      else if (effective === KafkaLogLevel.WARN) console.warn(line);
      else console.log(line);
    };
}

function headersFrom(raw: IHeaders | undefined): Headers {
  const out: Headers = {};
  if (!raw) return out;
  for (const [name, value] of Object.entries(raw)) {
    // Kafka allows a header name to repeat; kafkajs then gives an array and the first one wins here.
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    out[name] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return out;
}

function toBusMessage(batch: Batch, m: KafkaMessage): BusMessage {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: m.offset,
    key: m.key === null || m.key === undefined ? null : m.key.toString('utf8'),
    // A tombstone (null value, compacted topics) arrives as an empty payload.
    value: m.value ?? Buffer.alloc(0),
    headers: headersFrom(m.headers),
    timestamp: Number(m.timestamp),
  };
}

class KafkaSubscription implements Subscription {
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly controller = new AbortController();
  private abandon!: () => void;
  private readonly abandoned = new Promise<void>((resolve) => {
    this.abandon = resolve;
  });

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ResolvedSubscribeOptions,
    private readonly bus: KafkaBus,
  ) {}

  async start(topics: string[], fromBeginning: boolean, concurrency: number): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning });
    // Resolves once the group is joined and partitions are assigned.
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const commitUpTo = async (offset: string): Promise<void> => {
      resolveOffset(offset);
      const next = (BigInt(offset) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
    };
    if (batch.messages.length === 0) {
      // Only control records (transaction markers): move past them or the partition stalls.
      if (!batch.isEmpty()) await commitUpTo(batch.lastOffset());
      return;
    }
    const last = batch.messages[batch.messages.length - 1]!;
    const logicalTopic = this.bus.logicalTopic(batch.topic);
    const messages = batch.messages.map((m) => ({ ...toBusMessage(batch, m), topic: logicalTopic }));
    const driver: PartitionDriver = {
      options: this.options,
      signal: this.controller.signal,
      abandoned: this.abandoned,
      isActive: () => !this.stopping && isRunning() && !isStale(),
      // Committing the batch's last offset (not the last message's) also skips trailing control records.
      commit: (message) => commitUpTo(message.offset === last.offset ? batch.lastOffset() : message.offset),
      deadLetter: (record) => this.bus.publishDeadLetter(this.options.deadLetterTopic, record),
      heartbeat: () => heartbeat(),
    };
    // Errors from commit / heartbeat / dead-lettering reach kafkajs unchanged: a rebalance makes it
    // rejoin, anything else restarts the consumer from the last commit (redelivery, never loss).
    await processPartitionMessages(driver, messages);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.controller.abort();
      const timer = setTimeout(this.abandon, this.options.shutdownTimeoutMs);
      try {
        // Waits for the in-flight batch (which ends at its next boundary, or when abandoned), leaves the group.
        await this.consumer.disconnect();
      } finally {
        clearTimeout(timer);
        this.bus.forget(this);
      }
    })();
    return this.stopped;
  }
}

class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerReady: Promise<void> | undefined;
  private adminReady: Promise<void> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly codec: DeadLetterCodec;
  private readonly topicPrefix: string;
  private readonly compression: CompressionTypes;
  private readonly tuning: Required<KafkaConsumerTuning>;
  private readonly onError: (error: unknown, where: string) => void;
  private closed = false;

  constructor(options: KafkaBusOptions) {
    if (!Array.isArray(options?.brokers) || options.brokers.length === 0 || options.brokers.some((b) => typeof b !== 'string' || !b)) {
      throw new TypeError('createKafkaBus: brokers must be a non-empty array of "host:port" strings');
    }
    if (typeof options.clientId !== 'string' || !options.clientId) throw new TypeError('createKafkaBus: clientId must be a non-empty string');
    const level = options.logLevel ?? 'warn';
    if (!(level in LOG_LEVELS)) throw new TypeError(`createKafkaBus: logLevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}, got ${String(level)}`);
    this.codec = options.deadLetterCodec ?? jsonDeadLetterCodec;
    this.topicPrefix = options.topicPrefix ?? '';
    if (this.topicPrefix !== '') assertTopicName(`${this.topicPrefix}x`, 'createKafkaBus: topicPrefix');
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.tuning = {
      sessionTimeoutMs: options.consumer?.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: options.consumer?.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: options.consumer?.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeMs: options.consumer?.maxWaitTimeMs ?? 1_000,
      partitionsConsumedConcurrently: options.consumer?.partitionsConsumedConcurrently ?? 1,
      maxBytesPerPartition: options.consumer?.maxBytesPerPartition ?? 1_048_576,
    };
    this.onError =
      options.onError ??
      ((error, where) => {
        const { code, message } = describeError(error);
        console.error(`[@quant/bus kafka] ${where}: ${code}: ${message}`);
      });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      // kafkajs filters by logLevel before the creator sees an entry: let everything through, filter there.
      logLevel: KafkaLogLevel.DEBUG,
      logCreator: kafkaLogCreator(LOG_LEVELS[level]),
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      // Naming the partitioner is what silences kafkajs's v2 partitioner warning; it is the Java-compatible
      // murmur2 one that partitioner.ts reproduces for the in-process bus.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  private assertOpen(where: string): void {
    if (this.closed) throw new QuantError('BUS_CLOSED', `${where}: the Kafka bus is closed`);
  }

  private async connected(which: 'producer' | 'admin'): Promise<void> {
    const client = which === 'producer' ? this.producer : this.admin;
    let ready = which === 'producer' ? this.producerReady : this.adminReady;
    if (!ready) {
      ready = client.connect().catch((error: unknown) => {
        // Forget the failed attempt so the next call tries again.
        if (which === 'producer') this.producerReady = undefined;
        else this.adminReady = undefined;
        throw fromKafkaError(error, `connect ${which}`);
      });
      if (which === 'producer') this.producerReady = ready;
      else this.adminReady = ready;
    }
    await ready;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen('ensureTopics');
    assertTopicSpecs(topics, 'ensureTopics');
    if (topics.length === 0) return;
    topics = topics.map((t) => ({ ...t, name: this.physicalTopic(t.name) }));
    const names = topics.map((t) => t.name);
    await this.connected('admin');
    for (let attempt = 1; ; attempt++) {
      try {
        // Creating only what is missing keeps kafkajs from logging TOPIC_ALREADY_EXISTS as an error;
        // a topic created concurrently by another process is still fine (createTopics returns false).
        const existing = new Set(await this.admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.name));
        if (missing.length > 0) {
          await this.admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((t) => ({
              topic: t.name,
              numPartitions: t.partitions,
              ...(t.compact ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
            })),
          });
        }
        // A new topic reaches every metadata answer a moment after creation (UNKNOWN_TOPIC_OR_PARTITION
        // meanwhile, which kafkajs's waitForLeaders does not wait out): done only once it is visible.
        await this.admin.fetchTopicMetadata({ topics: names });
        return;
      } catch (error) {
        const mapped = fromKafkaError(error, `ensureTopics(${names.join(', ')})`);
        if (!mapped.retriable || attempt >= ENSURE_TOPICS_ATTEMPTS) throw mapped;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  physicalTopic(name: string): string {
    return this.topicPrefix + name;
  }

  logicalTopic(name: string): string {
    return this.topicPrefix !== '' && name.startsWith(this.topicPrefix) ? name.slice(this.topicPrefix.length) : name;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen(`publish(${String(topic)})`);
    assertTopicName(topic, 'publish');
    assertOutgoing(topic, messages);
    await this.send(topic, messages, traceHeaders());
  }

  private async send(topic: string, messages: OutgoingMessage[], trace: Headers): Promise<void> {
    if (messages.length === 0) return;
    await this.connected('producer');
    // kafkajs sends one record batch per partition; a batch over the broker's message.max.bytes
    // (1 MiB by default) is refused whole. Splitting by size keeps any publish acceptable, and the
    // sequential sends keep the order per key.
    for (const chunk of chunksBySize(messages, MAX_SEND_BYTES)) {
      try {
        await this.producer.send({
          topic: this.physicalTopic(topic),
          acks: -1,
          compression: this.compression,
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: withTraceHeaders(m.headers, trace) })),
        });
      } catch (error) {
        throw fromKafkaError(error, `publish(${topic})`);
      }
    }
  }

  /** Written by stopping subscriptions too, so it bypasses the closed check. */
  async publishDeadLetter(topic: string, record: Parameters<DeadLetterCodec['encode']>[0]): Promise<void> {
    const value = this.codec.encode(record);
    await this.send(topic, [{ key: record.key, value, headers: record.headers }], {});
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen(`subscribe(${String(options?.groupId)})`);
    const resolved = resolveSubscribeOptions(options, DEFAULT_DEAD_LETTER_TOPIC);
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new TypeError(`subscribe(${options.groupId}): topics must be a non-empty array`);
    }
    for (const t of options.topics) assertTopicName(t, `subscribe(${options.groupId})`);
    assertTopicName(resolved.deadLetterTopic, `subscribe(${options.groupId}) deadLetterTopic`);
    // A poison message must never wait for a missing dead-letter topic (brokers may disable auto-creation).
    await this.ensureTopics([{ name: resolved.deadLetterTopic, partitions: 1 }]);

    const consumer = this.kafka.consumer({
      groupId: resolved.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      rebalanceTimeout: this.tuning.rebalanceTimeoutMs,
      heartbeatInterval: this.tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: this.tuning.maxWaitTimeMs,
      maxBytesPerPartition: this.tuning.maxBytesPerPartition,
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) this.onError(event.payload.error, `consumer group ${resolved.groupId} stopped for good`);
    });
    const subscription = new KafkaSubscription(consumer, resolved, this);
    this.subscriptions.add(subscription);
    try {
      await subscription.start(
        options.topics.map((t) => this.physicalTopic(t)),
        options.fromBeginning ?? true,
        this.tuning.partitionsConsumedConcurrently,
      );
    } catch (error) {
      // The start error is the one the caller needs; a failing cleanup is only reported.
      await subscription.stop().catch((stopError: unknown) => this.onError(stopError, `cleanup of subscribe(${resolved.groupId})`));
      throw fromKafkaError(error, `subscribe(${resolved.groupId})`);
    }
    return subscription;
  }

  forget(subscription: KafkaSubscription): void {
    this.subscriptions.delete(subscription);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    const disconnects: Promise<void>[] = [];
    if (this.producerReady) disconnects.push(this.producer.disconnect());
    if (this.adminReady) disconnects.push(this.admin.disconnect());
    await Promise.all(disconnects);
  }
}

export function createKafkaBus(options: KafkaBusOptions): MessageBus {
  return new KafkaBus(options);
}

/** Bytes per send: half the broker's default message.max.bytes, leaving room for record overhead. */
const MAX_SEND_BYTES = 512 * 1024;
const RECORD_OVERHEAD_BYTES = 70;

/** Consecutive chunks whose estimated encoded size stays under `limit` (a lone larger message goes alone). */
export function chunksBySize(messages: readonly OutgoingMessage[], limit: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let size = 0;
  for (const m of messages) {
    let bytes = m.value.length + (m.key === null ? 0 : Buffer.byteLength(m.key)) + RECORD_OVERHEAD_BYTES;
    for (const [k, v] of Object.entries(m.headers ?? {})) bytes += k.length + Buffer.byteLength(v);
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
