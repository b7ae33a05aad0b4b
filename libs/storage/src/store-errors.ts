/**
 * Maps whatever the client, chdb or the network throws into QuantError with the server's own message,
 * its ClickHouse error code, and whether a retry can help.
 */
import { QuantError } from '@quant/errors';

// Server-side conditions that pass with time (load, merges, timeouts), not bugs in the statement.
const RETRIABLE_CLICKHOUSE_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  252, // TOO_MANY_PARTS (also "too many partitions per insert": not retriable, see below)
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export interface ServerErrorParts {
  clickhouseCode: number;
  type: string | null;
  message: string;
}

/** The code and message of an error that came from ClickHouse itself (modern or 18.16 wording). */
export function serverErrorParts(error: unknown): ServerErrorParts | null {
  if (!(error instanceof Error)) return null;
  const e = error as Error & { code?: unknown; type?: unknown };
  // @clickhouse/client's ClickHouseError (also what chdb's connection throws): numeric code string + type.
  if (typeof e.code === 'string' && /^\d+$/.test(e.code)) {
    return { clickhouseCode: Number(e.code), type: typeof e.type === 'string' ? e.type : null, message: e.message.trim() };
  }
  // 18.16 wording, which the client does not parse:
  // "Code: 115, e.displayText() = DB::Exception: Unknown setting param_s, e.what() = DB::Exception"
  const old = /^Code: (\d+), e\.displayText\(\) = (?:DB::Exception: )?([\s\S]*?)(?:, e\.what\(\) = [\w:]+)?\s*$/.exec(e.message);
  if (old) return { clickhouseCode: Number(old[1]), type: null, message: (old[2] ?? '').trim() };
  const modern = /^Code: (\d+)\. DB::Exception: ([\s\S]*?)(?: \((\w+)\))?(?: \(version [^)]*\))?\s*$/.exec(e.message);
  if (modern) return { clickhouseCode: Number(modern[1]), type: modern[3] ?? null, message: (modern[2] ?? '').trim() };
  return null;
}

export function isServerError(error: unknown): boolean {
  return serverErrorParts(error) !== null;
}

function isNetworkError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (/^Timeout error\.?$/.test(e.message) || /socket hang up/i.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function sqlHead(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}...` : flat;
}

/** Wraps an error from `operation` on `sql` (the SQL as written, before any value substitution). */
export function toStoreError(error: unknown, operation: string, sql: string): QuantError {
  if (error instanceof QuantError) return error;
  const server = serverErrorParts(error);
  if (server) {
    const tooManyPartitions = /too many partitions for single insert block/i.test(server.message);
    return new QuantError(
      'STORE_QUERY_FAILED',
      `ClickHouse error ${server.clickhouseCode}${server.type ? ` (${server.type})` : ''} in ${operation}: ${server.message} [sql: ${sqlHead(sql)}]`,
      {
        cause: error,
        retriable: RETRIABLE_CLICKHOUSE_CODES.has(server.clickhouseCode) && !tooManyPartitions,
        details: { operation, clickhouseCode: server.clickhouseCode, clickhouseType: server.type, sql: sqlHead(sql) },
      },
    );
  }
  if (isNetworkError(error)) {
    return new QuantError('STORE_UNAVAILABLE', `ClickHouse unreachable in ${operation}: ${(error as Error).message} [sql: ${sqlHead(sql)}]`, {
      cause: error,
      retriable: true,
      details: { operation, sql: sqlHead(sql) },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new QuantError('STORE_ERROR', `ClickHouse ${operation} failed: ${message} [sql: ${sqlHead(sql)}]`, {
    cause: error,
    details: { operation, sql: sqlHead(sql) },
  });
}
