import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MessageBus, Subscription, TopicSpec } from '@quant/bus';
import { createInProcessBus, createKafkaBus } from '@quant/bus';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import type { TopicDefinition } from '@quant/contracts';
import { Topics, deadLetterCodec } from '@quant/contracts';
import { QuantError, describeError } from '@quant/errors';
import type { Env, EnvShape, ServiceConfig } from './runtime.config';
import { loadConfig } from './runtime.config';
import type { LogSink } from './json.logger';
import { JsonLogger } from './json.logger';
import type { Telemetry } from './telemetry.sdk';
import { startTelemetry } from './telemetry.sdk';
import { HandlerRegistry } from './handler.registry';
import { EventPublisher } from './event.publisher';
import { HealthService, busCheck, storeCheck } from './health.service';
import { RuntimeModule } from './runtime.module';

export interface ServiceDefinition<E extends EnvShape = EnvShape> {
  /** Short name: `features`. Used for logs, the consumer group and the Kafka client id. */
  name: string;
  /** The service's Nest module; its providers register handlers with HANDLER_REGISTRY. */
  module: Type<unknown> | DynamicModule;
  /** Port when QUANT_HTTP_PORT is unset. */
  defaultHttpPort: number;
  /** Topics the service MUST handle: boot fails with TOPIC_WITHOUT_HANDLER when one has no handler. */
  consumes: readonly TopicDefinition<unknown>[];
  /** Topics the service publishes; created at boot with the consumed ones. */
  publishes?: readonly TopicDefinition<unknown>[];
  /** Service-specific environment variables (keys are variable names). */
  env?: E;
}

export interface BootOptions {
  /** Defaults to process.env. */
  env?: Env;
  /** Use this bus instead of creating one from config (tests, the one-process `quant` command). */
  bus?: MessageBus;
  /** Use this store instead of opening QUANT_STORE. */
  store?: Store;
  logSink?: LogSink;
}

