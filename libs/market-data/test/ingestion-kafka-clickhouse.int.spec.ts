// End to end on the real servers: the import (ingestion's publishing path) -> Kafka -> the store
// consumer -> ClickHouse server, with the consumer stopped in the middle and restarted.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaBus } from '@quant/bus';
import { allTopics, deadLetterCodec } from '@quant/contracts';
import { createQlibSource } from '@quant/data-sources';
import { openStore } from '@quant/storage';
import { MarketDataRepository, importMarketData, startMarketDataConsumer } from '../src';
import { writeQlibFixture } from './qlib-fixture';
import { weekdays } from '@quant/testing';

const brokers = (process.env['QUANT_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const serverUrl = process.env['QUANT_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const root = mkdtempSync(join(tmpdir(), 'quant-e2e-'));
const database = `e2e_${Date.now()}_${randomInt(1e6)}`;
afterAll(() => rmSync(root, { recursive: true, force: true }));


async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ingestion -> Kafka -> ClickHouse server', () => {
  it('ends with exactly the expected rows across a consumer restart', async () => {
    const codes = Array.from(new Set(Array.from({ length: 3 }, () => `SH688${String(randomInt(1000)).padStart(3, '0')}`)));
    const calendar = weekdays('2021-01-04', 120);
    const qlib = join(root, 'qlib');
    writeQlibFixture(
      qlib,
      calendar,
      codes.map((code, i) => ({ code, start: i, closes: calendar.slice(i).map((_, d) => 20 + i + Math.sin(d) ) })),
    );
    const expected = new Map(codes.map((code, i) => [code, calendar.length - i]));
    const total = [...expected.values()].reduce((a, b) => a + b, 0);

    const store = await openStore(`${serverUrl}/${database}`);
    // Own topics (a prefix per run): a new consumer group reads from the beginning, and messages of
    // other runs on the shared broker must neither slow it down nor mix into its database.
    const bus = createKafkaBus({ brokers, clientId: `e2e-${database}`, deadLetterCodec, logLevel: 'error', topicPrefix: `${database}.` });
    const repo = new MarketDataRepository(store);
    try {
      await repo.migrate();
      await bus.ensureTopics(allTopics().map((t) => ({ name: t.name, partitions: t.partitions })));
      const groupId = `e2e-store-${database}`;
      const mid = calendar[59]!;

      const first = await startMarketDataConsumer(bus, repo, groupId);
      const phase1 = await importMarketData({ source: createQlibSource(qlib), bus, repository: repo, codes, to: mid, publishBatchSize: 25 });
      // Stopped while its batches may still be in flight: what it did not commit is redelivered.
      await first.stop();
      const phase2 = await importMarketData({ source: createQlibSource(qlib), bus, repository: repo, codes, from: calendar[60]!, publishBatchSize: 25 });
      expect(phase1.bars + phase2.bars).toBe(total);

      const second = await startMarketDataConsumer(bus, repo, groupId);
      try {
        const counted = () =>
          store.query<{ n: string; k: string }>(
            'SELECT count() AS n, uniqExact(code, date) AS k FROM daily_bars FINAL WHERE has({codes:Array(String)}, code)',
            { codes },
          );
        await until(counted, (rows) => Number(rows[0]!.n) >= total, `${total} bars in ClickHouse`);
        // Give a late redelivery the chance to show up as a duplicate before judging.
        await new Promise((r) => setTimeout(r, 1500));
        const [row] = await counted();
        expect(Number(row!.n)).toBe(total);
        expect(Number(row!.k)).toBe(total);
        const coverage = await repo.coverage(codes);
        expect(Object.fromEntries(coverage.map((c) => [c.code, c.bars]))).toEqual(Object.fromEntries(expected));
        const [bar] = await repo.bars(codes[0]!, calendar[0]!, calendar[0]!);
        expect(bar).toMatchObject({ code: codes[0], date: calendar[0], traded: true, source: 'qlib' });
        expect(bar!.close).toBeCloseTo(20, 4);
        // The batched read on the server: one query, the same bars as one query per code.
        const many = await repo.barsMany(codes.slice(0, 3), calendar[0]!, calendar[4]!);
        for (const code of codes.slice(0, 3)) expect(many.get(code)).toEqual(await repo.bars(code, calendar[0]!, calendar[4]!));
        expect(many.get(codes[0]!)).toHaveLength(5);
      } finally {
        await second.stop();
      }
    } finally {
      await bus.close();
      await store.command(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
      await store.close();
    }
  }, 180_000);
});
