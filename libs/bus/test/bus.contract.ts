/**
 * The one contract every MessageBus adapter passes: in-process (unit) and Kafka on a real broker
 * (integration). Each test uses its own topics and groups, so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { QuantError } from '@quant/errors';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HEADER, jsonDeadLetterCodec, partitionForKey } from '../src/index';
import type { BusMessage, DeadLetterRecord, MessageBus, SubscribeOptions, Subscription } from '../src/index';

export interface BusContractOptions {
  /** Prefix of every topic and group the suite creates (lets a suite clean up after itself). */
  namePrefix?: string;
  /** How long to wait for an expected delivery. */
  waitMs?: number;
}

interface TestEvent {
  key: string;
  seq: number;
  poison?: boolean;
}

const rand = (): string => randomBytes(4).toString('hex');

function event(key: string, seq: number, extra: Partial<TestEvent> = {}): { key: string; value: Buffer; headers: Record<string, string> } {
  const body: TestEvent = { key, seq, ...extra };
  return { key, value: Buffer.from(JSON.stringify(body)), headers: { [HEADER.eventId]: `${key}#${seq}` } };
}

const bodyOf = (m: BusMessage): TestEvent => JSON.parse(m.value.toString('utf8')) as TestEvent;

/** A downstream effect made idempotent by the eventId header, as every platform consumer is. */
class DedupSink {
  readonly seen = new Set<string>();
  readonly effects: Array<{ eventId: string; key: string; seq: number; by: string; partition: number }> = [];
  readonly deliveries = new Map<string, number>();
  readonly handledBy = new Map<string, number>();

  apply(m: BusMessage, by = 'consumer'): void {
    const eventId = m.headers[HEADER.eventId];
    if (!eventId) throw new Error(`message at ${m.topic}[${m.partition}]@${m.offset} has no ${HEADER.eventId} header`);
    this.deliveries.set(eventId, (this.deliveries.get(eventId) ?? 0) + 1);
    this.handledBy.set(by, (this.handledBy.get(by) ?? 0) + 1);
    if (this.seen.has(eventId)) return;
    this.seen.add(eventId);
    const { key, seq } = bodyOf(m);
    this.effects.push({ eventId, key, seq, by, partition: m.partition });
  }

