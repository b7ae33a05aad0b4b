/**
 * Bound parameters in ClickHouse syntax (`{name:Type}`), checked against their declared types on the
 * client for every store. Servers with query parameters (chdb 26.x, ClickHouse >= 19.x) receive the
 * checked values natively; older servers (the Debian 18.16 package) get them substituted as literals
 * by `bindParams`, the one place that turns a value into SQL text.
 */
import { QuantError } from '@quant/errors';
import type { ParamValue, QueryParams } from './store.port';

export type ParamType =
  | { kind: 'string' }
  | { kind: 'int'; name: string; signed: boolean; min: bigint; max: bigint }
  | { kind: 'float'; name: 'Float32' | 'Float64' }
  | { kind: 'date' }
  | { kind: 'datetime'; timezone: string | null }
  | { kind: 'nullable'; inner: ParamType }
  | { kind: 'array'; inner: ParamType }
  | { kind: 'lowcardinality'; inner: ParamType }
  | { kind: 'identifier' };

export interface ParamFormatOptions {
  /** Float parameters reject NaN and ±Infinity unless this is set (they are almost always a bug upstream). */
  allowNonFiniteFloats?: boolean;
}

export interface Placeholder {
  name: string;
  /** The declared type as written, e.g. `Array(Nullable(String))`. */
  type: string;
  /** Offsets of the whole `{name:Type}` in the SQL text. */
  start: number;
  end: number;
}

/** Supported declared types, for error messages. */
export const SUPPORTED_PARAM_TYPES =
  'String, FixedString(N), Int8..Int64, UInt8..UInt64, Float32, Float64, Date, DateTime, DateTime(\'tz\'), ' +
  'Nullable(T), Array(T), LowCardinality(T), Identifier';

const INT_TYPES: Record<string, { signed: boolean; bits: number }> = {
  Int8: { signed: true, bits: 8 },
  Int16: { signed: true, bits: 16 },
  Int32: { signed: true, bits: 32 },
  Int64: { signed: true, bits: 64 },
  UInt8: { signed: false, bits: 8 },
  UInt16: { signed: false, bits: 16 },
  UInt32: { signed: false, bits: 32 },
  UInt64: { signed: false, bits: 64 },
};

// Both the 18.16 server and chdb 26.x store these without wrapping; 18.16 turns later dates into
// 0000-00-00 silently, so we refuse them instead.
const MIN_DATE = '1970-01-01';
const MAX_DATE = '2105-12-31';
const MAX_DATETIME_EPOCH = Date.UTC(2105, 11, 31, 23, 59, 59) / 1000;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TIMEZONE = /^[A-Za-z0-9_/+-]+$/;

