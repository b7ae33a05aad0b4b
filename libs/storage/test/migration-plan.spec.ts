import { describe, expect, it } from 'vitest';
import { migrationChecksum, planMigrations, validateMigrations } from '../src/migration.plan';
import type { LedgerRow } from '../src/migration.plan';
import type { Migration } from '../src/store.port';

const m1: Migration = { id: 1, name: 'bars', statements: ['CREATE TABLE bars (x UInt8) ENGINE = MergeTree() ORDER BY x'] };
const m2: Migration = { id: 2, name: 'quotes', statements: ['CREATE TABLE quotes (x UInt8) ENGINE = MergeTree() ORDER BY x', 'SELECT 1'] };
const m5: Migration = { id: 5, name: 'news', statements: ['CREATE TABLE news (x UInt8) ENGINE = MergeTree() ORDER BY x'] };
const row = (m: Migration): LedgerRow => ({ id: m.id, name: m.name, checksum: migrationChecksum(m.statements) });
const mig = (id: number, name: string): Migration => ({ id, name, statements: [`CREATE TABLE t${id} (x UInt8) ENGINE = MergeTree() ORDER BY x`] });

describe('migrationChecksum', () => {
  it('is stable, ignores surrounding whitespace, and sees statement boundaries', () => {
    expect(migrationChecksum(['a', 'b'])).toBe(migrationChecksum(['  a\n', 'b ']));
    expect(migrationChecksum(['a', 'b'])).not.toBe(migrationChecksum(['a b']));
    expect(migrationChecksum(['a', 'b'])).not.toBe(migrationChecksum(['b', 'a']));
    expect(migrationChecksum(['a'])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('planMigrations', () => {
  it('applies everything on an empty ledger, and nothing once all are recorded', () => {
    expect(planMigrations([m1, m2, m5], []).map((m) => m.id)).toEqual([1, 2, 5]);
    expect(planMigrations([m1, m2, m5], [row(m1), row(m2), row(m5)])).toEqual([]);
    expect(planMigrations([m1, m2, m5], [row(m1)]).map((m) => m.id)).toEqual([2, 5]);
  });

  it('tolerates a duplicated ledger row with the same checksum (two processes raced)', () => {
    expect(planMigrations([m1, m2], [row(m1), row(m1)]).map((m) => m.id)).toEqual([2]);
  });

  it('refuses an applied migration whose statements changed', () => {
    const edited = { ...m1, statements: [...m1.statements, 'SELECT 2'] };
    expect(() => planMigrations([edited, m2], [row(m1)])).toThrow(/Migration 1 \(bars\) was applied with checksum .* never edit an applied migration/);
  });

  it('refuses a ledger that knows a migration the code does not (newer database)', () => {
    expect(() => planMigrations([m1], [row(m1), row(m2)])).toThrow(/has migration 2 \(quotes\) that this code does not know/);
  });

  it('refuses a missing migration older than an applied one', () => {
    expect(() => planMigrations([m1, m2, m5], [row(m1), row(m5)])).toThrow(/Migration 2 \(quotes\) is not applied but the later migration 5 is/);
  });

  it('judges only its own blocks of ids: another module ahead of it is not a newer database', () => {
    const marketData = [mig(1001, 'bars'), mig(1002, 'news')];
    const features = [mig(2001, 'features')];
    const ledger = [...marketData, ...features].map(row);
    // Market data sees the feature store's 2001 and shrugs; the feature store sees 1001/1002 likewise.
    expect(planMigrations(marketData, ledger)).toEqual([]);
    expect(planMigrations([...features, mig(2002, 'more features')], ledger).map((m) => m.id)).toEqual([2002]);
    // Within its own block the rules hold: an unknown applied id is still a newer database.
    expect(() => planMigrations([mig(1001, 'bars')], ledger)).toThrow(/1002.*newer than the code/);
    // And out of order is judged per block: 1003 may be added after 2001 was applied.
    expect(planMigrations([...marketData, mig(1003, 'valuations')], ledger).map((m) => m.id)).toEqual([1003]);
  });

  it('refuses conflicting duplicate ledger rows', () => {
    expect(() => planMigrations([m1], [row(m1), { ...row(m1), checksum: 'x' }])).toThrow(/twice with different checksums/);
  });
});

describe('validateMigrations', () => {
  it.each([
    [[m2, m1], /Migration 1 \(bars\) at index 1 comes after 2/],
    [[m1, { ...m2, id: 1 }], /comes after 1: ids must be unique and strictly increasing/],
    [[{ ...m1, id: 0 }], /ids are positive integers/],
    [[{ ...m1, id: 1.5 }], /ids are positive integers/],
    [[{ ...m1, name: ' ' }], /has no name/],
    [[{ ...m1, statements: [] }], /non-empty list/],
    [[{ ...m1, statements: ['SELECT 1', '  '] }], /non-empty statements/],
    [[null], /index 0 is not an object/],
  ])('refuses a bad list (%#)', (list, message) => {
    expect(() => validateMigrations(list as Migration[])).toThrow(message);
  });
});
