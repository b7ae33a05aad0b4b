import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKafkaBus } from '../src/index';
import type { BusMessage } from '../src/index';

const brokers = (process.env.QUANT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

async function collect(got: BusMessage[], n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('kafka bus: topicPrefix', () => {
  it('keeps logical names for callers and physical, prefixed names on the broker', async () => {
    const prefix = `env-${randomBytes(3).toString('hex')}.`;
    const scoped = createKafkaBus({ brokers, clientId: 'scoped', topicPrefix: prefix, logLevel: 'error', consumer: { maxWaitTimeMs: 100 } });
    const plain = createKafkaBus({ brokers, clientId: 'plain', logLevel: 'error', consumer: { maxWaitTimeMs: 100 } });
    try {
      await scoped.ensureTopics([{ name: 'orders', partitions: 2 }]);
      await scoped.publish('orders', [{ key: 'a', value: Buffer.from('1') }]);
      const seenScoped: BusMessage[] = [];
      const seenRaw: BusMessage[] = [];
      const a = await scoped.subscribe({ groupId: `${prefix}g1`, topics: ['orders'], handler: async (ms) => void seenScoped.push(...ms) });
      const b = await plain.subscribe({ groupId: `${prefix}g2`, topics: [`${prefix}orders`], handler: async (ms) => void seenRaw.push(...ms) });
      await collect(seenScoped, 1);
      await collect(seenRaw, 1);
      await a.stop();
      await b.stop();
      expect(seenScoped.map((m) => [m.topic, m.value.toString()])).toEqual([['orders', '1']]);
      expect(seenRaw.map((m) => [m.topic, m.value.toString()])).toEqual([[`${prefix}orders`, '1']]);
    } finally {
      await scoped.close();
      await plain.close();
    }
  }, 60_000);

  it('refuses a prefix that cannot be part of a topic name', () => {
    expect(() => createKafkaBus({ brokers, clientId: 'x', topicPrefix: 'bad prefix/' })).toThrow(/topicPrefix/);
  });
});
