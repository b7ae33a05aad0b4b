// The repository against the real ClickHouse server (18.16 in CI): NaN round trip and idempotent re-write.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import { FeatureRepository } from '../src/feature.repository';

const url = process.env['QUANT_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
const database = `quant_features_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let store: Store;
let repo: FeatureRepository;

beforeAll(async () => {
  store = await openStore(url, { database });
  repo = new FeatureRepository(store);
  await repo.migrate();
});

afterAll(async () => {
  if (store) {
    await store.command(`DROP DATABASE IF EXISTS ${database}`);
    await store.close();
  }
});

describe('FeatureRepository on the ClickHouse server', () => {
  it('round-trips missing values as NaN and re-writes idempotently', async () => {
    const rows = [
      { code: 'SH600000', date: '2022-12-29', values: [0.25, Number.NaN, -3] },
      { code: 'SH600000', date: '2022-12-30', values: [Number.NaN, Number.NaN, Number.NaN] },
    ];
    await repo.write('alpha', 'v1', 3, rows, Date.UTC(2023, 0, 1));
    await repo.write('alpha', 'v1', 3, [{ ...rows[0]!, values: [0.5, Number.NaN, -3] }, rows[1]!], Date.UTC(2023, 0, 2));
    const read = await repo.read('alpha', 'v1', ['SH600000'], '2022-12-01', '2022-12-31');
    expect(read.map((r) => r.date)).toEqual(['2022-12-29', '2022-12-30']);
    expect(read[0]?.values[0]).toBe(0.5);
    expect(read[0]?.values[1]).toBeNaN();
    expect(read[0]?.values[2]).toBe(-3);
    expect([...(read[1]?.values ?? [])].every(Number.isNaN)).toBe(true);
    expect(await repo.countOn('alpha', 'v1', '2022-12-29')).toBe(1);
    expect(Object.fromEntries(await repo.lastComputedDates('alpha', 'v1'))).toEqual({ SH600000: '2022-12-30' });
    await repo.saveColumns('alpha', 'v1', ['A', 'B', 'C']);
    expect(await repo.columns('alpha', 'v1')).toEqual(['A', 'B', 'C']);
  });
});
