/**
 * The ClickHouse store port. Two connections implement it over @clickhouse/client: embedded chdb
 * (a data directory, the default) and a ClickHouse server URL.
 *
 * SQL is written once with bound parameters in ClickHouse syntax (`{name:Type}`); the adapter binds
 * them natively where the server supports query parameters and otherwise formats the typed values on
 * the client with one tested quoting function. Never build SQL from values by hand.
 */

export type ParamValue = string | number | bigint | boolean | Date | null | ParamValue[];
export type QueryParams = Record<string, ParamValue>;

export interface Migration {
  /**
   * Positive integer, strictly increasing; never renumber or edit an applied migration. Each module
   * owns a block of 1,000 ids (market data 1001+, feature store 2001+) and migrate() judges only the
   * blocks of the list it is given, so modules share one store and ledger.
   */
  id: number;
  name: string;
  /** Statements run in order. Use `{db}` nowhere: tables live in the store's database. */
  statements: string[];
}

export interface MigrationReport {
  applied: Array<{ id: number; name: string }>;
  alreadyApplied: number;
}

/**
 * What the connected ClickHouse can do, measured at open (a probe query each), so DDL can adapt.
 * Migrations meant for every store stick to the subset all of these allow (MergeTree family,
 * PARTITION BY, ORDER BY, FINAL, plain column types).
 */
export interface StoreCapabilities {
  /** `{name:Type}` bound by the server (false on 18.16: the adapter then substitutes typed literals). */
  queryParameters: boolean;
  /** LowCardinality(T) columns without experimental settings. */
  lowCardinality: boolean;
  /** DateTime64(p) columns. */
  dateTime64: boolean;
}

export interface StoreInfo {
  kind: 'chdb' | 'server';
  /** ClickHouse version string, e.g. '26.7.2.1' or '18.16.1'. */
  version: string;
  /** Where: the data directory or the server URL without credentials. */
  location: string;
  database: string;
  capabilities: StoreCapabilities;
}

export interface Store {
  info(): Promise<StoreInfo>;
  /** DDL and statements without a result. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /**
   * A SELECT returning rows as plain objects (JSONEachRow semantics). 64-bit integers come back as
   * strings (exact beyond 2^53; `openStore(..., { int64AsString: false })` returns numbers), NaN and
   * ±Infinity as null. Do not add a FORMAT clause.
   */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /**
   * Inserts rows in one request. Every row has the same keys (the table's column names; columns left
   * out take their defaults). Values: strings (also for Date 'YYYY-MM-DD', DateTime and 64-bit ints),
   * numbers, bigints, booleans (UInt8), null (Nullable), arrays (Array). Encoded as TabSeparated, the
   * fastest path both backends parse. `table` is a name in the store's database (or `db.name`).
   * All rows are checked before any is sent: a refused row means nothing was inserted.
   */
  insert<T extends object>(table: string, rows: readonly T[]): Promise<void>;
  /** Applies the forward-only migrations not yet in the ledger table, in id order. */
  migrate(migrations: readonly Migration[]): Promise<MigrationReport>;
  close(): Promise<void>;
}

/** Default embedded store location for the `quant` command. */
export const DEFAULT_STORE_DIR = './.quant/store';
export const MIGRATION_LEDGER_TABLE = 'schema_migrations';
