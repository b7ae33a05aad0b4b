import type { Migration } from '@quant/storage';

/**
 * Feature tables, in the DDL subset shared by ClickHouse 18.16 and chdb (no CODECs, no
 * LowCardinality, no DateTime64).
 *
 * Wide per set: one row per (set, instrument, day) holding every column of the set in one array,
 * 158 x 4 bytes (+1 byte null map) for Alpha158, instead of 158 narrow rows that each repeat the key.
 * Missing values are NULL, explicitly: the store refuses NaN in inserts by default and reads NaN back
 * as null anyway, so NULL is the one encoding that means the same on both servers and in JSON.
 * ReplacingMergeTree(computed_at) on (set, code, date): recomputing a day, also under a new set
 * version, replaces the row instead of adding one; readers filter on the version after FINAL.
 */
export const FEATURE_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 2001,
    name: 'feature-store: feature values and column names per set version',
    statements: [
      `CREATE TABLE IF NOT EXISTS feature_values (
         set String, version String, code String, date Date,
         values Array(Nullable(Float32)), computed_at DateTime)
       ENGINE = ReplacingMergeTree(computed_at) PARTITION BY toYear(date) ORDER BY (set, code, date)`,
      `CREATE TABLE IF NOT EXISTS feature_columns (set String, version String, names Array(String), updated_at DateTime)
       ENGINE = ReplacingMergeTree(updated_at) ORDER BY (set, version)`,
    ],
  },
];
