import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBusContract } from './bus.contract';
import { HEADER, createKafkaBus } from '../src/index';

const brokers = (process.env.QUANT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const prefix = `bus-it-${randomBytes(3).toString('hex')}`;

describeBusContract(
  'kafka',
  () =>
    createKafkaBus({
      brokers,
      clientId: prefix,
      logLevel: 'error',
      // Fast group membership so joins, leaves and rebalances take well under a second on the dev broker.
      consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 200, maxWaitTimeMs: 100 },
    }),
  { namePrefix: prefix, waitMs: 30_000 },
);

describe('kafka bus: a consumer process killed (SIGKILL) after handling, before committing', () => {
  it('hands the uncommitted message to the next consumer of the group, and dedup keeps the effect single', async () => {
    const topic = `${prefix}-sigkill-${randomBytes(4).toString('hex')}`;
    const group = `${topic}-g`;
    const bus = createKafkaBus({
      brokers,
      clientId: `${prefix}-survivor`,
      logLevel: 'error',
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxWaitTimeMs: 100 },
    });
    const effects: string[] = [];
    const deliveries: string[] = [];
    const seen = new Set<string>();
    const applyOnce = (eventId: string): void => {
      deliveries.push(eventId);
      if (!seen.has(eventId)) {
        seen.add(eventId);
        effects.push(eventId);
      }
    };
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(
        topic,
        [0, 1, 2].map((seq) => ({ key: 'K', value: Buffer.from(String(seq)), headers: { [HEADER.eventId]: `K#${seq}` } })),
      );

      const fixture = fileURLToPath(new URL('./fixtures/crash-consumer.fixture.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, brokers.join(','), topic, group], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`the child never froze; its output: ${out}`)), 30_000);
        child.on('exit', (code) => reject(new Error(`the child exited (${code}) before freezing; its output: ${out}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          for (const line of chunk.toString().split('\n')) if (line.startsWith('handled ')) applyOnce(line.slice(8));
          if (out.includes('frozen\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      // The dead member holds the partition until its session times out (6 s); then the group moves on.
      await bus.subscribe({ groupId: group, topics: [topic], handler: async (ms) => ms.forEach((m) => applyOnce(m.headers[HEADER.eventId] ?? '?')) });
      const deadline = Date.now() + 30_000;
      while (!seen.has('K#2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      expect(deliveries).toEqual(['K#0', 'K#1', 'K#1', 'K#2']);
      expect(effects).toEqual(['K#0', 'K#1', 'K#2']);
    } finally {
      await bus.close();
    }
  }, 60_000);
});

afterAll(async () => {
  // Topics of this run only (the prefix is random); the broker is shared with other runs.
  const admin = new Kafka({ clientId: `${prefix}-cleanup`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length > 0) await admin.deleteGroups(groups);
  } finally {
    await admin.disconnect();
  }
});
