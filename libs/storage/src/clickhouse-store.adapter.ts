/**
 * The Store port over @clickhouse/client, for both connections: embedded chdb (the client runs on
 * chdb's in-process Connection) and a ClickHouse server over HTTP. One class serves both so the two
 * cannot drift; only opening, raw inserts and closing differ.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { QuantError } from '@quant/errors';
import { bindParams, nativeParams } from './clickhouse-params';
import type { ParamFormatOptions } from './clickhouse-params';
import { planMigrations, migrationChecksum } from './migration.plan';
import type { LedgerRow } from './migration.plan';
import { parseStoreLocation, redact } from './store-location';
import type { StoreLocation } from './store-location';
import { MIGRATION_LEDGER_TABLE } from './store.port';
import type { Migration, MigrationReport, QueryParams, Store, StoreCapabilities, StoreInfo } from './store.port';
import { encodeTabSeparated, encodeTabSeparatedChunks } from './tab-separated.encoder';
import type { EncodeOptions } from './tab-separated.encoder';
import { toStoreError, isServerError } from './store-errors';
import { acquireChdbPath, releaseChdbPath } from './chdb-engine.registry';

export interface OpenStoreOptions {
  /** Database for the store's tables (created if missing). Default: the URL path, else `quant`. */
  database?: string;
  /**
   * How `{name:Type}` parameters reach the server. `auto` (default): natively where the server
   * supports query parameters, else substituted as typed literals on the client. `client` forces
   * substitution (tests run it on chdb too); `native` refuses to open a server without parameters.
   */
  parameterBinding?: 'auto' | 'native' | 'client';
  /** 64-bit integers in query results as strings (default, exact) or as numbers (lossy past 2^53). */
  int64AsString?: boolean;
  /** Accept NaN/±Infinity in Float parameters and inserted numbers (default: refused). */
  allowNonFiniteFloats?: boolean;
  /** Server only: per-request timeout (default 300 s, large inserts on 2 cores need it). */
  requestTimeoutMs?: number;
}

interface Backend {
  client: ClickHouseClient;
  /** Checks and sends rows as TabSeparated; nothing is sent when a row is refused. */
  insertRows(table: string, rows: readonly Record<string, unknown>[], options: EncodeOptions): Promise<void>;
  close(): Promise<void>;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Opens a store: a directory is embedded chdb, `clickhouse://` or `http(s)://` a server. */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const where = parseStoreLocation(location, options.database);
  const binding = options.parameterBinding ?? 'auto';
  if (!['auto', 'native', 'client'].includes(binding)) {
    throw new QuantError('STORE_OPTION_INVALID', `parameterBinding must be 'auto', 'native' or 'client', got ${JSON.stringify(binding)}`);
  }
  const backend = where.kind === 'chdb' ? await openChdb(where) : await openServer(where, options);
  try {
    const version = await probeVersion(backend.client);
    await createDatabase(backend.client, where);
    const capabilities = await probeCapabilities(backend.client, where.database);
    if (binding === 'native' && !capabilities.queryParameters) {
      throw new QuantError('STORE_UNSUPPORTED', `ClickHouse ${version} at ${display(where)} has no query parameters (parameterBinding 'native' was asked)`);
    }
    const info: StoreInfo = { kind: where.kind, version, location: display(where), database: where.database, capabilities };
    return new ClickHouseStore(backend, info, binding === 'client' ? false : capabilities.queryParameters, options);
  } catch (e) {
    // The open failure is the error worth reporting; a failure to release afterwards is secondary.
    await backend.close().catch(() => undefined);
    throw toStoreError(e, 'open', `open ${display(where)}`);
  }
}

function display(where: StoreLocation): string {
  return where.kind === 'chdb' ? where.path : where.display;
}

async function openChdb(where: Extract<StoreLocation, { kind: 'chdb' }>): Promise<Backend> {
  try {
    mkdirSync(where.path, { recursive: true });
  } catch (e) {
    throw new QuantError('STORE_LOCATION_INVALID', `Store directory ${where.path} cannot be created: ${(e as Error).message}`, { cause: e, details: { path: where.path } });
  }
  if (!statSync(where.path).isDirectory()) {
    throw new QuantError('STORE_LOCATION_INVALID', `Store location ${where.path} exists and is not a directory`, { details: { path: where.path } });
  }
  acquireChdbPath(where.path);
  try {
    // Loaded lazily: a process that only talks to a server never maps the embedded engine.
    const { createChdbConnection } = await import('chdb/connection');
    const connection = createChdbConnection({ path: where.path });
    // chdb types its Connection against its own copy of @clickhouse/client-common; same shape.
    type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;
    const client = createClient({ connection: connection as unknown as ClientConnection, log: { level: ClickHouseLogLevel.OFF } });
    let closed = false;
    return {
      client,
      async insertRows(table, rows, options) {
        // One buffer handed to the engine without copying (one INSERT); chdb parses it on its own threads.
        const encoded = encodeTabSeparated(table, rows, options);
        if (encoded.rows === 0) return;
        await connection.chdb.rawInsert({ table, columns: encoded.columns, values: encoded.body, format: 'TabSeparated' });
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          await client.close();
        } finally {
          releaseChdbPath(where.path);
        }
      },
    };
  } catch (e) {
    releaseChdbPath(where.path);
    throw toStoreError(e, 'open', `open chdb at ${where.path}`);
  }
}