function invalid(name: string, type: string, message: string): QuantError {
  return new QuantError('STORE_PARAM_INVALID', `Parameter '${name}' declared ${type}: ${message}`, {
    details: { param: name, type },
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  return `${typeof value} ${String(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Declared types

/** Parses a declared parameter type; anything outside the supported set is refused up front. */
export function parseParamType(text: string, paramName = '?'): ParamType {
  const source = text.trim();
  const fail = (why: string) =>
    new QuantError('STORE_PARAM_TYPE_UNSUPPORTED', `Parameter '${paramName}': type '${text}' ${why}; supported: ${SUPPORTED_PARAM_TYPES}`, {
      details: { param: paramName, type: text },
    });
  const wrapper = /^([A-Za-z][A-Za-z0-9]*)\((.*)\)$/s.exec(source);
  if (!wrapper) {
    if (source === 'String') return { kind: 'string' };
    if (source === 'Float32' || source === 'Float64') return { kind: 'float', name: source };
    if (source === 'Date') return { kind: 'date' };
    if (source === 'DateTime') return { kind: 'datetime', timezone: null };
    if (source === 'Identifier') return { kind: 'identifier' };
    const int = INT_TYPES[source];
    if (int) {
      const min = int.signed ? -(1n << BigInt(int.bits - 1)) : 0n;
      const max = int.signed ? (1n << BigInt(int.bits - 1)) - 1n : (1n << BigInt(int.bits)) - 1n;
      return { kind: 'int', name: source, signed: int.signed, min, max };
    }
    throw fail('is not supported');
  }
  const [, outer, argText = ''] = wrapper;
  switch (outer) {
    case 'Nullable': {
      const inner = parseParamType(argText, paramName);
      if (inner.kind === 'nullable' || inner.kind === 'array' || inner.kind === 'identifier') throw fail('nests Nullable around a type that cannot be Nullable');
      return { kind: 'nullable', inner };
    }
    case 'Array': {
      const inner = parseParamType(argText, paramName);
      if (inner.kind === 'identifier') throw fail('is an array of identifiers');
      return { kind: 'array', inner };
    }
    case 'LowCardinality': {
      const inner = parseParamType(argText, paramName);
      if (inner.kind === 'array' || inner.kind === 'identifier' || inner.kind === 'lowcardinality') throw fail('wraps a type LowCardinality cannot hold');
      return { kind: 'lowcardinality', inner };
    }
    case 'FixedString': {
      // Values are checked as strings; the server pads or refuses over-long values itself.
      if (!/^\s*[1-9][0-9]*\s*$/.test(argText)) throw fail('needs a positive length');
      return { kind: 'string' };
    }
    case 'DateTime': {
      const tz = /^\s*'([^']*)'\s*$/.exec(argText)?.[1];
      if (tz === undefined || !TIMEZONE.test(tz)) throw fail('needs a time zone name in quotes');
      return { kind: 'datetime', timezone: tz };
    }
    default:
      throw fail('is not supported');
  }
}

/** Renders a parsed type back to ClickHouse text (canonical form used inside CAST). */
export function renderParamType(type: ParamType): string {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'int':
      return type.name;
    case 'float':
      return type.name;
    case 'date':
      return 'Date';
    case 'datetime':
      return type.timezone === null ? 'DateTime' : `DateTime('${type.timezone}')`;
    case 'nullable':
      return `Nullable(${renderParamType(type.inner)})`;
    case 'array':
      return `Array(${renderParamType(type.inner)})`;
    case 'lowcardinality':
      return `LowCardinality(${renderParamType(type.inner)})`;
    case 'identifier':
      return 'Identifier';
  }
}

// ---------------------------------------------------------------------------------------------
// Values: checked and put in a canonical form (the same for native binding and for literals)

/** A checked value: strings, exact integers as bigint, finite or named non-finite floats, arrays. */
type Canonical = string | bigint | number | { float: 'nan' | 'inf' | '-inf' } | null | Canonical[];

function isValidCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function canonicalize(type: ParamType, value: ParamValue | undefined, name: string, typeText: string, options: ParamFormatOptions): Canonical {
  const bad = (expected: string) => invalid(name, typeText, `expected ${expected}, got ${describeValue(value)}`);
  if (value === undefined) throw invalid(name, typeText, 'value is undefined');
  if (value === null) {
    if (type.kind === 'nullable') return null;
    throw invalid(name, typeText, 'got null for a type that is not Nullable');
  }
  switch (type.kind) {
    case 'nullable':
    case 'lowcardinality':
      return canonicalize(type.inner, value, name, typeText, options);
    case 'string': {
      if (typeof value !== 'string') throw bad('a string');
      // A lone surrogate cannot be encoded as UTF-8: it would silently come back as U+FFFD.
      if (LONE_SURROGATE.test(value)) throw invalid(name, typeText, 'string contains a lone UTF-16 surrogate');
      return value;
    }
    case 'identifier': {
      if (typeof value !== 'string' || !value.split('.').every((part) => IDENT.test(part)) || value.split('.').length > 2) {
        throw bad('an identifier ([A-Za-z_][A-Za-z0-9_]*, optionally db.name)');
      }
      return value;
    }
    case 'int': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw bad('a safe integer (use bigint or a decimal string beyond 2^53)');
        n = BigInt(value);
      } else if (typeof value === 'boolean' && type.name === 'UInt8') n = value ? 1n : 0n;
      else if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) n = BigInt(value);
      else throw bad('an integer (number, bigint or decimal string)');
      if (n < type.min || n > type.max) throw invalid(name, typeText, `${n} is out of range [${type.min}, ${type.max}]`);
      return n;
    }
    case 'float': {
      if (typeof value !== 'number') throw bad('a number');
      if (Number.isFinite(value)) {
        if (type.name === 'Float32' && Math.abs(value) > 3.4028234663852886e38) throw invalid(name, typeText, `${value} overflows Float32`);
        return value;
      }
      if (!options.allowNonFiniteFloats) throw invalid(name, typeText, `${value} is not finite (allowNonFiniteFloats is off)`);
      return { float: Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf' };
    }
    case 'date': {
      let text: string;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw bad('a valid date');
        text = `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
      } else if (typeof value === 'string') text = value;
      else throw bad("a 'YYYY-MM-DD' string or a Date (its UTC day)");
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (!m || !isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw bad("a real calendar date 'YYYY-MM-DD'");
      if (text < MIN_DATE || text > MAX_DATE) throw invalid(name, typeText, `${text} is outside [${MIN_DATE}, ${MAX_DATE}]`);
      return text;
    }
    case 'datetime': {
      // Epoch seconds are unambiguous whatever the server's time zone; wall-clock strings are read
      // in the column's (or server's) time zone, as ClickHouse itself does.
      if (value instanceof Date || typeof value === 'number') {
        const ms = value instanceof Date ? value.getTime() : value * 1000;
        if (!Number.isFinite(ms) || (typeof value === 'number' && !Number.isInteger(value)) || (value instanceof Date && ms % 1000 !== 0)) {
          throw bad('whole epoch seconds (DateTime has no sub-second part)');
        }
        const seconds = ms / 1000;
        if (seconds < 0 || seconds > MAX_DATETIME_EPOCH) throw invalid(name, typeText, `${seconds} is outside [0, ${MAX_DATETIME_EPOCH}] epoch seconds`);
        return BigInt(seconds);
      }
      if (typeof value !== 'string') throw bad("'YYYY-MM-DD hh:mm:ss', epoch seconds or a Date");
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
      if (!m || !isValidCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) {
        throw bad("a real date-time 'YYYY-MM-DD hh:mm:ss'");
      }
      if (value.slice(0, 10) < MIN_DATE || value.slice(0, 10) > MAX_DATE) throw invalid(name, typeText, `${value} is outside [${MIN_DATE}, ${MAX_DATE}]`);
      return value;
    }
    case 'array': {
      if (!Array.isArray(value)) throw bad('an array');
      return value.map((item, i) => canonicalize(type.inner, item, `${name}[${i}]`, typeText, options));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Literals

// Escapes by ClickHouse's string literal rules (both 18.16 and 26.x): backslash escapes for `\` and
// `'`, the usual C escapes, and \xHH for the remaining control characters so a literal never
// carries a raw control byte.
const NEEDS_ESCAPE = /[\\'\x00-\x1f\x7f]/;
export function quoteString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      default: {
        const code = ch.charCodeAt(0);
        out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0').toUpperCase()}` : ch;
      }
    }
  }
  return `${out}'`;
}

function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => `\`${part}\``)
    .join('.');
}

