// Behaviour of the in-process bus beyond the shared contract (bus.in-process.spec.ts runs that one).
import { describe, expect, it } from 'vitest';
import { HEADER, createInProcessBus, jsonDeadLetterCodec } from '../src/index';
import type { BusMessage, MessageBus } from '../src/index';

const msg = (key: string | null, n: number) => ({ key, value: Buffer.from(String(n)), headers: { [HEADER.eventId]: `e${n}` } });
const values = (ms: BusMessage[]) => ms.map((m) => m.value.toString());

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collector(bus: MessageBus, groupId: string, topic: string, extra: { fromBeginning?: boolean } = {}) {
  const got: BusMessage[] = [];
  const subscription = bus.subscribe({ groupId, topics: [topic], handler: async (ms) => void got.push(...ms), ...extra });
  return { got, subscription };
}

describe('in-process bus', () => {
  it('rejects bad input with a message naming what and where', async () => {
    const bus = createInProcessBus();
    await expect(bus.publish('bad topic!', [])).rejects.toThrow(/publish: invalid topic name "bad topic!"/);
    await expect(bus.publish('t', [{ key: 'k', value: 'text' as unknown as Buffer }])).rejects.toThrow(/publish\(t\): message 0: value must be a Buffer/);
    await expect(bus.ensureTopics([{ name: 't', partitions: 0 }])).rejects.toThrow(/topic t: partitions must be a positive integer, got 0/);
    await expect(bus.subscribe({ groupId: 'g', topics: [], handler: async () => undefined })).rejects.toThrow(/subscribe\(g\): topics must be a non-empty array/);
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], maxBatchSize: 0, handler: async () => undefined })).rejects.toThrow(/maxBatchSize must be an integer >= 1, got 0/);
    await bus.close();
    await expect(bus.publish('t', [])).rejects.toMatchObject({ code: 'BUS_CLOSED' });
  });

  it('gives every consumer group its own committed position', async () => {
    const bus = createInProcessBus();
    await bus.ensureTopics([{ name: 't', partitions: 2 }]);
    await bus.publish('t', [msg('a', 1), msg('b', 2), msg('c', 3)]);
    const one = collector(bus, 'one', 't');
    const two = collector(bus, 'two', 't');
    await Promise.all([one.subscription, two.subscription]);
    await until(() => one.got.length === 3 && two.got.length === 3, 'both groups');
    expect(values(one.got).sort()).toEqual(['1', '2', '3']);
    expect(values(two.got).sort()).toEqual(['1', '2', '3']);
    await bus.close();
  });

  it('starts a new group at the end when fromBeginning is false', async () => {
    const bus = createInProcessBus();
    await bus.publish('t', [msg('a', 1)]);
    const late = collector(bus, 'late', 't', { fromBeginning: false });
    await late.subscription;
    await bus.publish('t', [msg('a', 2)]);
    await until(() => late.got.length === 1, 'the new message');
    expect(values(late.got)).toEqual(['2']);
    await bus.close();
  });

  it('spreads keyless messages round-robin over the partitions', async () => {
    const bus = createInProcessBus();
    await bus.ensureTopics([{ name: 't', partitions: 4 }]);
    await bus.publish('t', Array.from({ length: 8 }, (_, i) => msg(null, i)));
    const c = collector(bus, 'g', 't');
    await c.subscription;
    await until(() => c.got.length === 8, 'all messages');
    const perPartition = [0, 1, 2, 3].map((p) => c.got.filter((m) => m.partition === p).length);
    expect(perPartition).toEqual([2, 2, 2, 2]);
    await bus.close();
  });

  it('on stop, lets the in-flight batch finish and commits it', async () => {
    const bus = createInProcessBus();
    await bus.publish('t', [msg('k', 1), msg('k', 2)]);
    let started = false;
    const handled: string[] = [];
    const sub = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (ms) => {
        started = true;
        await new Promise((r) => setTimeout(r, 50));
        handled.push(...values(ms));
      },
    });
    await until(() => started, 'the batch to start');
    await sub.stop();
    expect(handled).toEqual(['1', '2']);
    const next = collector(bus, 'g', 't');
    await next.subscription;
    await bus.publish('t', [msg('k', 3)]);
    await until(() => next.got.length >= 1, 'the next message');
    expect(values(next.got)).toEqual(['3']); // 1 and 2 were committed, not redelivered
    await bus.close();
  });

  it('neither retries nor dead-letters a handler that gives up because the subscription stops', async () => {
    const bus = createInProcessBus();
    await bus.publish('t', [msg('k', 1)]);
    let calls = 0;
    const sub = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      deadLetterTopic: 'dlq',
      handler: async (_ms, { signal }) => {
        calls++;
        await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      },
    });
    await until(() => calls === 1, 'the handler');
    await sub.stop();
    expect(calls).toBe(1);
    const dlq = collector(bus, 'dlq-reader', 'dlq');
    const again = collector(bus, 'g', 't');
    await Promise.all([dlq.subscription, again.subscription]);
    await until(() => again.got.length === 1, 'the redelivery');
    expect(dlq.got).toEqual([]);
    await bus.close();
  });

  it('drops the oldest messages past maxMessagesPerPartition, and a late group starts at the oldest kept', async () => {
    const bus = createInProcessBus({ maxMessagesPerPartition: 10 });
    await bus.publish('t', Array.from({ length: 40 }, (_, i) => msg('k', i)));
    const c = collector(bus, 'g', 't');
    await c.subscription;
    await until(() => c.got.some((m) => m.value.toString() === '39'), 'the last message');
    expect(c.got.length).toBeGreaterThanOrEqual(10);
    expect(c.got.length).toBeLessThan(40);
    expect(Number(c.got[0]!.offset)).toBe(40 - c.got.length);
    await bus.close();
  });

  it('uses the dead-letter codec it was given', async () => {
    const encoded: string[] = [];
    const bus = createInProcessBus({
      deadLetterCodec: { encode: (r) => (encoded.push(r.errorCode), jsonDeadLetterCodec.encode(r)), decode: jsonDeadLetterCodec.decode },
    });
    await bus.publish('t', [msg('k', 1)]);
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => Promise.reject(new TypeError('boom')) });
    await until(() => encoded.length === 1, 'the dead letter');
    expect(encoded).toEqual(['TypeError']);
    await bus.close();
  });

  it('with trimConsumed, forgets only what every subscribed group committed', async () => {
    const bus = createInProcessBus({ trimConsumed: true });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    const fast = collector(bus, 'fast', 't');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slowGot: BusMessage[] = [];
    const slow = bus.subscribe({
      groupId: 'slow',
      topics: ['t'],
      handler: async (ms) => {
        await gate;
        slowGot.push(...ms);
      },
    });
    await Promise.all([fast.subscription, slow]);
    await bus.publish('t', Array.from({ length: 5000 }, (_, i) => msg('k', i)));
    await until(() => fast.got.length === 5000, 'the fast group');
    // The slow group holds its first batch: nothing it has not committed may be dropped.
    release();
    await until(() => slowGot.length === 5000, 'the slow group');
    expect(values(slowGot)).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
    // Both groups committed everything: a group joining now finds the consumed messages gone.
    const late = collector(bus, 'late', 't', { fromBeginning: true });
    await late.subscription;
    await bus.publish('t', [msg('k', 5000)]);
    await until(() => late.got.some((m) => m.value.toString() === '5000'), 'the late group');
    expect(late.got.length).toBeLessThan(5001);
    await bus.close();
  });

  it('without trimConsumed keeps consumed messages for later groups', async () => {
    const bus = createInProcessBus();
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    const first = collector(bus, 'first', 't');
    await first.subscription;
    await bus.publish('t', Array.from({ length: 5000 }, (_, i) => msg('k', i)));
    await until(() => first.got.length === 5000, 'the first group');
    const late = collector(bus, 'late', 't', { fromBeginning: true });
    await until(() => late.got.length === 5000, 'the late group');
    await bus.close();
  });
});