async function openServer(where: Extract<StoreLocation, { kind: 'server' }>, options: OpenStoreOptions): Promise<Backend> {
  // The database may not exist yet, so it is created through a client bound to `default` first.
  const common = {
    url: where.url,
    username: where.username,
    password: where.password,
    application: 'quant',
    request_timeout: options.requestTimeoutMs ?? 300_000,
    // Errors are rethrown as QuantError with the server's message; the client's own log would double them.
    log: { level: ClickHouseLogLevel.OFF },
  };
  const bootstrap = createClient(common);
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${where.database}\`` });
  } catch (e) {
    throw toStoreError(e, 'open', `open ${where.display}`);
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...common, database: where.database });
  return {
    client,
    async insertRows(table, rows, options) {
      // Rows are checked up front, then encoded slice by slice into one streamed request body.
      const encoded = encodeTabSeparatedChunks(table, rows, options);
      if (encoded.rows === 0) return;
      await client.insert({
        table,
        columns: encoded.columns.map((c) => `\`${c}\``) as [string, ...string[]],
        values: Readable.from(encoded.chunks(), { objectMode: false }),
        format: 'TabSeparated',
      });
    },
    close: () => client.close(),
  };
}

async function probeVersion(client: ClickHouseClient): Promise<string> {
  const rs = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = await rs.json<{ version: string }>();
  const version = rows[0]?.version;
  if (typeof version !== 'string') throw new QuantError('STORE_PROTOCOL', 'SELECT version() returned no version');
  return version;
}

/** True when the probe runs; false when the server answers with an error (it lacks the feature). */
async function probe(client: ClickHouseClient, query: string, query_params?: Record<string, unknown>): Promise<boolean> {
  try {
    const rs = await client.query({ query, format: 'JSONEachRow', ...(query_params ? { query_params } : {}) });
    await rs.json();
    return true;
  } catch (e) {
    if (isServerError(e)) return false;
    throw e;
  }
}

async function probeCapabilities(client: ClickHouseClient, database: string): Promise<StoreCapabilities> {
  // Sequential: chdb runs one query per connection at a time anyway, and these are tiny.
  const queryParameters = await probe(client, 'SELECT {p:UInt8} AS p', { p: 1 });
  // Column types are probed by creating a table: 18.16 accepts CAST(... AS LowCardinality(String))
  // in a SELECT but refuses the type in a column without an experimental setting.
  const columnType = async (type: string): Promise<boolean> => {
    const table = `\`${database}\`.__quant_probe_${randomBytes(6).toString('hex')}`;
    try {
      await client.command({ query: `CREATE TABLE ${table} (x ${type}) ENGINE = Memory` });
    } catch (e) {
      if (isServerError(e)) return false;
      throw e;
    }
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    return true;
  };
  const lowCardinality = await columnType('LowCardinality(String)');
  const dateTime64 = await columnType('DateTime64(3)');
  return { queryParameters, lowCardinality, dateTime64 };
}

async function createDatabase(client: ClickHouseClient, where: StoreLocation): Promise<void> {
  if (where.kind === 'server') return; // done by the bootstrap client
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${where.database}\`` });
  // chdb's connection keeps session state: unqualified names resolve in the store's database.
  await client.command({ query: `USE \`${where.database}\`` });
}

/** Serialises `migrate` per store location and database within this process. */
const migrationLocks = new Map<string, Promise<unknown>>();

class ClickHouseStore implements Store {
  readonly #backend: Backend;
  readonly #info: StoreInfo;
  readonly #native: boolean;
  readonly #paramOptions: ParamFormatOptions;
  readonly #settings: ClickHouseSettings;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed: Promise<void> | null = null;

  constructor(backend: Backend, info: StoreInfo, native: boolean, options: OpenStoreOptions) {
    this.#backend = backend;
    this.#info = info;
    this.#native = native;
    this.#paramOptions = { allowNonFiniteFloats: options.allowNonFiniteFloats ?? false };
    // Set on every query, not once: chdb keeps SETs per connection, servers per request; explicit
    // on every call gives both the same results whatever ran before.
    this.#settings = { output_format_json_quote_64bit_integers: options.int64AsString === false ? 0 : 1 };
  }

