import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { parseStoreLocation, redact } from '../src/store-location';

describe('parseStoreLocation', () => {
  it('reads a directory as embedded chdb with the default database', () => {
    expect(parseStoreLocation('./.quant/store')).toEqual({ kind: 'chdb', path: resolve('./.quant/store'), database: 'quant' });
    expect(parseStoreLocation('/data/store', 'research')).toEqual({ kind: 'chdb', path: '/data/store', database: 'research' });
  });

  it('maps clickhouse:// to HTTP on the given port, 8123 by default, with credentials and database', () => {
    expect(parseStoreLocation('clickhouse://alice:s%40cret@db.example:9000/market')).toEqual({
      kind: 'server',
      url: 'http://db.example:9000',
      username: 'alice',
      password: 's@cret',
      database: 'market',
      display: 'http://db.example:9000/market',
    });
    const plain = parseStoreLocation('clickhouse://127.0.0.1');
    expect(plain).toMatchObject({ url: 'http://127.0.0.1:8123', username: 'default', password: '', database: 'quant' });
  });

  it('uses http(s) URLs as given', () => {
    expect(parseStoreLocation('https://u:p@ch.example/analytics')).toMatchObject({ url: 'https://ch.example', database: 'analytics' });
    expect(parseStoreLocation('http://127.0.0.1:8123', 'quant_test')).toMatchObject({ url: 'http://127.0.0.1:8123', database: 'quant_test' });
  });

  it.each([
    ['', /is empty/],
    ['postgres://x/y', /scheme 'postgres:\/\/' is not supported/],
    ['clickhouse://h/a/b', /path may only name the database/],
    ['clickhouse://h/db?secure=1', /query strings/],
    ['clickhouse://h/bad-name', /must match/],
  ])('refuses %j', (location, message) => {
    expect(() => parseStoreLocation(location)).toThrow(message);
    expect(() => parseStoreLocation(location)).toThrow(QuantError);
  });

  it('refuses a database given twice with different names, and bad names in options', () => {
    expect(() => parseStoreLocation('clickhouse://h/one', 'two')).toThrow(/names database 'one' but options.database is 'two'/);
    expect(() => parseStoreLocation('./x', 'x; DROP')).toThrow(/Database name/);
  });

  it('never echoes a password', () => {
    expect(redact('clickhouse://alice:hunter2@h:1/db')).toBe('clickhouse://alice:***@h:1/db');
    try {
      parseStoreLocation('clickhouse://alice:hunter2@h/a/b');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});
