import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs src/main.ts as the container does (`node --import tsx`), to check the process-level contract:
// JSON logs on stdout, SIGTERM -> graceful shutdown -> exit 0, a bad config value -> exit 1.
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const main = 'services/training/src/main.ts';

interface Child {
  records: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function start(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', QUANT_HTTP_HOST: '127.0.0.1', QUANT_HTTP_PORT: '0', QUANT_OTEL_EXPORTER: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: Array<Record<string, unknown>> = [];
  let buffered = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) records.push(JSON.parse(line) as Record<string, unknown>);
    waiters.forEach((w) => w());
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    records,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor: (msg, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = records.find((r) => r.msg === msg);
          if (found) resolve(found);
        };
        waiters.push(check);
        check();
        setTimeout(() => reject(new Error(`no "${msg}" log line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs).unref();
        void exited.then(() => setTimeout(() => reject(new Error(`exited before "${msg}"; stderr: ${stderr}`)), 50));
      }),
  };
}

describe('training main.ts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quant-training-main-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Concurrent: each test waits mostly on a child process starting up.
  it.concurrent('boots, answers /health, and exits 0 after a graceful shutdown on SIGTERM', async () => {
    const child = start({ QUANT_STORE: join(dir, 'store'), QUANT_LOG_LEVEL: 'info' });
    const started = await child.waitFor('service started');
    expect(started).toMatchObject({ level: 'info', service: 'training', context: 'ServiceBootstrap', topics: ['quant.models.retrain-trigger.v1'] });
    const health = await fetch(`${String(started.url)}/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.records.find((r) => r.msg === 'shutdown complete')).toMatchObject({ ok: true, reason: 'SIGTERM' });
    // Nest's own lines go through the JSON logger too.
    expect(child.records.some((r) => r.context === 'NestApplication')).toBe(true);
  });

  it.concurrent('exits 1 with one JSON line naming a bad variable', async () => {
    const child = start({ QUANT_STORE: join(dir, 'store'), QUANT_BUS: 'rabbit' });
    expect(await child.exited).toBe(1);
    expect(child.records).toEqual([
      expect.objectContaining({
        level: 'fatal',
        msg: 'service failed to boot',
        err: expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('QUANT_BUS="rabbit"') }),
      }),
    ]);
  });
});
