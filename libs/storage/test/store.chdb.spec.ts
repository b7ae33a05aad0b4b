import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { activeChdbPath, openStore } from '../src';
import { describeStoreContract } from './store.contract';

// chdb binds one data directory per process (vitest runs each file in its own fork): one per file.
const dir = mkdtempSync(join(tmpdir(), 'quant-store-chdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('chdb, native parameters', (database) => openStore(dir, { database }));
describeStoreContract('chdb, client-side parameters (the 18.16 path on a modern engine)', (database) =>
  openStore(dir, { database, parameterBinding: 'client' }),
);

describe('chdb data directory', () => {
  it('shares one directory between stores, refuses a second directory, and reopens after close', async () => {
    const a = await openStore(dir, { database: 'quant_dir_test' });
    const b = await openStore(dir, { database: 'quant_dir_test' });
    expect(activeChdbPath()).toBe(dir);
    await a.command('CREATE TABLE IF NOT EXISTS kept (x UInt8) ENGINE = MergeTree() ORDER BY x');
    await a.insert('kept', [{ x: 7 }]);
    expect(await b.query('SELECT x FROM kept')).toEqual([{ x: 7 }]);

    const other = mkdtempSync(join(tmpdir(), 'quant-store-chdb-other-'));
    try {
      const conflict = await openStore(other).then(
        () => null,
        (e: unknown) => e,
      );
      expect(conflict).toBeInstanceOf(QuantError);
      expect((conflict as QuantError).code).toBe('STORE_CHDB_PATH_CONFLICT');
      expect((conflict as QuantError).message).toContain(dir);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }

    await a.close();
    expect(activeChdbPath()).toBe(dir);
    await b.close();
    const reopened = await openStore(dir, { database: 'quant_dir_test' });
    expect(await reopened.query('SELECT x FROM kept')).toEqual([{ x: 7 }]);
    expect((await reopened.info()).capabilities).toEqual({ queryParameters: true, lowCardinality: true, dateTime64: true });
    await reopened.command('DROP DATABASE quant_dir_test');
    await reopened.close();
    expect(activeChdbPath()).toBeNull();
  });

  it('refuses a location that is a file', async () => {
    const file = join(dir, 'not-a-dir');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x');
    await expect(openStore(file)).rejects.toThrow(/is not a directory|cannot be created/);
  });
});