export interface ShutdownStep {
  step: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ShutdownReport {
  ok: boolean;
  reason: string;
  steps: ShutdownStep[];
}

export interface RunningService<E extends EnvShape = EnvShape> {
  readonly app: INestApplication;
  readonly config: ServiceConfig<E>;
  readonly logger: JsonLogger;
  readonly bus: MessageBus;
  readonly store: Store;
  readonly registry: HandlerRegistry;
  readonly publisher: EventPublisher;
  readonly health: HealthService;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:41233. */
  readonly url: string;
  /**
   * Graceful shutdown, idempotent: fail readiness, stop consuming (the in-flight batch finishes and
   * is committed), close the app (Nest hooks, HTTP), flush and close the bus, close the store, shut
   * down OpenTelemetry last. Every step runs even when an earlier one failed or timed out.
   */
  close(reason?: string): Promise<ShutdownReport>;
}

/** Partial state during boot so a failure releases what was already opened. */
interface Resources {
  telemetry?: Telemetry;
  bus?: MessageBus;
  store?: Store;
  app?: INestApplication;
  subscription?: Subscription;
  health?: HealthService;
}

/**
 * Boots one service: config (fails fast with CONFIG_INVALID), JSON logger, OpenTelemetry, bus and
 * store, the Nest app with GET /health, the handler check (TOPIC_WITHOUT_HANDLER), topic creation,
 * one subscription for all handled topics, then the HTTP listener. On any failure everything
 * opened so far is closed again before the error is rethrown.
 */
export async function bootstrapService<E extends EnvShape>(
  definition: ServiceDefinition<E>,
  options: BootOptions = {},
): Promise<RunningService<E>> {
  const config = loadConfig({
    service: definition.name,
    defaultHttpPort: definition.defaultHttpPort,
    env: options.env ?? process.env,
    ...(definition.env === undefined ? {} : { extend: definition.env }),
  });
  const logger = new JsonLogger({
    service: definition.name,
    level: config.logLevel,
    ...(options.logSink === undefined ? {} : { sink: options.logSink }),
  });
  const log = logger.child('ServiceBootstrap');
  const resources: Resources = {};
  try {
    resources.telemetry = startTelemetry(definition.name, config.otel);
    const bus = (resources.bus = options.bus ?? createBus(config));
    const store = (resources.store =
      options.store ??
      (await openStore(config.store.location, config.store.database === undefined ? {} : { database: config.store.database })));

    const registry = new HandlerRegistry(definition.name);
    const publisher = new EventPublisher(bus);
    const health = (resources.health = new HealthService(definition.name));

    const ServiceRootModule = rootModuleClass(definition.name);
    const root: DynamicModule = {
      module: ServiceRootModule,
      imports: [RuntimeModule.forRoot({ config, logger, bus, store, registry, publisher, health }), definition.module],
    };
    const app = (resources.app = await NestFactory.create(root, {
      logger,
      // Without this Nest calls process.abort() on a DI error, which kills test workers and hides the message.
      abortOnError: false,
      // Keep-alive sockets would otherwise hold the HTTP server open during shutdown.
      forceCloseConnections: true,
    }));
    await app.init();

    registry.assertHandles(definition.consumes);
    const topicSpecs = specsOf([...registry.topics(), ...(definition.publishes ?? []), Topics.deadLetter]);
    await bus.ensureTopics(topicSpecs);
    health.register('bus', busCheck(bus, topicSpecs));
    health.register('store', storeCheck(store));

    const topics = registry.topicNames();
    if (topics.length > 0) {
      resources.subscription = await bus.subscribe({
        groupId: config.consumerGroup,
        topics,
        handler: registry.dispatch,
        deadLetterTopic: Topics.deadLetter.name,
        // The bus abandons (uncommitted, so redelivered) a batch still running past this, leaving the
        // rest of the shutdown budget to flushing the producer and closing the store.
        shutdownTimeoutMs: Math.floor(config.shutdownTimeoutMs * 0.6),
      });
    }

    await app.listen(config.http.port, config.http.host);
    const url = urlOf(app, config.http.host);
    log.info('service started', {
      url,
      bus: bus.kind,
      store: config.store.location.replace(/\/\/[^@/]*@/, '//'),
      consumerGroup: config.consumerGroup,
      topics,
      otel: config.otel.exporter,
    });

    let closing: Promise<ShutdownReport> | undefined;
    return {
      app,
      config,
      logger,
      bus,
      store,
      registry,
      publisher,
      health,
      url,
      close: (reason = 'close requested') => (closing ??= shutdown(resources, reason, config.shutdownTimeoutMs, log)),
    };
  } catch (error) {
    log.error('boot failed, releasing what was opened', error instanceof Error ? error : { error: String(error) });
    await shutdown(resources, 'boot failed', config.shutdownTimeoutMs, log);
    throw error;
  }
}

/**
 * Entry point for a service's main.ts: boots, then turns SIGTERM/SIGINT into a graceful shutdown
 * and exits 0 when it completed cleanly, 1 otherwise. A boot failure is logged as one JSON line and
 * exits 1. A second signal during shutdown exits at once.
 */
export async function runService<E extends EnvShape>(
  definition: ServiceDefinition<E>,
  options: BootOptions = {},
): Promise<RunningService<E> | undefined> {
  let running: RunningService<E>;
  try {
    running = await bootstrapService(definition, options);
  } catch (error) {
    const logger = new JsonLogger({ service: definition.name, ...(options.logSink ? { sink: options.logSink } : {}) });
    logger.fatal('service failed to boot', error instanceof Error ? error : { error: String(error) });
    process.exit(1);
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      running.logger.error('second signal during shutdown, exiting now', { signal });
      process.exit(1);
    }
    signalled = true;
    void running.close(signal).then(
      (report) => process.exit(report.ok ? 0 : 1),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return running;
}

function createBus(config: ServiceConfig): MessageBus {
  if (config.bus.kind === 'in-process') return createInProcessBus({ deadLetterCodec });
  return createKafkaBus({
    brokers: config.bus.brokers,
    clientId: config.bus.clientId,
    topicPrefix: config.bus.topicPrefix,
    // Several partitions at once: per-partition order holds, and batch consumers (the store writer)
    // gather larger inserts.
    consumer: { partitionsConsumedConcurrently: config.bus.consumerConcurrency },
    deadLetterCodec,
    logLevel: config.logLevel === 'debug' ? 'info' : config.logLevel === 'error' ? 'error' : 'warn',
  });
}

const MIN_STEP_GRACE_MS = 1_000;

async function shutdown(resources: Resources, reason: string, timeoutMs: number, log: JsonLogger): Promise<ShutdownReport> {
  const deadline = Date.now() + timeoutMs;
  const steps: ShutdownStep[] = [];
  log.info('shutdown started', { reason, timeoutMs });
  resources.health?.startDraining();
  const run = async (step: string, action: (() => Promise<unknown>) | undefined) => {
    if (action === undefined) return;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        action(),
        new Promise<never>((_, reject) => {
          // Past the deadline each remaining step still gets a short grace: closing the store must not
          // be skipped because consuming took too long.
          const left = Math.max(Math.min(MIN_STEP_GRACE_MS, timeoutMs), deadline - Date.now());
          timer = setTimeout(
            () => reject(new QuantError('SHUTDOWN_TIMEOUT', `${step} did not finish within the shutdown deadline (${timeoutMs} ms)`)),
            left,
          );
        }),
      ]);
      steps.push({ step, ok: true, ms: Date.now() - started });
    } catch (error) {
      const { code, message } = describeError(error);
      steps.push({ step, ok: false, ms: Date.now() - started, error: `${code}: ${message}` });
      log.error(`shutdown step ${step} failed`, error instanceof Error ? error : { error: String(error) });
    } finally {
      clearTimeout(timer);
    }
  };
  const { subscription, app, bus, store, telemetry } = resources;
  await run('stop consuming', subscription && (() => subscription.stop()));
  await run('close app', app && (() => app.close()));
  await run('close bus', bus && (() => bus.close()));
  await run('close store', store && (() => store.close()));
  await run('shut down telemetry', telemetry && (() => telemetry.shutdown()));
  const report: ShutdownReport = { ok: steps.every((s) => s.ok), reason, steps };
  log.info('shutdown complete', { ok: report.ok, reason, steps });
  return report;
}

function specsOf(topics: readonly TopicDefinition<unknown>[]): TopicSpec[] {
  const byName = new Map<string, TopicSpec>();
  for (const t of topics) byName.set(t.name, { name: t.name, partitions: t.partitions });
  return [...byName.values()];
}

function urlOf(app: INestApplication, host: string): string {
  const address = app.getHttpServer().address() as { port: number } | string | null;
  if (address === null || typeof address === 'string') {
    throw new QuantError('HTTP_ADDRESS_UNKNOWN', `HTTP server has no TCP address (${String(address)})`);
  }
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

/** A fresh root module class per boot, so several apps can boot in one process (tests, the CLI). */
function rootModuleClass(service: string): Type<unknown> {
  const root = class {};
  Object.defineProperty(root, 'name', { value: `${service.replace(/[^A-Za-z0-9]/g, '')}RootModule` });
  Module({})(root);
  return root;
}
