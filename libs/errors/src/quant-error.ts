/**
 * Every domain error carries a stable code (for logs, dead letters and alerts) and whether a retry
 * can help, so transports decide between retry and dead-lettering without parsing messages.
 */
export interface QuantErrorOptions {
  /** True when the same operation may succeed later (network blip, broker rebalance, server busy). */
  retriable?: boolean;
  cause?: unknown;
  /** Structured context: file, line, topic, offset... Kept small; it travels into dead letters. */
  details?: Record<string, string | number | boolean | null>;
}

export class QuantError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, string | number | boolean | null>;

  constructor(code: string, message: string, options: QuantErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuantError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

/** Unknown errors are treated as not retriable: retrying a bug only repeats it. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof QuantError) return error.retriable;
  if (error && typeof error === 'object' && 'retriable' in error) return Boolean((error as { retriable: unknown }).retriable);
  return false;
}

/** A one-line description with the code when there is one, for logs and dead-letter reasons. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof QuantError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name || 'ERROR', message: error.message };
  return { code: 'UNKNOWN', message: String(error) };
}