  seqsByKey(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const e of this.effects) out.set(e.key, [...(out.get(e.key) ?? []), e.seq]);
    return out;
  }
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function describeBusContract(name: string, factory: () => MessageBus | Promise<MessageBus>, options: BusContractOptions = {}): void {
  const prefix = options.namePrefix ?? 'bus-contract';
  const waitMs = options.waitMs ?? 20_000;

  describe(`MessageBus contract: ${name}`, () => {
    let bus: MessageBus;
    const subscriptions: Subscription[] = [];
    const releases: Array<() => void> = [];
    const names = (test: string) => {
      const id = `${prefix}-${test}-${rand()}`;
      return { topic: id, group: `${id}-g`, dlq: `${id}-dlq` };
    };
    const subscribe = async (o: SubscribeOptions): Promise<Subscription> => {
      const s = await bus.subscribe({ shutdownTimeoutMs: 2_000, retryBackoffMs: 5, ...o });
      subscriptions.push(s);
      return s;
    };

    /** Every dead letter on `dlq`, read up to a marker we publish ourselves (proves "nothing else"). */
    const readDeadLetters = async (dlq: string): Promise<DeadLetterRecord[]> => {
      const marker = `marker-${rand()}`;
      await bus.publish(dlq, [{ key: marker, value: Buffer.from('marker'), headers: { [HEADER.eventId]: marker } }]);
      const records: DeadLetterRecord[] = [];
      let done = false;
      const reader = await subscribe({
        groupId: `${dlq}-reader-${rand()}`,
        topics: [dlq],
        handler: async (messages) => {
          for (const m of messages) {
            if (m.key === marker) done = true;
            else records.push(jsonDeadLetterCodec.decode(m.value));
          }
        },
      });
      await waitFor(`the marker on ${dlq}`, () => done, waitMs);
      await reader.stop();
      return records;
    };

    beforeAll(async () => {
      // With no SDK the OpenTelemetry API is a no-op: register what a service's SDK would.
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    });

    afterAll(() => {
      propagation.disable();
      context.disable();
    });

    afterEach(async () => {
      for (const release of releases.splice(0)) release();
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await bus?.close();
    });

    it('keeps the order of messages per key across many keys and partitions', async () => {
      bus = await factory();
      const { topic, group } = names('order');
      const partitions = 4;
      await bus.ensureTopics([{ name: topic, partitions }]);
      const keys = Array.from({ length: 25 }, (_, i) => `SH60${String(i).padStart(4, '0')}`);
      const perKey = 40;
      const sink = new DedupSink();
      const misrouted: string[] = [];
      await subscribe({
        groupId: group,
        topics: [topic],
        maxBatchSize: 37,
        handler: async (messages) => {
          for (const m of messages) {
            if (m.partition !== partitionForKey(m.key ?? '', partitions)) misrouted.push(`${m.key}->${m.partition}`);
            sink.apply(m);
          }
        },
      });
      for (let round = 0; round < 10; round++) {
        const batch = [];
        for (let seq = round * 4; seq < round * 4 + 4; seq++) for (const key of keys) batch.push(event(key, seq));
        await bus.publish(topic, batch);
      }
      await waitFor('every message', () => sink.effects.length === keys.length * perKey, waitMs);

      expect(misrouted).toEqual([]);
      const expected = Array.from({ length: perKey }, (_, i) => i);
      for (const [key, seqs] of sink.seqsByKey()) expect(seqs, key).toEqual(expected);
      expect(new Set(sink.effects.map((e) => e.partition)).size).toBeGreaterThanOrEqual(3);
    });

    it('redelivers a message a killed consumer handled but never committed; dedup keeps the effect single', async () => {
      bus = await factory();
      const { topic, group } = names('crash');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [event('K', 0), event('K', 1), event('K', 2)]);
      const sink = new DedupSink();

      let hung = false;
      let release!: () => void;
      const never = new Promise<void>((r) => (release = r));
      releases.push(release);
      const doomed = await subscribe({
        groupId: group,
        topics: [topic],
        maxBatchSize: 1,
        shutdownTimeoutMs: 300,
        handler: async (messages) => {
          for (const m of messages) sink.apply(m, 'doomed');
          // The effect of K#1 is done; the "process" now freezes before the bus can commit it.
          if (messages.some((m) => bodyOf(m).seq === 1)) {
            hung = true;
            await never;
          }
        },
      });
      await waitFor('the doomed consumer to handle K#1', () => hung, waitMs);
      await doomed.stop(); // past shutdownTimeoutMs the batch is abandoned: killed without a commit

      await subscribe({ groupId: group, topics: [topic], handler: async (messages) => messages.forEach((m) => sink.apply(m, 'survivor')) });
      await waitFor('K#2', () => sink.seen.has('K#2'), waitMs);

      expect(sink.deliveries.get('K#0')).toBe(1); // committed after success: not redelivered
      expect(sink.deliveries.get('K#1')).toBe(2); // handled, not committed: delivered again
      expect(sink.effects.map((e) => e.eventId)).toEqual(['K#0', 'K#1', 'K#2']);
      expect(sink.effects.find((e) => e.eventId === 'K#1')?.by).toBe('doomed');
    });

    it('dead-letters a poison message with its reason and keeps its partition flowing', async () => {
      bus = await factory();
      const { topic, group, dlq } = names('poison');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const sink = new DedupSink();
      await subscribe({
        groupId: group,
        topics: [topic],
        deadLetterTopic: dlq,
        maxRetries: 2,
        handler: async (messages) => {
          // A batch handler that validates first: one bad message fails the whole batch.
          if (messages.some((m) => bodyOf(m).poison)) throw new QuantError('BAR_INVALID', 'close is negative', { details: { field: 'close' } });
          for (const m of messages) sink.apply(m);
        },
      });
      const poison = event('P', 1, { poison: true });
      await bus.publish(topic, [event('P', 0), poison, event('P', 2), event('P', 3)]);
      await waitFor('P#3', () => sink.seen.has('P#3'), waitMs);
      await bus.publish(topic, [event('P', 4)]);
      await waitFor('P#4 after the poison one', () => sink.seen.has('P#4'), waitMs);

      expect(sink.effects.map((e) => e.eventId)).toEqual(['P#0', 'P#2', 'P#3', 'P#4']);
      const letters = await readDeadLetters(dlq);
      expect(letters).toHaveLength(1);
      const letter = letters[0]!;
      expect(letter).toMatchObject({
        sourceTopic: topic,
        partition: 0,
        offset: '1',
        key: 'P',
        errorCode: 'BAR_INVALID',
        reason: 'close is negative',
        consumerGroup: group,
      });
      expect(letter.payload.equals(poison.value)).toBe(true);
      expect(letter.headers[HEADER.eventId]).toBe('P#1');
      // Non-retriable: never retried, only re-run alone to isolate it from its batch.
      expect(letter.attempts).toBeGreaterThanOrEqual(1);
      expect(letter.attempts).toBeLessThanOrEqual(2);
      expect(letter.failedAt).toBeGreaterThan(Date.now() - 60_000);
    });

    it('retries a retriable error with backoff and then succeeds without dead-lettering', async () => {
      bus = await factory();
      const { topic, group, dlq } = names('retry');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const sink = new DedupSink();
      const calls: number[] = [];
      let failuresLeft = 2;
      await subscribe({
        groupId: group,
        topics: [topic],
        deadLetterTopic: dlq,
        maxRetries: 3,
        retryBackoffMs: 20,
        handler: async (messages) => {
          calls.push(Date.now());
          if (failuresLeft > 0) {
            failuresLeft--;
            throw new QuantError('STORE_BUSY', 'store is busy', { retriable: true });
          }
          for (const m of messages) sink.apply(m);
        },
      });
      await bus.publish(topic, [event('R', 0), event('R', 1)]);
      await waitFor('R#1', () => sink.seen.has('R#1'), waitMs);

      expect(sink.effects.map((e) => e.eventId)).toEqual(['R#0', 'R#1']);
      expect(calls.length).toBeGreaterThanOrEqual(3);
      // Backoff doubles: at least 20 ms then 40 ms between the three first calls.
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(15);
      expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(35);
      expect(await readDeadLetters(dlq)).toEqual([]);
    });

    it('dead-letters a retriable error once maxRetries is spent, counting the attempts', async () => {
      bus = await factory();
      const { topic, group, dlq } = names('exhaust');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const sink = new DedupSink();
      await subscribe({
        groupId: group,
        topics: [topic],
        deadLetterTopic: dlq,
        maxRetries: 2,
        maxBatchSize: 1,
        handler: async (messages) => {
          if (messages.some((m) => bodyOf(m).seq === 0)) throw new QuantError('STORE_BUSY', 'store is busy', { retriable: true });
          for (const m of messages) sink.apply(m);
        },
      });
      await bus.publish(topic, [event('X', 0), event('X', 1)]);
      await waitFor('X#1', () => sink.seen.has('X#1'), waitMs);
      const letters = await readDeadLetters(dlq);
      expect(letters.map((l) => [l.errorCode, l.attempts, l.offset])).toEqual([['STORE_BUSY', 3, '0']]);
    });

    it('loses no message across a consumer-group rebalance (join and leave mid-stream)', async () => {
      bus = await factory();
      const { topic, group } = names('rebalance');
      const partitions = 4;
      await bus.ensureTopics([{ name: topic, partitions }]);
      const keys = Array.from({ length: 16 }, (_, i) => `SZ00${String(i).padStart(4, '0')}`);
      const sink = new DedupSink();
      const handlerFor = (by: string) => async (messages: BusMessage[]) => {
        for (const m of messages) sink.apply(m, by);
        await new Promise((r) => setTimeout(r, 2)); // some work, so batches overlap the rebalances
      };

      let published = 0;
      let publishing = true;
      const publisher = (async () => {
        for (let seq = 0; publishing; seq++) {
          await bus.publish(topic, keys.map((k) => event(k, seq)));
          published += keys.length;
          await new Promise((r) => setTimeout(r, 15));
        }
      })();
      const handled = (by: string) => sink.handledBy.get(by) ?? 0;

      const first = await subscribe({ groupId: group, topics: [topic], maxBatchSize: 20, handler: handlerFor('first') });
      await waitFor('the first consumer to get going', () => handled('first') >= 50, waitMs);
      await subscribe({ groupId: group, topics: [topic], maxBatchSize: 20, handler: handlerFor('second') });
      await waitFor('the second consumer to get partitions', () => handled('second') >= 50, waitMs);
      await first.stop();
      const atLeave = handled('second');
      await waitFor('the second consumer to take over', () => handled('second') >= atLeave + 100, waitMs);
      publishing = false;
      await publisher;
      await waitFor(`all ${published} messages`, () => sink.effects.length === published, waitMs);

      expect(sink.seen.size).toBe(published);
      for (const [eventId, n] of sink.deliveries) expect(n, eventId).toBeGreaterThanOrEqual(1);
      // Redeliveries may repeat a message, never reorder the first effects of a key.
      for (const [key, seqs] of sink.seqsByKey()) expect(seqs, key).toEqual([...seqs].sort((a, b) => a - b));
      expect(handled('first')).toBeGreaterThan(0);
      expect(handled('second')).toBeGreaterThan(0);
    });

    it('carries the trace context from publisher to handler (W3C traceparent header)', async () => {
      bus = await factory();
      const { topic, group } = names('trace');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      const seen: Array<{ traceId: string | undefined; header: string | undefined; eventId: string | undefined }> = [];
      await subscribe({
        groupId: group,
        topics: [topic],
        maxBatchSize: 1,
        handler: async (messages) => {
          for (const m of messages) {
            seen.push({
              traceId: trace.getSpanContext(context.active())?.traceId,
              header: m.headers[HEADER.traceparent],
              eventId: m.headers[HEADER.eventId],
            });
          }
        },
      });
      const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });
      await context.with(parent, () => bus.publish(topic, [event('T', 0)]));
      await bus.publish(topic, [event('T', 1)]); // published outside any trace
      await waitFor('both messages', () => seen.length >= 2, waitMs);

      expect(seen[0]).toEqual({ traceId, header: `00-${traceId}-${spanId}-01`, eventId: 'T#0' });
      expect(seen[1]).toEqual({ traceId: undefined, header: undefined, eventId: 'T#1' });
    });
  });
}
