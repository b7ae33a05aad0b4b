import { createHash } from 'node:crypto';
import { serdeFor } from './avro.serde';
import type { DeadLetter, DeadLetterEvent } from './events/platform.events';
import { Topics } from './topics';

/**
 * The dead-letter key is derived, not random: a consumer that dead-letters a message, crashes before
 * committing and meets the message again produces the same eventId, so downstream dedup keeps one.
 */
export function deadLetterEventId(record: DeadLetter): string {
  if (record.partition !== null && record.offset !== null) {
    return `dl:${record.consumerGroup}:${record.sourceTopic}:${record.partition}:${record.offset}`;
  }
  const hash = createHash('sha256')
    .update(record.sourceTopic)
    .update('\0')
    .update(record.key ?? '')
    .update('\0')
    .update(record.payload)
    .digest('hex')
    .slice(0, 32);
  return `dl:${record.consumerGroup}:${record.sourceTopic}:sha256:${hash}`;
}

/**
 * Avro codec for dead letters (topic quant.dead-letter.v1), in the shape @quant/bus expects of a
 * DeadLetterCodec. Decoding returns the record with its eventId.
 */
export const deadLetterCodec: { encode(record: DeadLetter): Buffer; decode(value: Buffer): DeadLetterEvent } = {
  encode(record: DeadLetter): Buffer {
    const event: DeadLetterEvent = {
      eventId: deadLetterEventId(record),
      sourceTopic: record.sourceTopic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      payload: record.payload,
      headers: record.headers,
      errorCode: record.errorCode,
      reason: record.reason,
      attempts: record.attempts,
      consumerGroup: record.consumerGroup,
      failedAt: record.failedAt,
    };
    return serdeFor(Topics.deadLetter).encode(event);
  },
  decode(value: Buffer): DeadLetterEvent {
    return serdeFor(Topics.deadLetter).decode(value);
  },
};
