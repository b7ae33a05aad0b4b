import type { MessageBus, TopicSpec } from '@quant/bus';
import type { Store } from '@quant/storage';
import { describeError } from '@quant/errors';

export interface CheckResult {
  status: 'up' | 'down';
  /** Why a check is down. */
  error?: string;
  ms: number;
}

export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  /** Set while the service drains on shutdown: readiness fails so traffic moves elsewhere. */
  draining?: true;
  checks: Record<string, CheckResult>;
}

export type HealthCheck = () => Promise<void>;

const DEFAULT_CHECK_TIMEOUT_MS = 3_000;

/**
 * Runs the dependency checks behind GET /health. Each check has a deadline so a hung broker or
 * server turns into `down` instead of a hung probe.
 */
export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();
  private draining = false;

  constructor(
    readonly service: string,
    private readonly checkTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS,
  ) {}

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  startDraining(): void {
    this.draining = true;
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check, this.checkTimeoutMs)] as const),
    );
    const checks = Object.fromEntries(entries);
    const allUp = entries.every(([, r]) => r.status === 'up');
    const report: HealthReport = { status: allUp && !this.draining ? 'ok' : 'error', service: this.service, checks };
    if (this.draining) report.draining = true;
    return report;
  }
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', ms: Math.round(performance.now() - started) };
  } catch (error) {
    const { code, message } = describeError(error);
    return { status: 'down', error: `${code}: ${message}`, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** The store answers a trivial query. */
export function storeCheck(store: Store): HealthCheck {
  return async () => {
    await store.query('SELECT 1 AS ok');
  };
}

/**
 * The port has no ping, so the bus check asks for the service's topics to exist: an idempotent
 * metadata round trip to the brokers on Kafka, and a no-op in process.
 */
export function busCheck(bus: MessageBus, topics: readonly TopicSpec[]): HealthCheck {
  return async () => {
    await bus.ensureTopics([...topics]);
  };
}
