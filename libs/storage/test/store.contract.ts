/**
 * The one behavioural contract every Store must meet, applied to embedded chdb (unit) and to the real
 * ClickHouse server (integration). Every database it touches has a random name and is dropped at the
 * end; tests inside a database use their own randomly suffixed tables.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import type { Migration, Store } from '../src';

/** Opens a store on the given (new) database. */
export type StoreFactory = (database: string) => Promise<Store>;

const HOSTILE = [
  "'; DROP TABLE bars; --",
  "back\\slash \\' \\\\' ''",
  'new\nline\r\ttab\0nul\x01\x7f',
  '{code:String} {x:Int64}',
  '中文 ünïcödé 📈',
  '',
];

async function rejection(p: Promise<unknown>): Promise<QuantError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantError);
    return e as QuantError;
  }
  throw new Error('expected the promise to reject');
}

function suffix(): string {
  return randomBytes(4).toString('hex');
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const databases: string[] = [];
    const opened: Store[] = [];
    let store: Store;

    async function openFresh(): Promise<Store> {
      const database = `quant_test_${suffix()}`;
      databases.push(database);
      const s = await factory(database);
      opened.push(s);
      return s;
    }

    /** A table created through a migration in the shared suite database, unique to the test. */
    async function table(columns: string, engine = 'MergeTree() ORDER BY tuple()'): Promise<string> {
      const t = `t_${suffix()}`;
      await store.command(`CREATE TABLE ${t} (${columns}) ENGINE = ${engine}`);
      return t;
    }

    beforeAll(async () => {
      store = await openFresh();
    });

    afterAll(async () => {
      const admin = opened.find((s) => s === store) ?? opened[0];
      if (admin) {
        // The admin store's own database (the first) goes last: a server request names it.
        for (const db of [...databases].reverse()) await admin.command(`DROP DATABASE IF EXISTS \`${db}\``);
      }
      for (const s of opened) await s.close();
    });

    it('describes itself: kind, version, database and capabilities', async () => {
      const info = await store.info();
      expect(['chdb', 'server']).toContain(info.kind);
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(info.database).toBe(databases[0]);
      expect(typeof info.capabilities.queryParameters).toBe('boolean');
      expect(typeof info.capabilities.lowCardinality).toBe('boolean');
      expect(typeof info.capabilities.dateTime64).toBe('boolean');
      const [row] = await store.query<{ v: string; db: string }>('SELECT version() AS v, currentDatabase() AS db');
      expect(row).toEqual({ v: info.version, db: info.database });
    });

    it('round-trips every column type we use through insert and query', async () => {
      const s = await openFresh();
      const report = await s.migrate([
        {
          id: 1,
          name: 'all types',
          statements: [
            'CREATE TABLE all_types (code String, date Date, ts DateTime, f64 Float64, f32 Float32, u32 UInt32, i64 Int64, u64 UInt64, ' +
              'flag UInt8, note Nullable(String), amount Nullable(Float64), tags Array(String), weights Array(Float64)) ' +
              'ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (code, date)',
          ],
        },
      ]);
      expect(report.applied).toEqual([{ id: 1, name: 'all types' }]);
      const rows = [
        {
          code: 'SH600000', date: '2024-01-02', ts: '2024-01-02 09:30:00', f64: 3.141592653589793, f32: -2.25, u32: 4294967295,
          i64: '-9223372036854775808', u64: '18446744073709551615', flag: true, note: null, amount: null, tags: [], weights: [],
        },
        {
          code: 'SZ000001', date: '2105-12-31', ts: '1970-01-02 00:00:00', f64: -1e-300, f32: 1.5, u32: 0,
          i64: '9223372036854775807', u64: '0', flag: false, note: HOSTILE[0], amount: 1234.5, tags: HOSTILE, weights: [0.1, -0.5, 1e300],
        },
      ];
      await s.insert('all_types', rows);
      const back = await s.query('SELECT * FROM all_types ORDER BY code');
      expect(back).toEqual(rows.map((r) => ({ ...r, flag: r.flag ? 1 : 0 })));
    });

    it('inserts 64-bit integers given as numbers or bigints and reads them back as exact strings', async () => {
      const t = await table('i Int64, u UInt64');
      await store.insert(t, [{ i: 42, u: 2n ** 64n - 1n }, { i: -(2n ** 63n), u: 7 }]);
      expect(await store.query(`SELECT i, u FROM ${t} ORDER BY i`)).toEqual([
        { i: '-9223372036854775808', u: '7' },
        { i: '42', u: '18446744073709551615' },
      ]);
    });

    it('keeps one row per key with ReplacingMergeTree and FINAL when a batch is inserted again', async () => {
      const t = await table('code String, date Date, close Float64, version UInt32', 'ReplacingMergeTree(version) PARTITION BY toYYYYMM(date) ORDER BY (code, date)');
      const batch = [
        { code: 'SH600000', date: '2024-01-02', close: 10.5, version: 1 },
        { code: 'SH600000', date: '2024-01-03', close: 10.7, version: 1 },
      ];
      await store.insert(t, batch);
      await store.insert(t, batch);
      await store.insert(t, [{ code: 'SH600000', date: '2024-01-03', close: 10.9, version: 2 }]);
      expect(await store.query(`SELECT code, date, close, version FROM ${t} FINAL ORDER BY date`)).toEqual([
        { code: 'SH600000', date: '2024-01-02', close: 10.5, version: 1 },
        { code: 'SH600000', date: '2024-01-03', close: 10.9, version: 2 },
      ]);
    });

    it('binds parameters of every supported type with their declared types', async () => {
      const [row] = await store.query(
        'SELECT {s:String} AS s, {u8:UInt8} AS u8, {u32:UInt32} AS u32, {i64:Int64} AS i64, {u64:UInt64} AS u64, {f64:Float64} AS f64, ' +
          '{f32:Float32} AS f32, {d:Date} AS d, toYear({d:Date}) AS y, {t:DateTime} AS t, {nn:Nullable(String)} AS nn, {ns:Nullable(Int32)} AS ns, ' +
          '{a:Array(String)} AS a, {ai:Array(Int32)} AS ai, {ae:Array(Float64)} AS ae, toTypeName({i64:Int64}) AS i64t, toTypeName({d:Date}) AS dt, ' +
          'toTypeName({f32:Float32}) AS f32t, toTypeName({ns:Nullable(Int32)}) AS nst',
        {
          s: 'plain', u8: true, u32: 4294967295, i64: -9223372036854775808n, u64: '18446744073709551615', f64: 0.1, f32: 1.5,
          d: '2024-02-29', t: '2024-01-02 03:04:05', nn: null, ns: -7, a: ['x', "y'z"], ai: [-1, 2], ae: [],
        },
      );
      expect(row).toEqual({
        s: 'plain', u8: 1, u32: 4294967295, i64: '-9223372036854775808', u64: '18446744073709551615', f64: 0.1, f32: 1.5,
        d: '2024-02-29', y: 2024, t: '2024-01-02 03:04:05', nn: null, ns: -7, a: ['x', "y'z"], ai: [-1, 2], ae: [],
        i64t: 'Int64', dt: 'Date', f32t: 'Float32', nst: 'Nullable(Int32)',
      });
    });

    it('filters with parameters in WHERE, IN arrays and LIMIT', async () => {
      const t = await table('code String, date Date, close Float64');
      await store.insert(t, [
        { code: 'A', date: '2024-01-02', close: 1 },
        { code: 'B', date: '2024-01-03', close: 2 },
        { code: 'C', date: '2024-01-04', close: 3 },
        { code: 'C', date: '2024-01-05', close: 4 },
      ]);
      const rows = await store.query<{ code: string; close: number }>(
        `SELECT code, close FROM ${t} WHERE has({codes:Array(String)}, code) AND date >= {from:Date} ORDER BY date LIMIT {n:UInt32}`,
        { codes: ['B', 'C'], from: '2024-01-03', n: 2 },
      );
      expect(rows).toEqual([
        { code: 'B', close: 2 },
        { code: 'C', close: 3 },
      ]);
    });

    it('round-trips hostile strings unchanged through parameters and inserts, and runs none of them', async () => {
      const t = await table('id UInt32, s String');
      for (const [i, s] of HOSTILE.entries()) {
        const [echo] = await store.query<{ s: string; len: string }>('SELECT {s:String} AS s, lengthUTF8({s:String}) AS len', { s });
        expect(echo).toEqual({ s, len: String([...s].length) });
        await store.command(`INSERT INTO ${t} SELECT {id:UInt32}, {s:String}`, { id: i, s });
      }
      await store.insert(t, HOSTILE.map((s, i) => ({ id: 100 + i, s })));
      const back = await store.query<{ id: number; s: string }>(`SELECT id, s FROM ${t} ORDER BY id`);
      expect(back.map((r) => r.s)).toEqual([...HOSTILE, ...HOSTILE]);
      const matched = await store.query<{ n: string }>(`SELECT count() AS n FROM ${t} WHERE s = {s:String}`, { s: HOSTILE[0] as string });
      expect(matched).toEqual([{ n: '2' }]);
    });

    it('reports bad SQL as a QuantError carrying the server message and code', async () => {
      const syntax = await rejection(store.query('SELEC 1'));
      expect(syntax.code).toBe('STORE_QUERY_FAILED');
      expect(syntax.message).toMatch(/Syntax error/);
      expect(syntax.details.clickhouseCode).toBe(62);
      expect(syntax.retriable).toBe(false);
      const missing = await rejection(store.query('SELECT * FROM no_such_table_here'));
      expect(missing.details.clickhouseCode).toBe(60);
      expect(missing.message).toContain('no_such_table_here');
      const cmd = await rejection(store.command('CREATE TABLE broken (x NoSuchType) ENGINE = Memory'));
      expect(cmd.code).toBe('STORE_QUERY_FAILED');
      expect(cmd.message).toContain('NoSuchType');
    });

    it('refuses a parameter of the wrong type, a missing one and an unused one before reaching the server', async () => {
      const wrong = await rejection(store.query('SELECT {n:UInt32} AS n', { n: 'ten' }));
      expect(wrong.code).toBe('STORE_PARAM_INVALID');
      expect(wrong.message).toMatch(/Parameter 'n' declared UInt32/);
      expect((await rejection(store.query('SELECT {d:Date} AS d', { d: '2024-02-30' }))).code).toBe('STORE_PARAM_INVALID');
      expect((await rejection(store.query('SELECT {code:String} AS c'))).code).toBe('STORE_PARAM_MISSING');
      expect((await rejection(store.query('SELECT 1 AS one', { one: 1 }))).code).toBe('STORE_PARAM_UNUSED');
    });

    it('refuses bad rows on insert with the row and column named', async () => {
      const t = await table('code String, close Float64');
      // The bad row comes last in a batch larger than one streamed slice: nothing may be committed.
      const batch: Array<{ code: string; close: number }> = Array.from({ length: 12_000 }, (_, i) => ({ code: `C${i}`, close: i }));
      batch.push({ code: 'B', close: Number.NaN });
      const e = await rejection(store.insert(t, batch));
      expect(e.code).toBe('STORE_ROW_INVALID');
      expect(e.message).toContain("row 12000 column 'close'");
      const server = await rejection(store.insert(t, [{ code: 'A', close: 'not a number' }]));
      expect(server.code).toBe('STORE_QUERY_FAILED');
      expect(await store.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: '0' }]);
      expect((await rejection(store.insert('bad name; DROP', [{ a: 1 }]))).code).toBe('STORE_TABLE_INVALID');
    });

    describe('migrations', () => {
      const v1: Migration[] = [
        { id: 1, name: 'bars', statements: ['CREATE TABLE IF NOT EXISTS bars (code String, date Date, close Float64) ENGINE = MergeTree() ORDER BY (code, date)'] },
        { id: 2, name: 'quotes', statements: ['CREATE TABLE IF NOT EXISTS quotes (code String, price Float64) ENGINE = MergeTree() ORDER BY code'] },
      ];
      const v2: Migration[] = [
        ...v1,
        { id: 3, name: 'news', statements: ['CREATE TABLE IF NOT EXISTS news (id String, title String) ENGINE = ReplacingMergeTree() ORDER BY id'] },
      ];

      it('applies missing migrations in order, then nothing on a second run, then only the new one', async () => {
        const s = await openFresh();
        expect(await s.migrate(v1)).toEqual({ applied: [{ id: 1, name: 'bars' }, { id: 2, name: 'quotes' }], alreadyApplied: 0 });
        expect(await s.migrate(v1)).toEqual({ applied: [], alreadyApplied: 2 });
        expect(await s.migrate(v2)).toEqual({ applied: [{ id: 3, name: 'news' }], alreadyApplied: 2 });
        await s.insert('bars', [{ code: 'A', date: '2024-01-02', close: 1 }]);
        expect(await s.query('SELECT count() AS n FROM bars')).toEqual([{ n: '1' }]);
        const ledger = await s.query<{ id: number; name: string }>('SELECT id, name, length(checksum) AS len FROM schema_migrations FINAL ORDER BY id');
        expect(ledger).toEqual([
          { id: 1, name: 'bars', len: '64' },
          { id: 2, name: 'quotes', len: '64' },
          { id: 3, name: 'news', len: '64' },
        ]);
      });

      it('refuses an edited applied migration, a newer database and a bad list, applying nothing', async () => {
        const s = await openFresh();
        await s.migrate(v1);
        const edited: Migration[] = [v1[0] as Migration, { id: 2, name: 'quotes', statements: ['CREATE TABLE IF NOT EXISTS quotes2 (x UInt8) ENGINE = Memory'] }, v2[2] as Migration];
        const changed = await rejection(s.migrate(edited));
        expect(changed.code).toBe('STORE_MIGRATION_CHECKSUM');
        expect(changed.message).toMatch(/Migration 2 \(quotes\)/);
        expect((await rejection(s.migrate([v1[0] as Migration]))).code).toBe('STORE_MIGRATION_UNKNOWN');
        expect((await rejection(s.migrate([v2[2] as Migration, v1[0] as Migration]))).code).toBe('STORE_MIGRATION_ORDER');
        // Nothing of the refused runs was applied.
        expect(await s.query("SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('news', 'quotes2')")).toEqual([]);
      });

      it('stops at a failing statement without recording it, and completes once fixed', async () => {
        const s = await openFresh();
        const broken: Migration[] = [v1[0] as Migration, { id: 2, name: 'quotes', statements: ['CREATE TABLE quotes (x NoSuchType) ENGINE = Memory'] }];
        const e = await rejection(s.migrate(broken));
        expect(e.code).toBe('STORE_MIGRATION_FAILED');
        expect(e.message).toMatch(/Migration 2 \(quotes\) statement 1\/1 failed: .*NoSuchType/);
        expect(await s.query('SELECT id FROM schema_migrations FINAL')).toEqual([{ id: 1 }]);
        expect(await s.migrate(v1)).toEqual({ applied: [{ id: 2, name: 'quotes' }], alreadyApplied: 1 });
      });

      it('records each migration once when two stores migrate the same database concurrently', async () => {
        const a = await openFresh();
        const database = (await a.info()).database;
        const b = await factory(database);
        opened.push(b);
        const [ra, rb] = await Promise.all([a.migrate(v2), b.migrate(v2)]);
        expect(ra.applied.length + rb.applied.length).toBe(3);
        expect(await a.query('SELECT id, count() AS n FROM schema_migrations GROUP BY id ORDER BY id')).toEqual([
          { id: 1, n: '1' },
          { id: 2, n: '1' },
          { id: 3, n: '1' },
        ]);
      });
    });

    it('refuses work after close, and closing twice is harmless', async () => {
      const s = await openFresh();
      await s.query('SELECT 1 AS one');
      const database = (await s.info()).database;
      await s.close();
      await s.close();
      const e = await rejection(s.query('SELECT 1 AS one'));
      expect(e.code).toBe('STORE_CLOSED');
      // The database outlives the store: a new store on it sees it.
      const again = await factory(database);
      opened.push(again);
      expect(await again.query('SELECT currentDatabase() AS db')).toEqual([{ db: database }]);
    });
  });
}
