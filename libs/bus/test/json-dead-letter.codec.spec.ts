import { describe, expect, it } from 'vitest';
import { jsonDeadLetterCodec } from '../src/index';
import type { DeadLetterRecord } from '../src/index';

const record: DeadLetterRecord = {
  sourceTopic: 'quant.market.daily-bar.v1',
  partition: 3,
  offset: '9007199254740993',
  key: '600519.SH',
  payload: Buffer.from([0xc3, 0x01, 0x00, 0xff, 0x10]),
  headers: { 'quant-event-id': 'e-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  errorCode: 'BAR_INVALID',
  reason: 'close is negative',
  attempts: 2,
  consumerGroup: 'features',
  failedAt: 1_700_000_000_000,
};

describe('jsonDeadLetterCodec', () => {
  it('round-trips a record, binary payload and 64-bit offset included', () => {
    const back = jsonDeadLetterCodec.decode(jsonDeadLetterCodec.encode(record));
    expect(back).toEqual(record);
    expect(back.payload.equals(record.payload)).toBe(true);
  });

  it('keeps nulls for a record without partition, offset or key', () => {
    const bare = { ...record, partition: null, offset: null, key: null };
    expect(jsonDeadLetterCodec.decode(jsonDeadLetterCodec.encode(bare))).toEqual(bare);
  });

  it('names the field that is wrong in a bad record', () => {
    expect(() => jsonDeadLetterCodec.decode(Buffer.from('not json'))).toThrow(/not JSON/);
    const json = JSON.parse(jsonDeadLetterCodec.encode(record).toString()) as Record<string, unknown>;
    expect(() => jsonDeadLetterCodec.decode(Buffer.from(JSON.stringify({ ...json, attempts: 'two' })))).toThrow(/"attempts" must be a finite number/);
    expect(() => jsonDeadLetterCodec.decode(Buffer.from(JSON.stringify({ ...json, headers: { a: 1 } })))).toThrow(/"headers.a" must be a string/);
  });
});
