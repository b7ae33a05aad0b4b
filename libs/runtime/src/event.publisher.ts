import type { EventSerde, TopicDefinition } from '@quant/contracts';
import { serdeFor } from '@quant/contracts';
import type { MessageBus, OutgoingMessage } from '@quant/bus';
import { HEADER } from '@quant/bus';

/**
 * Publishes typed events: Avro-encodes them with the topic's serde, keys them with the topic's key
 * function (order per key) and sets the idempotency and schema headers consumers dedup and
 * route on. The bus adds the active trace context to the headers.
 */
export class EventPublisher {
  private readonly serdes = new Map<string, EventSerde<unknown>>();

  constructor(private readonly bus: MessageBus) {}

  async publish<T extends { eventId: string }>(topic: TopicDefinition<T>, events: readonly T[]): Promise<void> {
    if (events.length === 0) return;
    const serde = this.serdeOf(topic);
    const messages: OutgoingMessage[] = events.map((event) => ({
      key: topic.key(event),
      value: serde.encode(event),
      headers: { [HEADER.eventId]: event.eventId, [HEADER.schema]: serde.fingerprint },
    }));
    await this.bus.publish(topic.name, messages);
  }

  private serdeOf<T>(topic: TopicDefinition<T>): EventSerde<T> {
    let serde = this.serdes.get(topic.name);
    if (serde === undefined) {
      serde = serdeFor(topic) as EventSerde<unknown>;
      this.serdes.set(topic.name, serde);
    }
    return serde as EventSerde<T>;
  }
}
