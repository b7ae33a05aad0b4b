/**
 * Where a store lives: a directory (embedded chdb) or a ClickHouse server URL. Parsed once so the
 * adapter never sees an ambiguous location and error messages never echo a password.
 */
import { resolve } from 'node:path';
import { QuantError } from '@quant/errors';

export const DEFAULT_DATABASE = 'quant';
const DATABASE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type StoreLocation =
  | { kind: 'chdb'; path: string; database: string }
  | { kind: 'server'; url: string; username: string; password: string; database: string; display: string };

function badLocation(location: string, why: string): QuantError {
  return new QuantError('STORE_LOCATION_INVALID', `Store location ${JSON.stringify(redact(location))}: ${why}`, {
    details: { location: redact(location) },
  });
}

/** The location with any password replaced, for messages and `info().location`. */
export function redact(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

export function checkDatabaseName(name: string, where: string): string {
  if (!DATABASE.test(name)) {
    throw new QuantError('STORE_DATABASE_INVALID', `Database name ${JSON.stringify(name)} (${where}) must match ${DATABASE.source}`, {
      details: { database: name },
    });
  }
  return name;
}

/**
 * `clickhouse://user:pass@host:port/db` maps to HTTP on that port (8123 when omitted);
 * `http(s)://user:pass@host:port/db` is used as given. Anything without a scheme is a directory.
 * The database comes from `options.database`, else the URL path, else `quant`; both given and
 * different is refused rather than guessed.
 */
export function parseStoreLocation(location: string, database?: string): StoreLocation {
  if (typeof location !== 'string' || location.trim() === '') throw badLocation(String(location), 'is empty');
  if (database !== undefined) checkDatabaseName(database, 'options.database');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return { kind: 'chdb', path: resolve(location), database: database ?? DEFAULT_DATABASE };
  }
  if (scheme !== 'clickhouse' && scheme !== 'http' && scheme !== 'https') {
    throw badLocation(location, `scheme '${scheme}://' is not supported (use a directory, clickhouse://, http:// or https://)`);
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw badLocation(location, 'is not a valid URL');
  }
  if (url.search !== '' || url.hash !== '') throw badLocation(location, 'query strings and fragments are not supported');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length > 1) throw badLocation(location, 'the URL path may only name the database');
  const urlDatabase = segments[0] === undefined ? undefined : decodeURIComponent(segments[0]);
  if (urlDatabase !== undefined) checkDatabaseName(urlDatabase, 'URL path');
  if (database !== undefined && urlDatabase !== undefined && database !== urlDatabase) {
    throw badLocation(location, `names database '${urlDatabase}' but options.database is '${database}'`);
  }
  const protocol = scheme === 'https' ? 'https:' : 'http:';
  const port = url.port !== '' ? url.port : scheme === 'clickhouse' ? '8123' : '';
  const host = url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
  if (host === '') throw badLocation(location, 'has no host');
  const base = `${protocol}//${host}${port === '' ? '' : `:${port}`}`;
  const db = database ?? urlDatabase ?? DEFAULT_DATABASE;
  return {
    kind: 'server',
    url: base,
    username: url.username === '' ? 'default' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: db,
    display: `${base}/${db}`,
  };
}
