import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { context as otelContext, isSpanContextValid, trace } from '@opentelemetry/api';
import { QuantError } from '@quant/errors';
import type { LogLevel } from './runtime.config';

/** Where log lines go; one call per line, without the trailing newline. */
export type LogSink = (line: string) => void;
export type LogFields = Record<string, unknown>;
type Level = LogLevel | 'fatal';

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };
/** Keys the logger owns; caller fields with these names are nested under `fields` instead. */
const RESERVED = new Set(['time', 'level', 'service', 'msg', 'context', 'traceId', 'spanId']);

export interface JsonLoggerOptions {
  service: string;
  level?: LogLevel;
  context?: string;
  /** Defaults to synchronous writes on stdout so lines survive a process.exit right after. */
  sink?: LogSink;
  clock?: () => Date;
}

/**
 * One JSON object per line: time, level, service, msg, context, and the active trace and span ids
 * when a span is current. Serves both as Nest's LoggerService (log/error/warn/debug/verbose/fatal
 * with Nest's trailing `context` and `stack` strings) and as the platform's structured logger
 * (`info(msg, fields)`).
 */
export class JsonLogger implements LoggerService {
  private readonly service: string;
  private readonly context: string | undefined;
  private readonly sink: LogSink;
  private readonly clock: () => Date;
  // Shared between a logger and its children so one setLogLevels call applies everywhere.
  private readonly threshold: { rank: number };

  constructor(options: JsonLoggerOptions, threshold?: { rank: number }) {
    this.service = options.service;
    this.context = options.context;
    this.sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
    this.clock = options.clock ?? (() => new Date());
    this.threshold = threshold ?? { rank: RANK[options.level ?? 'info'] };
  }

  /** A logger writing with a fixed `context` (a class or component name). */
  child(context: string): JsonLogger {
    return new JsonLogger({ service: this.service, context, sink: this.sink, clock: this.clock }, this.threshold);
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.threshold.rank;
  }

  // Nest LoggerService -------------------------------------------------------------------------
  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }
  setLogLevels(levels: NestLogLevel[]): void {
    const ranks = levels.map((l) => RANK[nestLevel(l)]);
    this.threshold.rank = ranks.length === 0 ? RANK.fatal + 1 : Math.min(...ranks);
  }

  // Structured API -------------------------------------------------------------------------------
  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields === undefined ? [] : [fields]);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (RANK[level] < this.threshold.rank) return;
    let context = this.context;
    let stack: string | undefined;
    const fields: LogFields = {};
    // Nest appends the context as the last string argument, and error() passes a stack before it.
    const strings = params.filter((p): p is string => typeof p === 'string');
    if (strings.length > 0) context = strings[strings.length - 1];
    if (level === 'error' && strings.length > 1) stack = strings[strings.length - 2];
    for (const p of params) {
      if (p instanceof Error) fields.err = errorFields(p);
      else if (p !== null && typeof p === 'object') Object.assign(fields, p);
    }
    let msg: string;
    if (typeof message === 'string') msg = message;
    else if (message instanceof Error) {
      msg = message.message;
      fields.err = errorFields(message);
    } else if (message !== null && typeof message === 'object') {
      msg = '';
      fields.data = message;
    } else msg = String(message);
    if (stack !== undefined) fields.stack = stack;

    const record: LogFields = { time: this.clock().toISOString(), level, service: this.service, msg };
    if (context !== undefined) record.context = context;
    const span = trace.getSpanContext(otelContext.active());
    if (span && isSpanContextValid(span)) {
      record.traceId = span.traceId;
      record.spanId = span.spanId;
    }
    const clashing: LogFields = {};
    for (const [key, value] of Object.entries(fields)) {
      if (RESERVED.has(key)) clashing[key] = value;
      else record[key] = value;
    }
    if (Object.keys(clashing).length > 0) record.fields = clashing;
    this.sink(safeStringify(record));
  }
}

function nestLevel(level: NestLogLevel): Level {
  switch (level) {
    case 'log':
      return 'info';
    case 'verbose':
      return 'debug';
    default:
      return level;
  }
}

function errorFields(error: Error): LogFields {
  const out: LogFields = { name: error.name, message: error.message };
  if (error instanceof QuantError) {
    out.code = error.code;
    out.retriable = error.retriable;
    if (Object.keys(error.details).length > 0) out.details = error.details;
  }
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = error.cause instanceof Error ? errorFields(error.cause) : String(error.cause);
  return out;
}

/** JSON that never throws: bigints as strings, buffers summarised, cycles cut. */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v !== null && typeof v === 'object') {
      if (Buffer.isBuffer(v)) return `<Buffer ${v.length} bytes>`;
      // Buffer.toJSON runs before the replacer sees the value.
      if ((v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
        return `<Buffer ${(v as { data: unknown[] }).data.length} bytes>`;
      }
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}