  async info(): Promise<StoreInfo> {
    return { ...this.#info, capabilities: { ...this.#info.capabilities } };
  }

  command(sql: string, params?: QueryParams): Promise<void> {
    return this.#run('command', sql, async () => {
      const bound = this.#bind(sql, params);
      await this.#backend.client.command({ query: bound.query, ...bound.extra, clickhouse_settings: this.#settings });
    });
  }

  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    return this.#run('query', sql, async () => {
      const bound = this.#bind(sql, params);
      const rs = await this.#backend.client.query({ query: bound.query, ...bound.extra, format: 'JSONEachRow', clickhouse_settings: this.#settings });
      return rs.json<T>();
    });
  }

  insert<T extends object>(table: string, rows: readonly T[]): Promise<void> {
    return this.#run('insert', `INSERT INTO ${table}`, async () => {
      if (typeof table !== 'string' || !TABLE.test(table)) {
        throw new QuantError('STORE_TABLE_INVALID', `insert: table name ${JSON.stringify(table)} must be an identifier or db.identifier`, { details: { table: String(table) } });
      }
      if (!Array.isArray(rows)) throw new QuantError('STORE_ROW_INVALID', `insert into ${table}: rows must be an array`, { details: { table } });
      const qualified = table.includes('.') ? table : `${this.#info.database}.${table}`;
      // Rows are checked value by value by the encoder, so any object type (interfaces included) is accepted.
      await this.#backend.insertRows(qualified, rows as readonly object[] as readonly Record<string, unknown>[], this.#paramOptions);
    });
  }

  migrate(migrations: readonly Migration[]): Promise<MigrationReport> {
    const key = `${this.#info.kind}:${this.#info.location}:${this.#info.database}`;
    const previous = migrationLocks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#migrate(migrations));
    migrationLocks.set(key, next);
    return next.finally(() => {
      if (migrationLocks.get(key) === next) migrationLocks.delete(key);
    });
  }

  async #migrate(migrations: readonly Migration[]): Promise<MigrationReport> {
    // ReplacingMergeTree keyed by id: if two processes race and both record a migration, the
    // duplicate rows collapse, and FINAL reads one of them meanwhile.
    await this.command(
      `CREATE TABLE IF NOT EXISTS ${MIGRATION_LEDGER_TABLE} (id UInt32, name String, checksum String, applied_at DateTime) ` +
        'ENGINE = ReplacingMergeTree() ORDER BY id',
    );
    const ledger = (await this.query<{ id: number | string; name: string; checksum: string }>(
      `SELECT id, name, checksum FROM ${MIGRATION_LEDGER_TABLE} FINAL ORDER BY id`,
    )).map((r): LedgerRow => ({ id: Number(r.id), name: r.name, checksum: r.checksum }));
    const pending = planMigrations(migrations, ledger);
    const applied: MigrationReport['applied'] = [];
    for (const m of pending) {
      for (const [index, statement] of m.statements.entries()) {
        try {
          await this.command(statement);
        } catch (e) {
          throw new QuantError(
            'STORE_MIGRATION_FAILED',
            `Migration ${m.id} (${m.name}) statement ${index + 1}/${m.statements.length} failed: ${(e as Error).message}`,
            { cause: e, retriable: e instanceof QuantError && e.retriable, details: { id: m.id, name: m.name, statement: index + 1 } },
          );
        }
      }
      await this.command(
        `INSERT INTO ${MIGRATION_LEDGER_TABLE} (id, name, checksum, applied_at) SELECT {id:UInt32}, {name:String}, {checksum:String}, now()`,
        { id: m.id, name: m.name, checksum: migrationChecksum(m.statements) },
      );
      applied.push({ id: m.id, name: m.name });
    }
    return { applied, alreadyApplied: migrations.length - pending.length };
  }

  close(): Promise<void> {
    if (!this.#closed) {
      // Wait for running operations: closing chdb under a running query aborts the engine.
      this.#closed = Promise.allSettled([...this.#inFlight]).then(() => this.#backend.close());
    }
    return this.#closed;
  }

  #bind(sql: string, params: QueryParams | undefined): { query: string; extra: { query_params?: Record<string, unknown> } } {
    if (typeof sql !== 'string' || sql.trim() === '') throw new QuantError('STORE_SQL_INVALID', 'SQL text is empty');
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw new QuantError('STORE_PARAM_INVALID', 'params must be an object of named values');
    }
    if (this.#native) {
      const query_params = nativeParams(sql, params ?? {}, this.#paramOptions);
      return { query: sql, extra: Object.keys(query_params).length > 0 ? { query_params } : {} };
    }
    return { query: bindParams(sql, params ?? {}, this.#paramOptions), extra: {} };
  }

  #run<R>(operation: string, sql: string, fn: () => Promise<R>): Promise<R> {
    if (this.#closed) {
      return Promise.reject(new QuantError('STORE_CLOSED', `${operation} on a closed store (${redact(this.#info.location)})`));
    }
    const p = fn().catch((e: unknown) => {
      throw toStoreError(e, operation, sql);
    });
    this.#inFlight.add(p);
    void p.then(
      () => this.#inFlight.delete(p),
      () => this.#inFlight.delete(p),
    );
    return p;
  }
}
