import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env, EnvShape } from './runtime.config';
import type { RunningService, ServiceDefinition, ShutdownReport } from './service.bootstrap';
import { bootstrapService } from './service.bootstrap';

export interface TestServiceOptions {
  /** Variables on top of the test defaults (in-process bus, chdb in a temp dir, free port, OTel off). */
  env?: Env;
  /** Defaults to warn, so test output stays quiet; every line is captured in `logs` anyway. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface TestService<E extends EnvShape = EnvShape> {
  readonly service: RunningService<E>;
  /** Raw JSON log lines the service wrote. */
  readonly logs: string[];
  /** The log lines parsed. */
  records(): Array<Record<string, unknown>>;
  /** Graceful shutdown, then removes the temporary store directory. */
  close(): Promise<ShutdownReport>;
}

/**
 * Boots a service the way production does, on embedded parts: the in-process bus and a chdb store in
 * a fresh temporary directory. chdb allows one on-disk path per process, so boot at most one
 * service per test file (vitest runs each file in its own fork).
 */
export async function bootServiceForTest<E extends EnvShape>(
  definition: ServiceDefinition<E>,
  options: TestServiceOptions = {},
): Promise<TestService<E>> {
  const storeDir = await mkdtemp(join(tmpdir(), `quant-${definition.name}-`));
  const logs: string[] = [];
  const env: Env = {
    QUANT_BUS: 'in-process',
    QUANT_STORE: join(storeDir, 'store'),
    QUANT_HTTP_HOST: '127.0.0.1',
    QUANT_HTTP_PORT: '0',
    QUANT_OTEL_EXPORTER: 'none',
    QUANT_LOG_LEVEL: options.logLevel ?? 'warn',
    QUANT_SHUTDOWN_TIMEOUT_MS: '10000',
    ...options.env,
  };
  let service: RunningService<E>;
  try {
    service = await bootstrapService(definition, { env, logSink: (line) => logs.push(line) });
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  return {
    service,
    logs,
    records: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      try {
        return await service.close('test finished');
      } finally {
        await rm(storeDir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
