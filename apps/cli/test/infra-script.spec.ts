import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFRA_SCRIPT } from '../src/infra/infra-runner';

// The bash scripts behind `quant infra`, exercised where no server has to start: an empty state
// dir, free ports, a taken port, a bad setting. Starting real servers is covered by `.ci/run`.

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

describe('scripts/infra/infra.sh', () => {
  let stateDir: string;
  let taken: Server;
  // Ports found free by binding then closing them; nothing else on this machine picks 127.0.0.1 ports at random.
  const free: number[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'quant-infra-spec-'));
    taken = await listen();
    for (let i = 0; i < 4; i++) {
      const s = await listen();
      free.push(portOf(s));
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  afterAll(async () => {
    await new Promise<void>((r) => taken.close(() => r()));
    rmSync(stateDir, { recursive: true, force: true });
  });

  function infra(args: string[], env: Record<string, string> = {}) {
    return spawnSync('bash', [INFRA_SCRIPT, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: {
        ...process.env,
        QUANT_INFRA_DIR: stateDir,
        QUANT_KAFKA_PORT: String(free[0]),
        QUANT_KAFKA_CONTROLLER_PORT: String(free[1]),
        QUANT_CLICKHOUSE_HTTP_PORT: String(free[2]),
        QUANT_CLICKHOUSE_TCP_PORT: String(free[3]),
        ...env,
      },
    });
  }

  it('status --json reports both servers stopped for an empty state dir', () => {
    const result = infra(['status', '--json']);
    expect(result.status).toBe(0);
    const status = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    expect(status.stateDir).toBe(stateDir);
    expect(status.kafka).toMatchObject({ running: false, pid: null, version: null, brokers: `127.0.0.1:${free[0]}`, portInUse: false });
    expect(status.clickhouse).toMatchObject({ running: false, pid: null, url: `http://127.0.0.1:${free[2]}`, httpPort: free[2], tcpPort: free[3] });
  });

  it('status says when a port is held by a process it did not start', () => {
    const result = infra(['status'], { QUANT_KAFKA_PORT: String(portOf(taken)) });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`port ${portOf(taken)} is in use by another process`);
  });

  it('down is safe when nothing runs', () => {
    const first = infra(['down']);
    const second = infra(['down']);
    expect([first.status, second.status]).toEqual([0, 0]);
    expect(second.stdout).toContain('Kafka: not running');
    expect(second.stdout).toContain('ClickHouse: not running');
  });

  it('up refuses a taken port before starting anything, naming the setting', () => {
    const result = infra(['up'], { QUANT_CLICKHOUSE_TCP_PORT: String(portOf(taken)) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`port ${portOf(taken)} (QUANT_CLICKHOUSE_TCP_PORT)`);
    expect(result.stderr).toContain('already in use');
    // Kafka's ports were free, but the preflight stops before launching it.
    expect(JSON.parse(infra(['status', '--json']).stdout).kafka.running).toBe(false);
  });

  it('up rejects a port setting that is not a port', () => {
    const result = infra(['up'], { QUANT_KAFKA_PORT: 'ninety' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("QUANT_KAFKA_PORT must be a TCP port (1-65535), got 'ninety'");
  });

  it('rejects an unknown action with its usage', () => {
    const result = infra(['restart']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('usage:');
  });
});
