import { Inject, Injectable, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import type { BusMessage, MessageBus } from '@quant/bus';
import { createInProcessBus } from '@quant/bus';
import type { RetrainTrigger } from '@quant/contracts';
import { Topics, deadLetterCodec, eventExamples } from '@quant/contracts';
import { QuantError } from '@quant/errors';
import type { Store, StoreInfo } from '@quant/storage';
import type { HandlerRegistry, ServiceDefinition } from '../src';
import { HANDLER_REGISTRY, bootstrapService, waitUntil } from '../src';

/**
 * Runtime behaviour on doubles: a real in-process bus (cheap) and a store double whose health can be
 * switched off. The services' own tests boot on chdb.
 */
class StoreDouble implements Store {
  healthy = true;
  closed = false;
  async info(): Promise<StoreInfo> {
    return {
      kind: 'chdb',
      version: 'double',
      location: 'memory',
      database: 'default',
      capabilities: { queryParameters: true, lowCardinality: true, dateTime64: true },
    };
  }
  async command(): Promise<void> {}
  async query<T>(): Promise<T[]> {
    if (!this.healthy) throw new QuantError('STORE_UNAVAILABLE', 'connection refused', { retriable: true });
    return [{ ok: 1 } as T];
  }
  async insert(): Promise<void> {}
  async migrate() {
    return { applied: [], alreadyApplied: 0 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Records what it handles; modelName picks the behaviour: 'fail' throws, 'slow' waits for release(). */
@Injectable()
class ProbeHandler {
  readonly handled: string[] = [];
  readonly trail: string[];
  private release: (() => void) | undefined;
  private markStarted!: () => void;
  /** Resolves when a 'slow' event is being handled. */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry, @Inject('trail') trail: string[]) {
    this.trail = trail;
    registry.handle(Topics.retrainTrigger, async (event: RetrainTrigger) => {
      if (event.modelName === 'fail') throw new QuantError('MODEL_UNKNOWN', `no model named ${event.modelName}`);
      if (event.modelName === 'slow') {
        this.markStarted();
        await new Promise<void>((resolve) => (this.release = resolve));
        this.trail.push('slow handler finished');
      }
      this.handled.push(event.eventId);
    });
  }

  finishSlowHandler(): void {
    this.release?.();
  }
}

function probeModule(trail: string[]) {
  @Module({ providers: [ProbeHandler, { provide: 'trail', useValue: trail }] })
  class ProbeModule {}
  return ProbeModule;
}

function definition(overrides: Partial<ServiceDefinition> = {}, trail: string[] = []): ServiceDefinition {
  return { name: 'probe', module: probeModule(trail), defaultHttpPort: 0, consumes: [Topics.retrainTrigger], ...overrides };
}

const env = { QUANT_HTTP_HOST: '127.0.0.1', QUANT_HTTP_PORT: '0', QUANT_LOG_LEVEL: 'error' };
const quiet = { logSink: () => undefined };

/** A bus that notes when it was closed, to check the shutdown order. */
function tracedBus(trail: string[]): MessageBus {
  const bus = createInProcessBus({ deadLetterCodec });
  return Object.assign(Object.create(bus) as MessageBus, {
    close: async () => {
      await bus.close();
      trail.push('bus closed');
    },
  });
}

function trigger(modelName: string, eventId: string): RetrainTrigger {
  return { ...eventExamples().retrainTrigger, modelName, eventId };
}

describe('bootstrapService', () => {
  it('refuses to boot on a bad config value, naming the variable', async () => {
    const store = new StoreDouble();
    await expect(bootstrapService(definition(), { env: { ...env, QUANT_HTTP_PORT: 'abc' }, store, ...quiet })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('QUANT_HTTP_PORT="abc"'),
    });
    await expect(bootstrapService(definition(), { env: { ...env, QUANT_BUS: 'rabbit' }, store, ...quiet })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('QUANT_BUS="rabbit": expected one of in-process, kafka'),
    });
  });

  it('refuses to boot when a required topic has no handler, and releases what it opened', async () => {
    const store = new StoreDouble();
    const lines: string[] = [];
    const boot = bootstrapService(definition({ consumes: [Topics.retrainTrigger, Topics.alert] }), {
      env,
      store,
      logSink: (l) => lines.push(l),
    });
    await expect(boot).rejects.toMatchObject({
      code: 'TOPIC_WITHOUT_HANDLER',
      message: expect.stringContaining(Topics.alert.name),
      details: expect.objectContaining({ topic: Topics.alert.name }),
    });
    expect(store.closed).toBe(true);
    const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'boot failed, releasing what was opened');
    expect(failure).toMatchObject({ level: 'error', err: { code: 'TOPIC_WITHOUT_HANDLER' } });
  });

  it('answers 503 naming the failing check, and 200 again once it recovers', async () => {
    const store = new StoreDouble();
    const running = await bootstrapService(definition(), { env, store, bus: createInProcessBus({ deadLetterCodec }), ...quiet });
    try {
      store.healthy = false;
      const down = await fetch(`${running.url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'error',
        service: 'probe',
        checks: { bus: { status: 'up' }, store: { status: 'down', error: 'STORE_UNAVAILABLE: connection refused' } },
      });
      expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
      store.healthy = true;
      expect((await fetch(`${running.url}/health`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('dead-letters an event its handler rejects, with the reason, and keeps consuming', async () => {
    const running = await bootstrapService(definition(), { env, store: new StoreDouble(), bus: createInProcessBus({ deadLetterCodec }), ...quiet });
    try {
      const dead: BusMessage[] = [];
      const reader = await running.bus.subscribe({
        groupId: 'test.dead-letters',
        topics: [Topics.deadLetter.name],
        handler: async (messages) => void dead.push(...messages),
      });
      await running.publisher.publish(Topics.retrainTrigger, [trigger('fail', 'e-fail'), trigger('alpha', 'e-ok')]);
      // Not Avro at all: must not block the partition either.
      await running.bus.publish(Topics.retrainTrigger.name, [{ key: 'alpha', value: Buffer.from('not avro') }]);
      await running.publisher.publish(Topics.retrainTrigger, [trigger('alpha', 'e-after')]);
      const probe = running.app.get(ProbeHandler);
      await waitUntil(() => probe.handled.length === 2 && dead.length === 2, 'good events handled and bad ones dead-lettered');
      await reader.stop();
      expect(probe.handled).toEqual(['e-ok', 'e-after']);
      const records = dead.map((m) => deadLetterCodec.decode(m.value));
      expect(records.map((r) => [r.sourceTopic, r.errorCode, r.consumerGroup])).toEqual([
        [Topics.retrainTrigger.name, 'MODEL_UNKNOWN', 'quant.probe'],
        [Topics.retrainTrigger.name, 'EVENT_DECODE_FAILED', 'quant.probe'],
      ]);
      expect(records[0]?.reason).toBe('no model named fail');
    } finally {
      await running.close();
    }
  });

  it('shuts down after the in-flight handler finished, then flushes the bus', async () => {
    const trail: string[] = [];
    const running = await bootstrapService(definition({}, trail), { env, store: new StoreDouble(), bus: tracedBus(trail), ...quiet });
    const probe = running.app.get(ProbeHandler);
    await running.publisher.publish(Topics.retrainTrigger, [trigger('slow', 'e-slow')]);
    await probe.started;
    const closing = running.close('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    trail.push('released');
    probe.finishSlowHandler();
    const report = await closing;
    expect(report).toMatchObject({ ok: true, reason: 'SIGTERM' });
    expect(trail).toEqual(['released', 'slow handler finished', 'bus closed']);
    expect(probe.handled).toEqual(['e-slow']);
    expect(await running.close()).toBe(report); // idempotent
  });

  it('abandons a handler stuck past the consuming share of the budget, uncommitted, and closes the rest', async () => {
    const store = new StoreDouble();
    const running = await bootstrapService(definition(), {
      env: { ...env, QUANT_SHUTDOWN_TIMEOUT_MS: '300' },
      store,
      bus: createInProcessBus({ deadLetterCodec }),
      ...quiet,
    });
    const probe = running.app.get(ProbeHandler);
    await running.publisher.publish(Topics.retrainTrigger, [trigger('slow', 'e-stuck')]);
    await probe.started;
    const report = await running.close();
    probe.finishSlowHandler();
    expect(report.ok).toBe(true);
    const stop = report.steps.find((s) => s.step === 'stop consuming');
    // 60% of the 300 ms budget goes to the in-flight batch, then the bus gives it up for redelivery.
    // No upper bound on time here: the slow handler only finishes after close() returned, so a close
    // that waited for it would never return and the test would fail by its own timeout.
    expect(stop?.ms).toBeGreaterThanOrEqual(150);
    expect(store.closed).toBe(true);
    expect(probe.handled).toEqual([]);
  });

  it('reports a step that overruns the shutdown deadline and still runs the later ones', async () => {
    const store = new StoreDouble();
    const inner = createInProcessBus({ deadLetterCodec });
    // A subscription whose stop never resolves, as a wedged broker connection would behave.
    const wedged = Object.assign(Object.create(inner) as MessageBus, {
      subscribe: async (options: Parameters<MessageBus['subscribe']>[0]) => {
        await inner.subscribe(options);
        return { stop: () => new Promise<void>(() => undefined) };
      },
    });
    const running = await bootstrapService(definition(), {
      env: { ...env, QUANT_SHUTDOWN_TIMEOUT_MS: '200' },
      store,
      bus: wedged,
      ...quiet,
    });
    const report = await running.close();
    expect(report.ok).toBe(false);
    expect(report.steps[0]).toMatchObject({ step: 'stop consuming', ok: false, error: expect.stringContaining('SHUTDOWN_TIMEOUT') });
    expect(report.steps.slice(1).every((s) => s.ok)).toBe(true);
    expect(store.closed).toBe(true);
  });

  it('refuses a second handler for the same topic', async () => {
    @Injectable()
    class Twice {
      constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry) {
        registry.handle(Topics.alert, async () => undefined);
        registry.handle(Topics.alert, async () => undefined);
      }
    }
    @Module({ providers: [Twice] })
    class TwiceModule {}
    await expect(
      bootstrapService({ name: 'twice', module: TwiceModule, defaultHttpPort: 0, consumes: [] }, { env, store: new StoreDouble(), ...quiet }),
    ).rejects.toMatchObject({ code: 'HANDLER_ALREADY_REGISTERED' });
  });
});
