/**
 * The message-bus port. Two adapters implement it: Kafka (kafkajs) and in-process. Payloads are bytes
 * (Avro with a schema fingerprint, see @quant/contracts); the port knows nothing of schemas.
 *
 * Delivery is at-least-once: an adapter acknowledges (commits) a message only after its handler
 * resolved for it. Handlers must therefore be idempotent (dedup by a key), which every consumer in
 * the platform is.
 */

export type Headers = Record<string, string>;

export interface OutgoingMessage {
  /** Partitioning key: messages with the same key keep their order. */
  key: string | null;
  value: Buffer;
  headers?: Headers;
}

/** Treat as read-only: the in-process bus hands the same frozen object to every delivery. */
export interface BusMessage {
  topic: string;
  partition: number;
  /** Adapter-specific position, as a decimal string (Kafka offsets exceed 2^53). */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Headers;
  /** Epoch milliseconds when the message was published. */
  timestamp: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Kafka cleanup policy; in-process adapter ignores it. */
  compact?: boolean;
}

/**
 * A record describing a message that could not be handled. The adapter publishes it on the
 * dead-letter topic through a DeadLetterCodec (Avro `quant.DeadLetter` in production wiring).
 */
export interface DeadLetterRecord {
  sourceTopic: string;
  partition: number | null;
  offset: string | null;
  key: string | null;
  payload: Buffer;
  headers: Headers;
  /** Stable error code (QuantError.code, or the error's name). */
  errorCode: string;
  reason: string;
  attempts: number;
  consumerGroup: string;
  /** Epoch milliseconds. */
  failedAt: number;
}

export interface DeadLetterCodec {
  encode(record: DeadLetterRecord): Buffer;
  decode(value: Buffer): DeadLetterRecord;
}

export interface HandlerContext {
  /**
   * Aborted when the subscription starts stopping. A long handler may give up early by throwing: a
   * failure after the abort is neither retried nor dead-lettered, the batch stays uncommitted and is
   * redelivered to the next owner of the partition. Resolving means success (the batch is committed).
   */
  readonly signal: AbortSignal;
}

/**
 * Handles a batch of messages from one partition, in order. Throwing fails the batch (see SubscribeOptions).
 * The handler runs in the OpenTelemetry context carried by the first message's headers; use
 * `traceContextOf(message)` for a per-message context.
 */
export type BatchHandler = (messages: BusMessage[], context: HandlerContext) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  /** Start from the earliest retained message when the group has no committed position. Default true. */
  fromBeginning?: boolean;
  /**
   * Retries of a retriable error (isRetriable from @quant/errors) before the message is dead-lettered.
   * Non-retriable errors are dead-lettered at once. Default 3.
   */
  maxRetries?: number;
  /** Backoff before the first retry in ms, doubled each attempt. Default 100. */
  retryBackoffMs?: number;
  /** Dead-letter topic. Default: DEFAULT_DEAD_LETTER_TOPIC. */
  deadLetterTopic?: string;
  /** Largest batch handed to the handler. Default 500. */
  maxBatchSize?: number;
  /**
   * How long stop() waits for an in-flight batch. Past it the batch is abandoned uncommitted (it will be
   * redelivered), as if the process had been killed. Default 30000.
   */
  shutdownTimeoutMs?: number;
}

export interface Subscription {
  /**
   * Stops fetching, lets the in-flight batch finish (up to shutdownTimeoutMs), commits what was
   * handled, leaves the group. Idempotent.
   */
  stop(): Promise<void>;
}

export interface MessageBus {
  readonly kind: 'kafka' | 'in-process';
  /** Creates missing topics (idempotent); an existing topic is left as it is (partitions never change). */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /**
   * Resolves when every message is durably accepted (Kafka: acks=all, idempotent producer). The active
   * OpenTelemetry context is injected into each message's headers (W3C traceparent) unless the message
   * already carries one. A topic that does not exist is created with one partition (Kafka's default).
   */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription, flushes the producer and disconnects. */
  close(): Promise<void>;
}

export const DEFAULT_DEAD_LETTER_TOPIC = 'quant.dead-letter.v1';

/** Header names the adapters set or read. */
export const HEADER = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Fingerprint of the Avro writer schema, set by @quant/contracts serde users. */
  schema: 'quant-schema',
  /** Idempotency key of the event, for downstream dedup. */
  eventId: 'quant-event-id',
} as const;
