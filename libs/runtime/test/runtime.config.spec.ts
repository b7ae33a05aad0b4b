import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QuantError } from '@quant/errors';
import { loadConfig } from '../src/runtime.config';

const base = { service: 'features', defaultHttpPort: 3102 };

function configError(fn: () => unknown): QuantError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(QuantError);
    return error as QuantError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('defaults to the embedded set-up: in-process bus, chdb store, OTel off', () => {
    const config = loadConfig({ ...base, env: {} });
    expect(config).toMatchObject({
      service: 'features',
      logLevel: 'info',
      bus: { kind: 'in-process' },
      consumerGroup: 'quant.features',
      store: { location: './.quant/store', database: undefined },
      http: { host: '0.0.0.0', port: 3102 },
      otel: { exporter: 'none' },
      shutdownTimeoutMs: 25_000,
    });
  });

  it('reads a Kafka, server-store, OTLP configuration', () => {
    const config = loadConfig({
      ...base,
      env: {
        QUANT_BUS: 'kafka',
        QUANT_KAFKA_BROKERS: ' k1:9092, k2:9093 ',
        QUANT_KAFKA_TOPIC_PREFIX: 'staging.',
        QUANT_KAFKA_CONSUMER_CONCURRENCY: '6',
        QUANT_STORE: 'clickhouse://default:@127.0.0.1:8123/quant',
        QUANT_HTTP_PORT: '8080',
        QUANT_LOG_LEVEL: 'debug',
        QUANT_OTEL_EXPORTER: 'otlp',
        QUANT_OTEL_ENDPOINT: 'http://collector:4318/',
        QUANT_CONSUMER_GROUP: 'quant.features.blue',
      },
    });
    expect(config.bus).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9093'],
      clientId: 'quant-features',
      topicPrefix: 'staging.',
      consumerConcurrency: 6,
    });
    expect(config.store.location).toBe('clickhouse://default:@127.0.0.1:8123/quant');
    expect(config.http.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
    expect(config.otel).toEqual({ exporter: 'otlp', endpoint: 'http://collector:4318' });
    expect(config.consumerGroup).toBe('quant.features.blue');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, env: { QUANT_HTTP_PORT: '', QUANT_BUS: '' } }).http.port).toBe(3102);
  });

  it('rejects a non-numeric port naming the variable, the value and what is expected', () => {
    const error = configError(() => loadConfig({ ...base, env: { QUANT_HTTP_PORT: 'abc' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('QUANT_HTTP_PORT="abc"');
    expect(error.message).toContain('expected an integer port between 0 and 65535');
    expect(error.details).toMatchObject({ variable: 'QUANT_HTTP_PORT', value: 'abc' });
  });

  it('rejects a port out of range', () => {
    expect(configError(() => loadConfig({ ...base, env: { QUANT_HTTP_PORT: '70000' } })).message).toContain('QUANT_HTTP_PORT="70000"');
  });

  it('rejects an unknown bus kind listing the accepted ones', () => {
    const error = configError(() => loadConfig({ ...base, env: { QUANT_BUS: 'rabbit' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('QUANT_BUS="rabbit": expected one of in-process, kafka');
  });

  it('rejects a topic prefix a topic name cannot hold and a consumer concurrency out of range', () => {
    const error = configError(() => loadConfig({ ...base, env: { QUANT_KAFKA_TOPIC_PREFIX: 'a/b', QUANT_KAFKA_CONSUMER_CONCURRENCY: '0' } }));
    expect(error.message).toContain('QUANT_KAFKA_TOPIC_PREFIX="a/b"');
    expect(error.message).toContain('QUANT_KAFKA_CONSUMER_CONCURRENCY="0": expected an integer between 1 and 64');
  });

  it('rejects brokers without a port and reports every bad variable at once', () => {
    const error = configError(() =>
      loadConfig({ ...base, env: { QUANT_KAFKA_BROKERS: 'localhost', QUANT_LOG_LEVEL: 'loud', QUANT_OTEL_EXPORTER: 'jaeger' } }),
    );
    expect(error.message).toContain('QUANT_KAFKA_BROKERS="localhost": expected a comma-separated list of host:port');
    expect(error.message).toContain('QUANT_LOG_LEVEL="loud"');
    expect(error.message).toContain('QUANT_OTEL_EXPORTER="jaeger": expected one of none, console, otlp');
  });

  it('rejects a non-http OTLP endpoint and a bad database name', () => {
    const error = configError(() =>
      loadConfig({ ...base, env: { QUANT_OTEL_ENDPOINT: 'grpc://x:4317', QUANT_STORE_DATABASE: 'my-db' } }),
    );
    expect(error.message).toContain('QUANT_OTEL_ENDPOINT="grpc://x:4317"');
    expect(error.message).toContain('QUANT_STORE_DATABASE="my-db"');
  });

  it('validates service-specific variables with the base ones', () => {
    const extend = { QUANT_FEATURES_WINDOW: z.string().regex(/^\d+$/, { error: 'a whole number of days' }).transform(Number).default(20) };
    expect(loadConfig({ ...base, env: { QUANT_FEATURES_WINDOW: '60' }, extend }).extra.QUANT_FEATURES_WINDOW).toBe(60);
    expect(loadConfig({ ...base, env: {}, extend }).extra.QUANT_FEATURES_WINDOW).toBe(20);
    const error = configError(() => loadConfig({ ...base, env: { QUANT_FEATURES_WINDOW: 'sixty' }, extend }));
    expect(error.message).toContain('QUANT_FEATURES_WINDOW="sixty": expected a whole number of days');
  });

  it('refuses a service schema that redefines a base variable', () => {
    const error = configError(() => loadConfig({ ...base, env: {}, extend: { QUANT_BUS: z.string() } }));
    expect(error.code).toBe('CONFIG_SCHEMA_INVALID');
  });
});
