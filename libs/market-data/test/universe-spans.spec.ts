import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { weekdays } from '@quant/testing';
import { MarketDataRepository } from '../src';

describe('MarketDataRepository.universeSpans (chdb)', () => {
  let dir: string;
  let store: Store;
  let repo: MarketDataRepository;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quant-universe-spans-'));
    store = await openStore(join(dir, 'store'));
    repo = new MarketDataRepository(store);
    await repo.migrate();
    await repo.saveUniverse(
      'idx',
      [
        { code: 'SH600000', start: '2024-01-01', end: '2024-01-10' },
        { code: 'SH600000', start: '2024-01-20', end: '2024-12-31' },
        { code: 'SZ000001', start: '2024-01-05', end: '2024-01-08' },
        { code: 'SZ000002', start: '2023-01-01', end: '2023-12-29' },
      ],
      'test',
    );
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the spans overlapping the range, and agrees with universeOn on every day', async () => {
    const spans = await repo.universeSpans('idx', '2024-01-08', '2024-01-25');
    expect(spans).toEqual([
      { code: 'SH600000', start: '2024-01-01', end: '2024-01-10' },
      { code: 'SH600000', start: '2024-01-20', end: '2024-12-31' },
      { code: 'SZ000001', start: '2024-01-05', end: '2024-01-08' },
    ]);
    for (const day of weekdays('2024-01-08', 14)) {
      const fromSpans = [...new Set(spans.filter((s) => s.start <= day && day <= s.end).map((s) => s.code))].sort();
      expect(fromSpans, day).toEqual(await repo.universeOn('idx', day));
    }
  });
});
