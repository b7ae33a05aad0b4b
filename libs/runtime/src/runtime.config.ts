import { z } from 'zod';
import { QuantError } from '@quant/errors';

/**
 * Runtime configuration, read from environment variables once at boot and validated into a typed
 * object (see README of @quant/runtime for the table of variables). Keys of the env schemas ARE the
 * variable names, so every validation issue names the variable the operator has to fix.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type OtelExporter = 'none' | 'console' | 'otlp';

export interface RuntimeConfig {
  service: string;
  logLevel: LogLevel;
  bus:
    | { kind: 'in-process' }
    | { kind: 'kafka'; brokers: string[]; clientId: string; topicPrefix: string; consumerConcurrency: number };
  /** Consumer group of the service's single subscription. */
  consumerGroup: string;
  store: { location: string; database: string | undefined };
  http: { host: string; port: number };
  otel: { exporter: OtelExporter; endpoint: string };
  /** Upper bound for the whole graceful shutdown; past it the process exits with a failure. */
  shutdownTimeoutMs: number;
}

export type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const BUS_KINDS = ['in-process', 'kafka'] as const;
const OTEL_EXPORTERS = ['none', 'console', 'otlp'] as const;
const BROKER = /^[A-Za-z0-9_.-]+:\d{1,5}$/;

const nonEmpty = (expected: string) => z.string({ error: expected }).trim().min(1, { error: expected });

const integer = (min: number, max: number, expected: string) =>
  z
    .string({ error: expected })
    .trim()
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: expected });

/** Base variables every service understands. Defaults suit a developer laptop (in-process bus, chdb). */
export const baseEnvSchema = z.object({
  QUANT_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  QUANT_BUS: z.enum(BUS_KINDS, { error: `one of ${BUS_KINDS.join(', ')}` }).default('in-process'),
  QUANT_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
    .refine((brokers) => brokers.length > 0 && brokers.every((b) => BROKER.test(b)), {
      error: 'a comma-separated list of host:port',
    }),
  QUANT_KAFKA_CLIENT_ID: nonEmpty('a non-empty Kafka client id').optional(),
  QUANT_KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, { error: 'letters, digits, ".", "_" or "-" (part of a Kafka topic name)' })
    .default(''),
  QUANT_KAFKA_CONSUMER_CONCURRENCY: integer(1, 64, 'an integer between 1 and 64 (partitions handled at once)').default(4),
  QUANT_CONSUMER_GROUP: nonEmpty('a non-empty consumer group id').optional(),
  QUANT_STORE: nonEmpty('a chdb data directory or a ClickHouse URL (clickhouse://, http://, https://)').default(
    './.quant/store',
  ),
  QUANT_STORE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'a ClickHouse database identifier ([A-Za-z_][A-Za-z0-9_]*)' })
    .optional(),
  QUANT_HTTP_HOST: nonEmpty('a host name or IP address to listen on').default('0.0.0.0'),
  QUANT_HTTP_PORT: integer(0, 65535, 'an integer port between 0 and 65535 (0 picks a free port)').optional(),
  QUANT_OTEL_EXPORTER: z.enum(OTEL_EXPORTERS, { error: `one of ${OTEL_EXPORTERS.join(', ')}` }).default('none'),
  QUANT_OTEL_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318' })
    .default('http://127.0.0.1:4318'),
  QUANT_SHUTDOWN_TIMEOUT_MS: integer(1, 600_000, 'an integer number of milliseconds between 1 and 600000').default(
    25_000,
  ),
});

/** Extra variables of one service: keys are variable names, values zod schemas of the raw string. */
export type EnvShape = Record<string, z.ZodType>;

export interface LoadConfigOptions<E extends EnvShape> {
  service: string;
  /** Port used when QUANT_HTTP_PORT is unset. */
  defaultHttpPort: number;
  env?: Env;
  /** Service-specific variables, validated with the base ones and returned under `extra`. */
  extend?: E;
}

export type ServiceConfig<E extends EnvShape = EnvShape> = RuntimeConfig & {
  extra: { [K in keyof E]: z.output<E[K]> };
};

interface ConfigIssue {
  variable: string;
  value: string | undefined;
  expected: string;
}

/**
 * Validates the environment once. A bad value throws QuantError CONFIG_INVALID whose message names
 * each offending variable, the value found and what was expected; nothing is half-configured.
 */
export function loadConfig<E extends EnvShape = Record<never, never>>(options: LoadConfigOptions<E>): ServiceConfig<E> {
  const env = options.env ?? process.env;
  const extraShape = (options.extend ?? {}) as E;
  const clash = Object.keys(extraShape).filter((k) => k in baseEnvSchema.shape);
  if (clash.length > 0) {
    throw new QuantError('CONFIG_SCHEMA_INVALID', `service ${options.service} redefines base variable(s) ${clash.join(', ')}`);
  }
  const schema = baseEnvSchema.extend(extraShape);
  // Empty strings mean "unset" (a blank line in an env file or a Helm value left empty).
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues: ConfigIssue[] = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      return { variable, value: env[variable], expected: issue.message };
    });
    throw configError(options.service, issues);
  }
  const raw = parsed.data as z.output<typeof baseEnvSchema> & Record<string, unknown>;
  const extra = {} as Record<string, unknown>;
  for (const key of Object.keys(extraShape)) extra[key] = raw[key];

  return {
    service: options.service,
    logLevel: raw.QUANT_LOG_LEVEL,
    bus:
      raw.QUANT_BUS === 'kafka'
        ? {
            kind: 'kafka',
            brokers: raw.QUANT_KAFKA_BROKERS,
            clientId: raw.QUANT_KAFKA_CLIENT_ID ?? `quant-${options.service}`,
            topicPrefix: raw.QUANT_KAFKA_TOPIC_PREFIX,
            consumerConcurrency: raw.QUANT_KAFKA_CONSUMER_CONCURRENCY,
          }
        : { kind: 'in-process' },
    consumerGroup: raw.QUANT_CONSUMER_GROUP ?? `quant.${options.service}`,
    store: { location: raw.QUANT_STORE, database: raw.QUANT_STORE_DATABASE },
    http: { host: raw.QUANT_HTTP_HOST, port: raw.QUANT_HTTP_PORT ?? options.defaultHttpPort },
    otel: { exporter: raw.QUANT_OTEL_EXPORTER, endpoint: raw.QUANT_OTEL_ENDPOINT.replace(/\/+$/, '') },
    shutdownTimeoutMs: raw.QUANT_SHUTDOWN_TIMEOUT_MS,
    extra: extra as ServiceConfig<E>['extra'],
  };
}

function configError(service: string, issues: ConfigIssue[]): QuantError {
  const lines = issues.map(
    (i) => `${i.variable}=${i.value === undefined ? '(unset)' : JSON.stringify(i.value)}: expected ${i.expected}`,
  );
  const first = issues[0];
  return new QuantError('CONFIG_INVALID', `invalid configuration for service ${service}: ${lines.join('; ')}`, {
    details: {
      service,
      variable: first?.variable ?? null,
      value: first?.value ?? null,
      expected: first?.expected ?? null,
    },
  });
}