function literal(type: ParamType, value: Canonical): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) {
    const inner = type.kind === 'array' ? type.inner : type;
    return `[${value.map((v) => literal(inner, v)).join(', ')}]`;
  }
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return floatText(value);
  if (typeof value === 'object') return value.float;
  const base = type.kind === 'nullable' || type.kind === 'lowcardinality' ? type.inner : type;
  if (base.kind === 'identifier') return quoteIdentifier(value);
  return quoteString(value);
}

function floatText(value: number): string {
  // JS prints shortest round-trip decimals ('0.1', '1e+308'), which ClickHouse parses back exactly.
  return Object.is(value, -0) ? '-0' : String(value);
}

function baseKind(type: ParamType): ParamType['kind'] {
  return type.kind === 'lowcardinality' ? baseKind(type.inner) : type.kind;
}

/**
 * The SQL expression that stands for one bound parameter when the server cannot bind it: a literal
 * CAST to the declared type, so results and functions see the same types as with native binding
 * (`{n:Int64}` stays Int64, `toYear({d:Date})` types). Strings and identifiers need no CAST.
 */
export function formatParamValue(name: string, typeText: string, value: ParamValue, options: ParamFormatOptions = {}): string {
  const type = parseParamType(typeText, name);
  const canonical = canonicalize(type, value, name, typeText, options);
  return expression(type, canonical, false);
}

/**
 * `numberOnly`: the placeholder sits where ClickHouse's grammar wants a bare number (LIMIT, OFFSET,
 * TOP); 18.16 refuses any expression there, so an integer goes in as a plain literal.
 */
function expression(type: ParamType, canonical: Canonical, numberOnly: boolean): string {
  const text = literal(type, canonical);
  const kind = baseKind(type);
  if (kind === 'string' || kind === 'identifier') return text;
  if (numberOnly && type.kind === 'int' && typeof canonical === 'bigint' && canonical >= 0n) return text;
  return `CAST(${text} AS ${renderParamType(type)})`;
}

const NUMBER_ONLY_CONTEXT = /(?:\b(?:LIMIT|OFFSET|TOP)|\bLIMIT\s+(?:\d+|\{[^{}]*\})\s*,)\s*$/i;

