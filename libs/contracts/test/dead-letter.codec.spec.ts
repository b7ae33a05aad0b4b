import { describe, expect, it } from 'vitest';
import { Topics, deadLetterCodec, deadLetterEventId, readFingerprint, serdeFor } from '../src';
import type { DeadLetter } from '../src';

// The same shape as @quant/bus DeadLetterRecord (not imported: a contract lib does not depend on adapters).
const record: DeadLetter = {
  sourceTopic: 'quant.market.daily-bar.v1',
  partition: 3,
  offset: '9007199254740993',
  key: 'SH600000',
  payload: Buffer.from([0xc3, 0x01, 0xff, 0x00, 0x80]),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'quant-event-id': 'bar:1' },
  errorCode: 'CONTRACT_UNKNOWN_SCHEMA',
  reason: 'unknown writer schema fingerprint ff00...',
  attempts: 4,
  consumerGroup: 'features',
  failedAt: 1_704_179_100_123,
};

describe('deadLetterCodec', () => {
  it('round-trips a record byte for byte, with an offset beyond 2^53 kept as a string', () => {
    const decoded = deadLetterCodec.decode(deadLetterCodec.encode(record));
    expect(decoded).toEqual({ ...record, eventId: 'dl:features:quant.market.daily-bar.v1:3:9007199254740993' });
    expect(Buffer.isBuffer(decoded.payload)).toBe(true);
    expect(decoded.payload.equals(record.payload)).toBe(true);
  });

  it('writes the DeadLetter schema in the single-object encoding', () => {
    const bytes = deadLetterCodec.encode(record);
    expect(readFingerprint(bytes)).toBe(serdeFor(Topics.deadLetter).fingerprint);
    expect(serdeFor(Topics.deadLetter).decode(bytes).sourceTopic).toBe(record.sourceTopic);
  });

  it('derives the same eventId for the same failed message, so re-dead-lettering is idempotent', () => {
    const again = { ...record, attempts: 5, failedAt: record.failedAt + 1000, reason: 'other text' };
    expect(deadLetterEventId(again)).toBe(deadLetterEventId(record));
    expect(deadLetterEventId({ ...record, offset: '9007199254740994' })).not.toBe(deadLetterEventId(record));
    expect(deadLetterEventId({ ...record, consumerGroup: 'inference' })).not.toBe(deadLetterEventId(record));
  });

  it('without a position, keys the dead letter by a hash of topic, key and payload', () => {
    const unplaced = { ...record, partition: null, offset: null };
    const id = deadLetterEventId(unplaced);
    expect(id).toMatch(/^dl:features:quant\.market\.daily-bar\.v1:sha256:[0-9a-f]{32}$/);
    expect(deadLetterEventId({ ...unplaced, failedAt: 1 })).toBe(id);
    expect(deadLetterEventId({ ...unplaced, payload: Buffer.from([1]) })).not.toBe(id);
    expect(deadLetterCodec.decode(deadLetterCodec.encode(unplaced))).toEqual({ ...unplaced, eventId: id });
  });

  it('refuses a record with a bad field, naming it', () => {
    expect(() => deadLetterCodec.encode({ ...record, attempts: 1.5 })).toThrow(/invalid quant\.platform\.v1\.DeadLetter event: attempts = 1\.5 \(expected int\)/);
  });

  it('is keyed by source topic', () => {
    expect(Topics.deadLetter.key({ ...record, eventId: 'x' })).toBe('quant.market.daily-bar.v1');
  });
});
