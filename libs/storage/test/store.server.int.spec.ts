import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src';
import type { Store } from '../src';
import { describeStoreContract } from './store.contract';

// The real server (the Debian 18.16 package in CI; any current ClickHouse works too).
const url = process.env.QUANT_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';

describeStoreContract(`server at ${url}`, (database) => openStore(url, { database }));

describe('server connection details', () => {
  let store: Store;
  const database = `quant_test_${Math.random().toString(16).slice(2, 10)}`;

  beforeAll(async () => {
    store = await openStore(url, { database });
  });
  afterAll(async () => {
    await store.command(`DROP DATABASE IF EXISTS ${database}`);
    await store.close();
  });

  it('measures what the server can do, and binds parameters on the client where it cannot', async () => {
    const info = await store.info();
    expect(info.kind).toBe('server');
    expect(info.location).toBe(`${url.replace(/\/$/, '')}/${database}`);
    // The capability flags follow the version: 18.x lacks all three, current servers have them.
    const major = Number(info.version.split('.')[0]);
    if (major < 19) expect(info.capabilities).toEqual({ queryParameters: false, lowCardinality: false, dateTime64: false });
    if (major >= 21) expect(info.capabilities).toEqual({ queryParameters: true, lowCardinality: true, dateTime64: true });
    const [row] = await store.query<{ s: string }>('SELECT {s:String} AS s', { s: "'; DROP DATABASE default; --" });
    expect(row).toEqual({ s: "'; DROP DATABASE default; --" });
  });

  it('accepts clickhouse:// URLs mapped to HTTP', async () => {
    const { hostname, port } = new URL(url);
    const viaScheme = await openStore(`clickhouse://default@${hostname}:${port || '8123'}/${database}`);
    try {
      expect(await viaScheme.query('SELECT currentDatabase() AS db')).toEqual([{ db: database }]);
    } finally {
      await viaScheme.close();
    }
  });

  it('reports an unreachable server as a retriable error', async () => {
    const e = await openStore('clickhouse://127.0.0.1:1/quant', { requestTimeoutMs: 2_000 }).then(
      () => null,
      (err: unknown) => err as { code: string; retriable: boolean },
    );
    expect(e).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
  });
});
