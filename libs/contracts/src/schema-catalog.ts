import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Type } from 'avsc';
import { QuantError } from '@quant/errors';
import { ContractErrorCode } from './contract-errors';
import { rabinFingerprint64 } from './rabin-fingerprint';

/**
 * Where the versioned `.avsc` files live. Read from disk (not bundled) so `proto/avro` stays the single
 * source of truth; deployments ship that folder or point QUANT_AVRO_DIR at a copy.
 */
export const DEFAULT_AVRO_DIR: string =
  process.env['QUANT_AVRO_DIR'] ?? fileURLToPath(new URL('../../../proto/avro', import.meta.url));

/** Folder, next to the current schema, that keeps every released revision, frozen. */
export const HISTORY_DIR = 'history';

const HISTORY_FILE = /^([A-Za-z_][A-Za-z0-9_]*)\.r([1-9][0-9]*)\.avsc$/;

/** One compiled schema: the current one of a record, or one of its released revisions. */
export interface SchemaVersion {
  /** Full name, e.g. `quant.market.v1.DailyBar`. */
  readonly name: string;
  /** Revision number (from `history/<Name>.r<N>.avsc`); null for the current file. */
  readonly revision: number | null;
  /** CRC-64-AVRO of the Parsing Canonical Form, hex of the 8 little-endian bytes. */
  readonly fingerprint: string;
  readonly fingerprintBytes: Buffer;
  /** Parsing Canonical Form: what the fingerprint covers (no docs, defaults or logical types). */
  readonly canonical: string;
  readonly type: Type;
  /** The schema as written, with docs and defaults. */
  readonly schema: unknown;
  /** File it came from, or null when registered in code. */
  readonly file: string | null;
}

// One option set for every schema so readers and writers resolve against each other predictably:
// ["null", T] unions map to `T | null`, and decoded records are plain objects without methods.
const PARSE_OPTIONS = { wrapUnions: 'auto', omitRecordMethods: true } as const;

/** Parses any Avro schema with the options the whole platform uses; errors name `origin`. */
export function parseSchema(schema: unknown, origin = 'schema'): Type {
  try {
    // A fresh registry per schema: avsc stores named types in the options object it is given.
    return avro.Type.forSchema(schema as avro.Schema, { ...PARSE_OPTIONS, registry: {} });
  } catch (cause) {
    throw new QuantError(ContractErrorCode.badSchema, `invalid Avro schema in ${origin}: ${(cause as Error).message}`, {
      cause,
      details: { origin },
    });
  }
}

/**
 * Parsing Canonical Form (Avro spec): full names, only the attributes that affect the binary format,
 * fixed attribute order, no whitespace. avsc's `schema()` without options produces exactly this.
 */
export function canonicalForm(type: Type): string {
  return JSON.stringify(type.schema());
}

/** Compiles an event schema (a named record) and computes its fingerprint; `origin` names it in errors. */
export function compileSchema(schema: unknown, origin: string, revision: number | null = null, file: string | null = null): SchemaVersion {
  const type = parseSchema(schema, origin);
  if (type.typeName !== 'record' || !type.name) {
    throw new QuantError(ContractErrorCode.badSchema, `${origin}: an event schema must be a named record, got ${type.typeName}`, {
      details: { origin },
    });
  }
  const canonical = canonicalForm(type);
  const fingerprintBytes = rabinFingerprint64(canonical);
  return Object.freeze({
    name: type.name,
    revision,
    fingerprint: fingerprintBytes.toString('hex'),
    fingerprintBytes,
    canonical,
    type,
    schema,
    file,
  });
}

/**
 * The schemas a process knows: the current version of every record (what it writes and reads into)
 * and every released revision (what it may find on a topic), indexed by fingerprint.
 */
export class SchemaCatalog {
  private readonly currentByName = new Map<string, SchemaVersion>();
  private readonly revisionsByName = new Map<string, SchemaVersion[]>();
  private readonly byFingerprintHex = new Map<string, SchemaVersion>();

  /** Loads `<root>/<namespace path>/<Name>.avsc` and `<root>/<namespace path>/history/<Name>.r<N>.avsc`. */
  static load(rootDir: string = DEFAULT_AVRO_DIR): SchemaCatalog {
    const catalog = new SchemaCatalog();
    let files: string[];
    try {
      files = listAvscFiles(rootDir);
    } catch (cause) {
      throw new QuantError(ContractErrorCode.badSchema, `cannot read Avro schema folder ${rootDir}: ${(cause as Error).message}`, {
        cause,
        details: { rootDir },
      });
    }
    // Sorted so the first error reported is the same on every machine; revisions sort themselves.
    files.sort();
    for (const file of files) {
      const relPath = relative(rootDir, file);
      const inHistory = basename(dirname(file)) === HISTORY_DIR;
      const schema = readSchemaFile(file, relPath);
      if (inHistory) {
        const match = HISTORY_FILE.exec(basename(file));
        if (!match) {
          throw new QuantError(ContractErrorCode.badSchema, `${relPath}: history files are named <Name>.r<N>.avsc`, {
            details: { file: relPath },
          });
        }
        const version = catalog.addRevision(schema, Number(match[2]), file);
        checkLocation(version, relative(rootDir, dirname(dirname(file))), match[1] as string, relPath);
      } else {
        const version = catalog.setCurrent(schema, file);
        checkLocation(version, relative(rootDir, dirname(file)), basename(file, '.avsc'), relPath);
      }
    }
    return catalog;
  }

