import type { Type } from 'avsc';
import { QuantError } from '@quant/errors';
import { ContractErrorCode } from './contract-errors';
import { defaultCatalog } from './schema-catalog';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';
import type { TopicDefinition } from './topics';

type Resolver = ReturnType<Type['createResolver']>;

/** Encodes events of one schema to Avro single-object encoding and decodes any known revision of it. */
export interface EventSerde<T> {
  readonly schemaName: string;
  /** Fingerprint of the schema this serde writes: hex of the 8 header bytes. */
  readonly fingerprint: string;
  encode(event: T): Buffer;
  decode(value: Buffer): T;
}

/** Avro single-object encoding: marker C3 01, 8-byte little-endian CRC-64-AVRO fingerprint, body. */
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_LENGTH = 10;

// Encoding goes through one reusable buffer and copies out once: avsc's toBuffer plus a header
// concat would allocate and copy twice. Safe because encode is synchronous.
let scratch = Buffer.allocUnsafe(64 * 1024);

/** A serde for a record of the catalog (default: proto/avro). Prefer `serdeFor(topic)`, which caches. */
export function createSerde<T>(schemaName: string, catalog: SchemaCatalog = defaultCatalog()): EventSerde<T> {
  return new AvroEventSerde<T>(catalog.current(schemaName), catalog);
}

const serdeCache = new Map<string, EventSerde<unknown>>();

/** The cached serde for a topic's schema, from the default catalog. */
export function serdeFor<T>(topic: TopicDefinition<T>): EventSerde<T> {
  let serde = serdeCache.get(topic.schemaName);
  if (!serde) {
    serde = createSerde<unknown>(topic.schemaName);
    serdeCache.set(topic.schemaName, serde);
  }
  return serde as EventSerde<T>;
}

/** The writer schema fingerprint of a single-object encoded message (hex), e.g. for dead-letter tooling. */
export function readFingerprint(value: Buffer, what = 'message'): string {
  checkHeader(value, what);
  return value.toString('hex', 2, SINGLE_OBJECT_HEADER_LENGTH);
}

class AvroEventSerde<T> implements EventSerde<T> {
  readonly schemaName: string;
  readonly fingerprint: string;
  private readonly type: Type;
  private readonly header: Buffer;
  private readonly fingerprintLo: number;
  private readonly fingerprintHi: number;
  private readonly resolvers = new Map<string, Resolver>();

  constructor(
    private readonly reader: SchemaVersion,
    private readonly catalog: SchemaCatalog,
  ) {
    this.schemaName = reader.name;
    this.fingerprint = reader.fingerprint;
    this.type = reader.type;
    this.header = Buffer.concat([SINGLE_OBJECT_MAGIC, reader.fingerprintBytes]);
    this.fingerprintLo = reader.fingerprintBytes.readUInt32LE(0);
    this.fingerprintHi = reader.fingerprintBytes.readUInt32LE(4);
  }

  encode(event: T): Buffer {
    const eventId = (event as { eventId?: unknown } | null | undefined)?.eventId;
    if (typeof eventId !== 'string' || eventId.length === 0) {
      // Avro accepts '' but an empty idempotency key would collapse unrelated events downstream.
      throw this.invalid([`eventId = ${formatValue(eventId)} (expected a non-empty string)`], 'eventId', eventId);
    }
    let end: number;
    for (;;) {
      try {
        end = this.type.encode(event, scratch, SINGLE_OBJECT_HEADER_LENGTH);
      } catch (cause) {
        throw this.describeInvalid(event, cause);
      }
      if (end >= 0) break;
      // avsc returns minus the missing byte count when the buffer is too small.
      scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
    }
    const out = Buffer.allocUnsafe(end);
    this.header.copy(out, 0);
    scratch.copy(out, SINGLE_OBJECT_HEADER_LENGTH, SINGLE_OBJECT_HEADER_LENGTH, end);
    return out;
  }

  decode(value: Buffer): T {
    checkHeader(value, `${this.schemaName} message`);
    let resolver: Resolver | undefined;
    if (value.readUInt32LE(2) !== this.fingerprintLo || value.readUInt32LE(6) !== this.fingerprintHi) {
      resolver = this.resolverFor(value.toString('hex', 2, SINGLE_OBJECT_HEADER_LENGTH));
    }
    let result: { value: unknown; offset: number };
    try {
      result = this.type.decode(value, SINGLE_OBJECT_HEADER_LENGTH, resolver);
    } catch (cause) {
      throw new QuantError(ContractErrorCode.corruptPayload, `cannot decode ${this.schemaName} message: ${(cause as Error).message}`, {
        cause,
        details: { schema: this.schemaName, bytes: value.length },
      });
    }
    if (result.offset < 0) {
      throw new QuantError(
        ContractErrorCode.truncated,
        `truncated ${this.schemaName} message: the body ends early (${value.length} bytes in all)`,
        { details: { schema: this.schemaName, bytes: value.length } },
      );
    }
    if (result.offset !== value.length) {
      throw new QuantError(
        ContractErrorCode.corruptPayload,
        `corrupt ${this.schemaName} message: ${value.length - result.offset} unexpected bytes after the body`,
        { details: { schema: this.schemaName, bytes: value.length, bodyEnd: result.offset } },
      );
    }
    return result.value as T;
  }

