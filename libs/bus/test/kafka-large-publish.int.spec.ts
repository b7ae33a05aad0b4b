import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKafkaBus } from '../src/index';

const brokers = (process.env.QUANT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

describe('kafka bus: one publish larger than the broker message limit', () => {
  it('is split by size, accepted, and consumed whole and in order', async () => {
    const topic = `bus-large-${randomBytes(4).toString('hex')}`;
    const bus = createKafkaBus({ brokers, clientId: topic, logLevel: 'error', consumer: { maxWaitTimeMs: 100 } });
    try {
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      // 6,000 messages of 400 bytes under one key: about 2.4 MB in one partition, over the 1 MiB default.
      const n = 6_000;
      const messages = Array.from({ length: n }, (_, i) => ({ key: 'one-key', value: Buffer.concat([Buffer.from(`${i}:`), randomBytes(400)]) }));
      await bus.publish(topic, messages);
      const got: number[] = [];
      const subscription = await bus.subscribe({
        groupId: `${topic}-g`,
        topics: [topic],
        handler: async (batch) => {
          for (const m of batch) got.push(Number(m.value.subarray(0, m.value.indexOf(':')).toString()));
        },
      });
      const deadline = Date.now() + 60_000;
      while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await subscription.stop();
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    } finally {
      await bus.close();
    }
  }, 90_000);
});