  /** Sets the schema this process writes and reads into for its record name. */
  setCurrent(schema: unknown, file: string | null = null): SchemaVersion {
    const version = compileSchema(schema, file ?? 'current schema', null, file);
    const existing = this.currentByName.get(version.name);
    if (existing && existing.fingerprint !== version.fingerprint) {
      throw new QuantError(
        ContractErrorCode.badSchema,
        `two current schemas for ${version.name}: ${existing.file ?? 'in code'} and ${file ?? 'in code'}`,
        { details: { schema: version.name } },
      );
    }
    this.currentByName.set(version.name, version);
    this.index(version);
    return version;
  }

  /** Registers a released revision so messages written with it stay readable. */
  addRevision(schema: unknown, revision: number, file: string | null = null): SchemaVersion {
    const version = compileSchema(schema, file ?? `revision r${revision}`, revision, file);
    const list = this.revisionsByName.get(version.name) ?? [];
    if (list.some((v) => v.revision === revision)) {
      throw new QuantError(ContractErrorCode.badSchema, `${version.name} has revision r${revision} twice`, {
        details: { schema: version.name, revision },
      });
    }
    list.push(version);
    list.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    this.revisionsByName.set(version.name, list);
    this.index(version);
    return version;
  }

  /** The current schema of a record; throws naming the known records when there is none. */
  current(name: string): SchemaVersion {
    const version = this.currentByName.get(name);
    if (!version) {
      throw new QuantError(
        ContractErrorCode.badSchema,
        `no current Avro schema named ${name}; known: ${[...this.currentByName.keys()].sort().join(', ') || '(none)'}`,
        { details: { schema: name } },
      );
    }
    return version;
  }

  has(name: string): boolean {
    return this.currentByName.has(name);
  }

  /** Released revisions of a record, oldest first. */
  revisions(name: string): readonly SchemaVersion[] {
    return this.revisionsByName.get(name) ?? [];
  }

  byFingerprint(fingerprintHex: string): SchemaVersion | undefined {
    return this.byFingerprintHex.get(fingerprintHex);
  }

  /** Full names of every record with a current schema, sorted. */
  names(): string[] {
    return [...this.currentByName.keys()].sort();
  }

  /** Record names that have released revisions, sorted. */
  namesWithHistory(): string[] {
    return [...this.revisionsByName.keys()].sort();
  }

  private index(version: SchemaVersion): void {
    const existing = this.byFingerprintHex.get(version.fingerprint);
    // The current file normally equals its newest revision; keep the revision so errors can name it.
    if (!existing || (existing.revision === null && version.revision !== null)) {
      this.byFingerprintHex.set(version.fingerprint, version);
    }
  }
}

let defaultCatalogInstance: SchemaCatalog | undefined;

/** The catalog loaded from DEFAULT_AVRO_DIR on first use (not at import: importing does no I/O). */
export function defaultCatalog(): SchemaCatalog {
  defaultCatalogInstance ??= SchemaCatalog.load(DEFAULT_AVRO_DIR);
  return defaultCatalogInstance;
}

function listAvscFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listAvscFiles(path));
    else if (entry.endsWith('.avsc')) out.push(path);
  }
  return out;
}

function readSchemaFile(file: string, relPath: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new QuantError(ContractErrorCode.badSchema, `${relPath}: not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { file: relPath },
    });
  }
}

/** A schema's folder must spell its namespace and its file its name, so every schema has one obvious home. */
function checkLocation(version: SchemaVersion, relDir: string, fileName: string, relPath: string): void {
  const lastDot = version.name.lastIndexOf('.');
  const namespace = lastDot < 0 ? '' : version.name.slice(0, lastDot);
  const shortName = version.name.slice(lastDot + 1);
  const expectedDir = namespace.split('.').join(sep);
  if (relDir !== expectedDir || fileName !== shortName) {
    throw new QuantError(
      ContractErrorCode.badSchema,
      `${relPath} holds ${version.name}, which belongs in ${join(expectedDir, `${shortName}.avsc`)} (history: ${join(expectedDir, HISTORY_DIR, `${shortName}.r<N>.avsc`)})`,
      { details: { file: relPath, schema: version.name } },
    );
  }
}
