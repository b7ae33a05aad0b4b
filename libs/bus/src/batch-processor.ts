/**
 * The delivery rules both adapters share, so the in-process double behaves like Kafka by construction:
 * chunking, commit-after-success, retry with backoff, isolation of a failing message, dead-lettering,
 * and giving up (uncommitted) when the subscription stops or loses the partition.
 */
import { describeError, isRetriable } from '@quant/errors';
import type { BatchHandler, BusMessage, DeadLetterRecord } from './bus.port';
import { withMessageContext } from './trace-context';

export interface ResolvedSubscribeOptions {
  groupId: string;
  handler: BatchHandler;
  maxRetries: number;
  retryBackoffMs: number;
  maxBatchSize: number;
  deadLetterTopic: string;
  shutdownTimeoutMs: number;
}

export interface PartitionDriver {
  options: ResolvedSubscribeOptions;
  /** Aborted when the subscription starts stopping. */
  signal: AbortSignal;
  /** Resolves when the stop grace period ran out: the in-flight handler is abandoned. */
  abandoned: Promise<void>;
  /** False once the partition must be given up (stopping, revoked, stale): stop at the next boundary. */
  isActive(): boolean;
  /** Marks everything up to and including `message` as handled. */
  commit(message: BusMessage): Promise<void>;
  /** Publishes the record on the dead-letter topic; must reject if it was not durably written. */
  deadLetter(record: DeadLetterRecord): Promise<void>;
  /** Keeps the group membership alive during long work (Kafka); may throw to signal a rebalance. */
  heartbeat?(): Promise<void>;
}

export type ProcessOutcome = 'completed' | 'interrupted';

type Attempt = { ok: true } | { ok: false; error: unknown; attempts: number; interrupted: boolean };

const ABANDONED: unique symbol = Symbol('abandoned');
/** A long retry chain must not outlive a consumer-group session or hide an outage for minutes. */
const MAX_BACKOFF_MS = 30_000;

export function resolveSubscribeOptions(
  options: {
    groupId: string;
    handler: BatchHandler;
    maxRetries?: number;
    retryBackoffMs?: number;
    maxBatchSize?: number;
    deadLetterTopic?: string;
    shutdownTimeoutMs?: number;
  },
  defaultDeadLetterTopic: string,
): ResolvedSubscribeOptions {
  const nonNegative = (name: string, value: number | undefined, fallback: number, min = 0): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < min || !Number.isInteger(v)) {
      throw new RangeError(`subscribe(${options.groupId}): ${name} must be an integer >= ${min}, got ${String(value)}`);
    }
    return v;
  };
  if (typeof options.handler !== 'function') throw new TypeError(`subscribe(${options.groupId}): handler must be a function`);
  if (!options.groupId) throw new TypeError('subscribe: groupId must be a non-empty string');
  return {
    groupId: options.groupId,
    handler: options.handler,
    maxRetries: nonNegative('maxRetries', options.maxRetries, 3),
    retryBackoffMs: nonNegative('retryBackoffMs', options.retryBackoffMs, 100),
    maxBatchSize: nonNegative('maxBatchSize', options.maxBatchSize, 500, 1),
    deadLetterTopic: options.deadLetterTopic ?? defaultDeadLetterTopic,
    shutdownTimeoutMs: nonNegative('shutdownTimeoutMs', options.shutdownTimeoutMs, 30_000),
  };
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function invoke(driver: PartitionDriver, messages: BusMessage[]): Promise<void | typeof ABANDONED> {
  const run = withMessageContext(messages[0], () =>
    // An async wrapper turns a synchronous throw into a rejection.
    (async () => driver.options.handler(messages, { signal: driver.signal }))(),
  );
  // A handler abandoned at shutdown keeps running detached; its late rejection must not go unhandled.
  run.catch(() => undefined);
  // Not Promise.race: racing against the long-lived `abandoned` promise would attach one reaction
  // to it per batch, each keeping its batch reachable until shutdown (a leak of every message ever
  // handled). A listener that is removed when the handler settles keeps memory flat.
  return new Promise((resolve, reject) => {
    const off = onAbandoned(driver.abandoned, () => resolve(ABANDONED));
    run.then(
      (value) => {
        off();
        resolve(value);
      },
      (error: unknown) => {
        off();
        reject(error);
      },
    );
  });
}

const abandonListeners = new WeakMap<Promise<void>, Set<() => void>>();

/** Registers a listener on an `abandoned` promise through one shared reaction per promise. */
function onAbandoned(abandoned: Promise<void>, listener: () => void): () => void {
  let listeners = abandonListeners.get(abandoned);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    abandonListeners.set(abandoned, set);
    void abandoned.then(() => {
      for (const l of [...set]) l();
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls the handler, retrying retriable errors with exponential backoff up to maxRetries. */
async function attempt(driver: PartitionDriver, messages: BusMessage[]): Promise<Attempt> {
  const { maxRetries, retryBackoffMs } = driver.options;
  for (let attempts = 1; ; attempts++) {
    try {
      const result = await invoke(driver, messages);
      if (result === ABANDONED) return { ok: false, error: new Error('abandoned at shutdown'), attempts, interrupted: true };
      return { ok: true };
    } catch (error) {
      if (driver.signal.aborted) return { ok: false, error, attempts, interrupted: true };
      if (!isRetriable(error) || attempts > maxRetries) return { ok: false, error, attempts, interrupted: false };
      const slept = await sleep(Math.min(retryBackoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS), driver.signal);
      if (!slept || !driver.isActive()) return { ok: false, error, attempts, interrupted: true };
      await driver.heartbeat?.();
    }
  }
}

function deadLetterRecord(message: BusMessage, error: unknown, attempts: number, groupId: string): DeadLetterRecord {
  const { code, message: reason } = describeError(error);
  return {
    sourceTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    payload: message.value,
    headers: message.headers,
    errorCode: code,
    reason,
    attempts,
    consumerGroup: groupId,
    failedAt: Date.now(),
  };
}

/**
 * Processes messages of ONE partition in order. Returns 'interrupted' when it stopped early; whatever
 * was not committed then is redelivered from the last commit.
 */
export async function processPartitionMessages(driver: PartitionDriver, messages: BusMessage[]): Promise<ProcessOutcome> {
  const { maxBatchSize, groupId } = driver.options;
  for (let start = 0; start < messages.length; start += maxBatchSize) {
    if (!driver.isActive()) return 'interrupted';
    const chunk = messages.slice(start, start + maxBatchSize);
    const result = await attempt(driver, chunk);
    if (result.ok) {
      await driver.commit(chunk[chunk.length - 1]!);
      await driver.heartbeat?.();
      continue;
    }
    if (result.interrupted) return 'interrupted';
    // Find the culprit: one message at a time, so the good ones are handled and committed.
    for (const message of chunk) {
      if (!driver.isActive()) return 'interrupted';
      const single = chunk.length === 1 ? result : await attempt(driver, [message]);
      if (single.ok) {
        await driver.commit(message);
        continue;
      }
      if (single.interrupted) return 'interrupted';
      const attempts = chunk.length === 1 ? single.attempts : result.attempts + single.attempts;
      await driver.deadLetter(deadLetterRecord(message, single.error, attempts, groupId));
      // Committing past the poison message is what keeps it from blocking its partition.
      await driver.commit(message);
      await driver.heartbeat?.();
    }
  }
  return 'completed';
}
