import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { QuantError, isRetriable } from '@quant/errors';
import { fromKafkaError } from '../src/index';

describe('fromKafkaError', () => {
  it("keeps kafkajs's own retriable flag and names the error by its protocol type", () => {
    // kafkajs builds protocol errors from the Kafka error table: 7 = REQUEST_TIMED_OUT (retriable), 29 = TOPIC_AUTHORIZATION_FAILED (not).
    const timedOut = fromKafkaError(new KafkaJSProtocolError({ type: 'REQUEST_TIMED_OUT', code: 7, retriable: true, message: 'Request timed out' } as never), 'publish(t)');
    expect(timedOut).toBeInstanceOf(QuantError);
    expect(timedOut.code).toBe('KAFKA_REQUEST_TIMED_OUT');
    expect(timedOut.retriable).toBe(true);
    expect(timedOut.message).toBe('publish(t): Request timed out');

    const denied = fromKafkaError(new KafkaJSProtocolError({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false, message: 'Not authorized' } as never), 'publish(t)');
    expect(denied.code).toBe('KAFKA_TOPIC_AUTHORIZATION_FAILED');
    expect(isRetriable(denied)).toBe(false);
  });

  it('derives a code from the class name when there is no protocol type', () => {
    const connection = fromKafkaError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'), 'connect producer');
    expect(connection.code).toBe('KAFKA_CONNECTION_ERROR');
    expect(connection.retriable).toBe(true);
    const fatal = fromKafkaError(new KafkaJSNonRetriableError('bad config'), 'subscribe(g)');
    expect(fatal.code).toBe('KAFKA_NON_RETRIABLE_ERROR');
    expect(fatal.retriable).toBe(false);
    expect(fatal.cause).toBeInstanceOf(KafkaJSNonRetriableError);
  });

  it('passes a QuantError through unchanged', () => {
    const original = new QuantError('BUS_CLOSED', 'closed');
    expect(fromKafkaError(original, 'x')).toBe(original);
  });
});