  private resolverFor(fingerprint: string): Resolver {
    const cached = this.resolvers.get(fingerprint);
    if (cached) return cached;
    const writer = this.catalog.byFingerprint(fingerprint);
    if (!writer) {
      const known = [...this.catalog.revisions(this.schemaName)].map((v) => `r${v.revision}=${v.fingerprint}`);
      throw new QuantError(
        ContractErrorCode.unknownSchema,
        `unknown writer schema fingerprint ${fingerprint} for ${this.schemaName} (this process reads ${this.fingerprint}; ` +
          `known revisions: ${known.join(', ') || 'none'}). A producer with a newer schema? Release the revision to consumers first.`,
        { details: { schema: this.schemaName, fingerprint } },
      );
    }
    if (writer.name !== this.schemaName) {
      throw new QuantError(
        ContractErrorCode.schemaMismatch,
        `message written with ${writer.name} cannot be read as ${this.schemaName} (wrong topic or wrong serde?)`,
        { details: { schema: this.schemaName, writerSchema: writer.name, fingerprint } },
      );
    }
    let resolver: Resolver;
    try {
      resolver = this.type.createResolver(writer.type);
    } catch (cause) {
      throw new QuantError(
        ContractErrorCode.incompatibleSchema,
        `${this.schemaName} ${this.fingerprint} cannot read data written with ${describeVersion(writer)}: ${(cause as Error).message}`,
        { cause, details: { schema: this.schemaName, fingerprint } },
      );
    }
    this.resolvers.set(fingerprint, resolver);
    return resolver;
  }

  /** Slow path, only after a failed encode: find every offending field with its value. */
  private describeInvalid(event: unknown, cause: unknown): QuantError {
    const issues: string[] = [];
    let first: { path: string; value: unknown } | undefined;
    this.type.isValid(event, {
      errorHook: (path: string[], value: unknown, type: Type) => {
        const where = formatPath(path);
        first ??= { path: where, value };
        if (issues.length < 5) issues.push(`${where} = ${formatValue(value)} (expected ${describeType(type)})`);
      },
    });
    if (!first) issues.push((cause as Error).message);
    return this.invalid(issues, first?.path ?? null, first?.value, cause);
  }

  private invalid(issues: string[], field: string | null, value: unknown, cause?: unknown): QuantError {
    return new QuantError(ContractErrorCode.invalidEvent, `invalid ${this.schemaName} event: ${issues.join('; ')}`, {
      cause,
      details: { schema: this.schemaName, field, value: formatValue(value) },
    });
  }
}

function checkHeader(value: Buffer, what: string): void {
  if (!Buffer.isBuffer(value)) {
    throw new QuantError(ContractErrorCode.badMagic, `${what}: expected a Buffer, got ${typeof value}`);
  }
  const markerPresent = value.length >= 2 && value[0] === 0xc3 && value[1] === 0x01;
  const markerPrefix = value.length === 0 || (value.length === 1 && value[0] === 0xc3);
  if (!markerPresent && !markerPrefix) {
    throw new QuantError(
      ContractErrorCode.badMagic,
      `${what} is not Avro single-object encoded: expected marker c301, got ${value.toString('hex', 0, Math.min(2, value.length))} ` +
        `(first bytes: ${JSON.stringify(value.toString('latin1', 0, Math.min(16, value.length)))})`,
      { details: { bytes: value.length } },
    );
  }
  if (value.length < SINGLE_OBJECT_HEADER_LENGTH) {
    throw new QuantError(
      ContractErrorCode.truncated,
      `truncated ${what}: ${value.length} bytes, the single-object header alone is ${SINGLE_OBJECT_HEADER_LENGTH}`,
      { details: { bytes: value.length } },
    );
  }
}

function describeVersion(version: SchemaVersion): string {
  return version.revision === null ? `${version.name} ${version.fingerprint}` : `${version.name} r${version.revision} (${version.fingerprint})`;
}

function formatPath(path: string[]): string {
  if (path.length === 0) return '(event)';
  return path.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describeType(type: Type): string {
  const union = (type as { types?: Type[] }).types;
  if (union) return union.map(describeType).join(' | ');
  const symbols = (type as { symbols?: string[] }).symbols;
  if (symbols) return `one of ${symbols.join('|')}`;
  return type.name ?? type.typeName;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
