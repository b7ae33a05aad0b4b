import { QuantError } from '@quant/errors';
import type { Store } from '@quant/storage';
import { FEATURE_STORE_MIGRATIONS } from './feature-store.migrations';

/** One instrument's features on one day; NaN marks a missing value. */
export interface FeatureRow {
  code: string;
  /** YYYY-MM-DD */
  date: string;
  values: ArrayLike<number>;
}

export interface StoredFeatureRow {
  code: string;
  date: string;
  values: Float64Array;
}

/** Rows per insert: ~20k x 158 values is a few MB of text, a part per partition rather than per instrument. */
export const FEATURE_INSERT_ROWS = 20_000;

/** ClickHouse DateTime text in UTC. */
export function toDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/**
 * Feature values in the store. Writes are idempotent (ReplacingMergeTree on set, code, date); reads
 * deduplicate with FINAL and only then keep the requested version, so a row recomputed under a newer
 * version never mixes with the stale one.
 */
export class FeatureRepository {
  constructor(private readonly store: Store) {}

  /** Applies the feature store's migrations (its own block of ids in the shared ledger). */
  async migrate(): Promise<void> {
    await this.store.migrate(FEATURE_STORE_MIGRATIONS);
  }

  async saveColumns(set: string, version: string, names: readonly string[]): Promise<void> {
    await this.store.insert('feature_columns', [{ set, version, names: [...names], updated_at: toDateTime(Date.now()) }]);
  }

  /** Column names of a set version, or null when nothing was stored under it. */
  async columns(set: string, version: string): Promise<string[] | null> {
    const rows = await this.store.query<{ names: string[] }>(
      'SELECT names FROM feature_columns FINAL WHERE set = {set:String} AND version = {version:String}',
      { set, version },
    );
    return rows[0]?.names ?? null;
  }

  /**
   * Stores rows (NaN -> NULL), in inserts of at most `batchRows`. Every row must have `width` values:
   * a short row would shift columns silently on read.
   */
  async write(set: string, version: string, width: number, rows: readonly FeatureRow[], computedAt = Date.now(), batchRows = FEATURE_INSERT_ROWS): Promise<void> {
    const stamp = toDateTime(computedAt);
    for (let start = 0; start < rows.length; start += batchRows) {
      const chunk = rows.slice(start, start + batchRows);
      const encoded = chunk.map((r, i) => {
        if (r.values.length !== width) {
          throw new QuantError('FEATURE_ROW_INVALID', `feature row ${start + i} (${r.code} ${r.date}) of set ${set} has ${r.values.length} values, expected ${width}`, {
            details: { set, code: r.code, date: r.date },
          });
        }
        const values = new Array<number | null>(width);
        for (let j = 0; j < width; j++) {
          const v = r.values[j] as number;
          values[j] = Number.isFinite(v) ? v : null;
        }
        return { set, version, code: r.code, date: r.date, values, computed_at: stamp };
      });
      await this.store.insert('feature_values', encoded);
    }
  }

  /** Rows of a set version for these codes over [from, to], ordered by code then date; NULL -> NaN. */
  async read(set: string, version: string, codes: readonly string[], from: string, to: string): Promise<StoredFeatureRow[]> {
    if (codes.length === 0) return [];
    const rows = await this.store.query<{ code: string; day: string; values: Array<number | string | null> }>(
      `SELECT code, toString(date) AS day, values FROM (
         SELECT code, date, version, values FROM feature_values FINAL
         WHERE set = {set:String} AND has({codes:Array(String)}, code) AND date >= {from:Date} AND date <= {to:Date})
       WHERE version = {version:String} ORDER BY code, date`,
      { set, version, codes: [...codes], from, to },
    );
    return rows.map((r) => {
      const values = new Float64Array(r.values.length);
      for (let j = 0; j < values.length; j++) {
        const v = r.values[j];
        values[j] = v === null || v === undefined ? Number.NaN : num(v);
      }
      return { code: r.code, date: r.day, values };
    });
  }

  /** Last day with stored features of this set version, per instrument. */
  async lastComputedDates(set: string, version: string, codes?: readonly string[]): Promise<Map<string, string>> {
    const byCode = codes !== undefined && codes.length > 0;
    const rows = await this.store.query<{ code: string; last_date: string }>(
      `SELECT code, toString(max(date)) AS last_date FROM (
         SELECT code, date, version FROM feature_values FINAL
         WHERE set = {set:String}${byCode ? ' AND has({codes:Array(String)}, code)' : ''})
       WHERE version = {version:String} GROUP BY code`,
      byCode ? { set, version, codes: [...(codes ?? [])] } : { set, version },
    );
    return new Map(rows.map((r) => [r.code, r.last_date]));
  }

  /** Instruments with a stored row of this set version on a day. */
  async countOn(set: string, version: string, date: string): Promise<number> {
    const [row] = await this.store.query<{ n: string | number }>(
      `SELECT count() AS n FROM (
         SELECT version FROM feature_values FINAL WHERE set = {set:String} AND date = {date:Date})
       WHERE version = {version:String}`,
      { set, version, date },
    );
    return num(row?.n ?? 0);
  }
}
