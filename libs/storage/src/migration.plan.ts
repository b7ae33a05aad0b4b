/**
 * Forward-only migrations: which ones to apply, decided from the code's list and the ledger alone
 * (pure, so every refusal is unit-tested without a database).
 */
import { createHash } from 'node:crypto';
import { QuantError } from '@quant/errors';
import type { Migration } from './store.port';

export interface LedgerRow {
  id: number;
  name: string;
  checksum: string;
}

/**
 * sha256 over the statements, each trimmed (surrounding whitespace is not a change), separated by a
 * byte that cannot occur in SQL text so ['a b'] and ['a', 'b'] differ. The name is not included:
 * renaming a migration is cosmetic.
 */
export function migrationChecksum(statements: readonly string[]): string {
  const hash = createHash('sha256');
  for (const s of statements) {
    hash.update(s.trim(), 'utf8');
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

function refuse(code: string, message: string, details: Record<string, string | number>): QuantError {
  return new QuantError(code, message, { details });
}

/** Checks the code's list: positive integer ids, strictly increasing, names and statements present. */
export function validateMigrations(migrations: readonly Migration[]): void {
  if (!Array.isArray(migrations as unknown)) throw refuse('STORE_MIGRATION_INVALID', 'migrate() takes an array of migrations', {});
  let previous = 0;
  for (const [index, m] of migrations.entries()) {
    if (m === null || typeof m !== 'object') throw refuse('STORE_MIGRATION_INVALID', `Migration at index ${index} is not an object`, { index });
    if (!Number.isSafeInteger(m.id) || m.id <= 0 || m.id > 0xffffffff) {
      throw refuse('STORE_MIGRATION_INVALID', `Migration at index ${index} has id ${String(m.id)}: ids are positive integers (UInt32)`, { index });
    }
    if (m.id <= previous) {
      throw refuse(
        'STORE_MIGRATION_ORDER',
        `Migration ${m.id} (${m.name}) at index ${index} comes after ${previous}: ids must be unique and strictly increasing`,
        { index, id: m.id },
      );
    }
    if (typeof m.name !== 'string' || m.name.trim() === '') {
      throw refuse('STORE_MIGRATION_INVALID', `Migration ${m.id} has no name`, { id: m.id });
    }
    if (!Array.isArray(m.statements) || m.statements.length === 0 || m.statements.some((s: unknown) => typeof s !== 'string' || s.trim() === '')) {
      throw refuse('STORE_MIGRATION_INVALID', `Migration ${m.id} (${m.name}) needs a non-empty list of non-empty statements`, { id: m.id });
    }
    previous = m.id;
  }
}

/**
 * Modules share one store and one ledger: each owns a block of 1,000 ids (market data 1001+, feature
 * store 2001+, ...), and a module's migrate() judges only the blocks its own list uses. So one module
 * upgraded ahead of another is not mistaken for "a database newer than the code".
 */
export const MIGRATION_BLOCK_SIZE = 1000;
const blockOf = (id: number): number => Math.floor(id / MIGRATION_BLOCK_SIZE);

/**
 * The migrations still to apply, in id order. Refuses when the ledger disagrees with the code within
 * the blocks the code owns: an applied migration whose statements changed, an applied id the code does
 * not know (the database is newer than the code), or a missing migration older than an applied one of
 * the same block (out of order).
 */
export function planMigrations(migrations: readonly Migration[], ledger: readonly LedgerRow[]): Migration[] {
  validateMigrations(migrations);
  const known = new Map(migrations.map((m) => [m.id, m]));
  const blocks = new Set(migrations.map((m) => blockOf(m.id)));
  const applied = new Map<number, LedgerRow>();
  for (const row of ledger) {
    if (!blocks.has(blockOf(row.id))) continue;
    const other = applied.get(row.id);
    if (other && other.checksum !== row.checksum) {
      throw refuse('STORE_MIGRATION_LEDGER_CONFLICT', `The ledger records migration ${row.id} twice with different checksums`, { id: row.id });
    }
    applied.set(row.id, row);
  }
  for (const row of [...applied.values()].sort((a, b) => a.id - b.id)) {
    const m = known.get(row.id);
    if (!m) {
      throw refuse(
        'STORE_MIGRATION_UNKNOWN',
        `The database has migration ${row.id} (${row.name}) that this code does not know: the database is newer than the code`,
        { id: row.id, name: row.name },
      );
    }
    const checksum = migrationChecksum(m.statements);
    if (checksum !== row.checksum) {
      throw refuse(
        'STORE_MIGRATION_CHECKSUM',
        `Migration ${m.id} (${m.name}) was applied with checksum ${row.checksum.slice(0, 12)} but its statements now hash to ${checksum.slice(0, 12)}: ` +
          'never edit an applied migration, add a new one',
        { id: m.id, name: m.name },
      );
    }
  }
  const newestInBlock = new Map<number, number>();
  for (const id of applied.keys()) newestInBlock.set(blockOf(id), Math.max(newestInBlock.get(blockOf(id)) ?? 0, id));
  const pending = migrations.filter((m) => !applied.has(m.id));
  const late = pending.find((m) => m.id < (newestInBlock.get(blockOf(m.id)) ?? 0));
  if (late) {
    const newer = newestInBlock.get(blockOf(late.id))!;
    throw refuse(
      'STORE_MIGRATION_ORDER',
      `Migration ${late.id} (${late.name}) is not applied but the later migration ${newer} is: out-of-order migrations are refused`,
      { id: late.id },
    );
  }
  return pending;
}
