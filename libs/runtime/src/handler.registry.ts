import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace } from '@opentelemetry/api';
import type { TopicDefinition, EventSerde } from '@quant/contracts';
import { serdeFor } from '@quant/contracts';
import type { BatchHandler, BusMessage, Headers } from '@quant/bus';
import { QuantError, describeError } from '@quant/errors';

export interface EventContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Headers;
  /** Epoch ms when the message was published. */
  timestamp: number;
  /** Aborted when the service is shutting down. */
  signal: AbortSignal;
}

/**
 * Handles one decoded event. Delivery is at-least-once, so a handler must be idempotent (dedup by
 * the event's eventId). Throwing a retriable QuantError asks the bus to retry; anything else sends
 * the message to the dead-letter topic.
 */
export type EventHandler<T> = (event: T, context: EventContext) => Promise<void>;

interface Registration {
  topic: TopicDefinition<unknown>;
  serde: EventSerde<unknown>;
  handler: EventHandler<unknown>;
}

const tracer = trace.getTracer('@quant/runtime');

/**
 * The topics a service handles and their handlers. Providers register in their constructor or
 * onModuleInit; the bootstrap then checks every required topic has a handler, seals the registry
 * and subscribes once for all its topics (one consumer group per service: Kafka assignors expect
 * every member of a group to subscribe to the same topics).
 */
export class HandlerRegistry {
  private readonly registrations = new Map<string, Registration>();
  private sealed = false;

  constructor(readonly service: string) {}

  handle<T>(topic: TopicDefinition<T>, handler: EventHandler<T>): void {
    if (this.sealed) {
      throw new QuantError(
        'HANDLER_REGISTERED_TOO_LATE',
        `service ${this.service}: handler for ${topic.name} registered after boot; register in a constructor or onModuleInit`,
        { details: { service: this.service, topic: topic.name } },
      );
    }
    if (this.registrations.has(topic.name)) {
      throw new QuantError('HANDLER_ALREADY_REGISTERED', `service ${this.service}: topic ${topic.name} already has a handler`, {
        details: { service: this.service, topic: topic.name },
      });
    }
    this.registrations.set(topic.name, {
      topic: topic as TopicDefinition<unknown>,
      serde: serdeFor(topic) as EventSerde<unknown>,
      handler: handler as EventHandler<unknown>,
    });
  }

  has(topicName: string): boolean {
    return this.registrations.has(topicName);
  }

  /** Names of the topics with a handler, in registration order. */
  topicNames(): string[] {
    return [...this.registrations.keys()];
  }

  topics(): TopicDefinition<unknown>[] {
    return [...this.registrations.values()].map((r) => r.topic);
  }

  /** Refuses boot when a topic the service must handle has none. Seals the registry. */
  assertHandles(required: readonly TopicDefinition<unknown>[]): void {
    const missing = required.filter((t) => !this.registrations.has(t.name)).map((t) => t.name);
    if (missing.length > 0) {
      throw new QuantError(
        'TOPIC_WITHOUT_HANDLER',
        `service ${this.service} must handle topic(s) ${missing.join(', ')} but no handler is registered for them`,
        { details: { service: this.service, topic: missing[0] ?? null, missing: missing.join(',') } },
      );
    }
    this.sealed = true;
  }

  /** The bus batch handler: decodes each message and runs its topic's handler, in order, in a span. */
  readonly dispatch: BatchHandler = async (messages, { signal }) => {
    for (const message of messages) {
      await this.dispatchOne(message, signal);
    }
  };

  private async dispatchOne(message: BusMessage, signal: AbortSignal): Promise<void> {
    const registration = this.registrations.get(message.topic);
    if (registration === undefined) {
      throw new QuantError('NO_HANDLER', `service ${this.service} received a message on ${message.topic}, which it does not handle`, {
        details: { topic: message.topic, partition: message.partition, offset: message.offset },
      });
    }
    const parent = propagation.extract(ROOT_CONTEXT, message.headers);
    await tracer.startActiveSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': message.offset,
        },
      },
      parent,
      async (span) => {
        try {
          let event: unknown;
          try {
            event = registration.serde.decode(message.value);
          } catch (cause) {
            throw new QuantError('EVENT_DECODE_FAILED', `cannot decode ${registration.topic.schemaName} from ${message.topic}: ${describeError(cause).message}`, {
              cause,
              details: { topic: message.topic, partition: message.partition, offset: message.offset },
            });
          }
          await registration.handler(event, {
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            key: message.key,
            headers: message.headers,
            timestamp: message.timestamp,
            signal,
          });
          span.setStatus({ code: SpanStatusCode.OK });
        } catch (error) {
          const { code, message: text } = describeError(error);
          span.recordException(error instanceof Error ? error : new Error(text));
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${text}` });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }
}