/** The checked value in the form the native binders (chdb, clickhouse-js query_params) expect. */
function nativeValue(value: Canonical): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(nativeValue);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (typeof value === 'object') return value.float;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Placeholders

/**
 * Finds `{name:Type}` placeholders outside string literals, quoted identifiers and comments.
 * Anything else that starts with `{` (a map literal) is left alone.
 */
export function scanPlaceholders(sql: string): Placeholder[] {
  const found: Placeholder[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(sql, i, ch);
    } else if (ch === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
    } else if (ch === '{') {
      const head = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(sql.slice(i, i + 200));
      if (!head) {
        i += 1;
        continue;
      }
      const typeStart = i + head[0].length;
      const end = findTypeEnd(sql, typeStart);
      if (end === -1) {
        throw new QuantError('STORE_PARAM_SYNTAX', `Unterminated placeholder at offset ${i}: ${sql.slice(i, i + 40)}`, { details: { offset: i } });
      }
      const name = head[1] ?? '';
      const type = sql.slice(typeStart, end).trim();
      if (type === '') throw new QuantError('STORE_PARAM_SYNTAX', `Placeholder '${name}' at offset ${i} has no type`, { details: { offset: i, param: name } });
      found.push({ name, type, start: i, end: end + 1 });
      i = end + 1;
    } else {
      i += 1;
    }
  }
  return found;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote is an escaped quote
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** Offset of the `}` closing a placeholder type, honouring parentheses and quotes inside the type. */
function findTypeEnd(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'") i = skipQuoted(sql, i, ch);
    else {
      if (ch === '(') depth += 1;
      else if (ch === ')') depth -= 1;
      else if (ch === '}' && depth === 0) return i;
      else if (ch === '{' || ch === ';' || ch === '\n') return -1;
      i += 1;
    }
  }
  return -1;
}

interface CheckedParam {
  type: ParamType;
  typeText: string;
  value: Canonical;
}

/**
 * Checks every placeholder against its parameter: each placeholder has a value of its declared type,
 * a name is declared with one type only, and no parameter goes unused (usually a typo).
 */
function checkParams(sql: string, params: QueryParams, options: ParamFormatOptions): { placeholders: Placeholder[]; checked: Map<string, CheckedParam> } {
  const placeholders = scanPlaceholders(sql);
  const checked = new Map<string, CheckedParam>();
  for (const p of placeholders) {
    const seen = checked.get(p.name);
    if (seen) {
      if (seen.typeText !== p.type) {
        throw new QuantError('STORE_PARAM_INVALID', `Parameter '${p.name}' is declared both as ${seen.typeText} and as ${p.type}`, {
          details: { param: p.name },
        });
      }
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(params, p.name)) {
      throw new QuantError('STORE_PARAM_MISSING', `Parameter '${p.name}' ({${p.name}:${p.type}}) has no value`, { details: { param: p.name, type: p.type } });
    }
    const type = parseParamType(p.type, p.name);
    checked.set(p.name, { type, typeText: p.type, value: canonicalize(type, params[p.name], p.name, p.type, options) });
  }
  for (const name of Object.keys(params)) {
    if (!checked.has(name)) {
      throw new QuantError('STORE_PARAM_UNUSED', `Parameter '${name}' is not used by any {${name}:Type} placeholder in the SQL`, { details: { param: name } });
    }
  }
  return { placeholders, checked };
}

/** Client-side binding: the SQL with every placeholder replaced by its typed literal expression. */
export function bindParams(sql: string, params: QueryParams = {}, options: ParamFormatOptions = {}): string {
  const { placeholders, checked } = checkParams(sql, params, options);
  if (placeholders.length === 0) return sql;
  let out = '';
  let last = 0;
  for (const p of placeholders) {
    const param = checked.get(p.name);
    if (!param) throw new Error(`internal: unchecked parameter ${p.name}`);
    const before = sql.slice(Math.max(0, p.start - 200), p.start);
    out += sql.slice(last, p.start) + expression(param.type, param.value, NUMBER_ONLY_CONTEXT.test(before));
    last = p.end;
  }
  return out + sql.slice(last);
}

/** Native binding: the checked values for `query_params`, after the same checks as `bindParams`. */
export function nativeParams(sql: string, params: QueryParams = {}, options: ParamFormatOptions = {}): Record<string, unknown> {
  const { checked } = checkParams(sql, params, options);
  const out: Record<string, unknown> = {};
  for (const [name, param] of checked) out[name] = nativeValue(param.value);
  return out;
}
