/**
 * Default dead-letter codec: JSON, payload in base64. It keeps @quant/bus independent of the Avro
 * contracts; production wiring passes @quant/contracts' `deadLetterCodec` instead.
 */
import { QuantError } from '@quant/errors';
import type { DeadLetterCodec, DeadLetterRecord, Headers } from './bus.port';

interface JsonDeadLetter extends Omit<DeadLetterRecord, 'payload'> {
  payload: string;
}

function fail(field: string, expected: string): never {
  throw new QuantError('BUS_DEAD_LETTER_DECODE', `dead letter: field "${field}" must be ${expected}`, {
    details: { field },
  });
}

function stringOrNull(value: unknown, field: string): string | null {
  if (value === null || typeof value === 'string') return value;
  return fail(field, 'a string or null');
}

function str(value: unknown, field: string): string {
  return typeof value === 'string' ? value : fail(field, 'a string');
}

function num(value: unknown, field: string): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(field, 'a finite number');
}

function headersOf(value: unknown): Headers {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('headers', 'an object');
  const out: Headers = {};
  for (const [k, v] of Object.entries(value)) out[k] = str(v, `headers.${k}`);
  return out;
}

export const jsonDeadLetterCodec: DeadLetterCodec = {
  encode(record: DeadLetterRecord): Buffer {
    const json: JsonDeadLetter = { ...record, payload: record.payload.toString('base64') };
    return Buffer.from(JSON.stringify(json), 'utf8');
  },
  decode(value: Buffer): DeadLetterRecord {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString('utf8'));
    } catch (cause) {
      throw new QuantError('BUS_DEAD_LETTER_DECODE', 'dead letter: value is not JSON', { cause });
    }
    if (parsed === null || typeof parsed !== 'object') fail('(root)', 'an object');
    const r = parsed as Record<string, unknown>;
    const partition = r.partition === null ? null : num(r.partition, 'partition');
    return {
      sourceTopic: str(r.sourceTopic, 'sourceTopic'),
      partition,
      offset: stringOrNull(r.offset, 'offset'),
      key: stringOrNull(r.key, 'key'),
      payload: Buffer.from(str(r.payload, 'payload'), 'base64'),
      headers: headersOf(r.headers),
      errorCode: str(r.errorCode, 'errorCode'),
      reason: str(r.reason, 'reason'),
      attempts: num(r.attempts, 'attempts'),
      consumerGroup: str(r.consumerGroup, 'consumerGroup'),
      failedAt: num(r.failedAt, 'failedAt'),
    };
  },
};
