import type { Migration } from '@quant/storage';

/**
 * Tables of market data. DDL sticks to what ClickHouse 18.16 (the Debian server) and current versions
 * both accept: no CODECs, no LowCardinality, no DateTime64. ReplacingMergeTree keyed by the natural key
 * makes every write idempotent: a redelivered or re-imported row replaces its twin instead of adding one.
 * Readers that count use FINAL.
 */
export const MARKET_DATA_MIGRATIONS: readonly Migration[] = [
  {
    id: 1001,
    name: 'market-data: trading calendar, instruments, universes',
    statements: [
      `CREATE TABLE IF NOT EXISTS trading_calendar (market String, date Date, source String, updated_at DateTime)
       ENGINE = ReplacingMergeTree(updated_at) ORDER BY (market, date)`,
      `CREATE TABLE IF NOT EXISTS instruments (code String, first_date Date, last_date Date, source String, updated_at DateTime)
       ENGINE = ReplacingMergeTree(updated_at) ORDER BY code`,
      `CREATE TABLE IF NOT EXISTS universe_members (universe String, code String, start_date Date, end_date Date, source String, updated_at DateTime)
       ENGINE = ReplacingMergeTree(updated_at) ORDER BY (universe, code, start_date)`,
    ],
  },
  {
    id: 1002,
    name: 'market-data: daily bars',
    statements: [
      `CREATE TABLE IF NOT EXISTS daily_bars (
         code String, date Date,
         open Float64, high Float64, low Float64, close Float64,
         volume Nullable(Float64), amount Nullable(Float64), factor Nullable(Float64),
         traded UInt8, is_st Nullable(UInt8), flags Array(String),
         source String, event_id String, ingested_at DateTime)
       ENGINE = ReplacingMergeTree(ingested_at) PARTITION BY toYear(date) ORDER BY (code, date)`,
    ],
  },
  {
    id: 1003,
    name: 'market-data: valuations and news',
    statements: [
      `CREATE TABLE IF NOT EXISTS valuations (
         code String, date Date,
         pe_ttm Nullable(Float64), pb_mrq Nullable(Float64), ps_ttm Nullable(Float64), pcf_ncf_ttm Nullable(Float64),
         turnover Nullable(Float64), total_mv Nullable(Float64), circ_mv Nullable(Float64),
         source String, event_id String, ingested_at DateTime)
       ENGINE = ReplacingMergeTree(ingested_at) PARTITION BY toYear(date) ORDER BY (code, date)`,
      `CREATE TABLE IF NOT EXISTS news_items (
         id String, code String, published_date Date, published_at Nullable(DateTime),
         title Nullable(String), text String, label Nullable(Int8),
         source String, ingested_at DateTime)
       ENGINE = ReplacingMergeTree(ingested_at) ORDER BY (code, published_date, id)`,
    ],
  },
];
