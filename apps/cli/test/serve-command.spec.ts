// quant serve with the service process replaced by a double: the environment it is started with, what
// the command prints from its log, the stop path; and --promote-latest on a real chdb registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import { runCli } from '../src/cli';
import type { CliContext } from '../src/commands/command-module';
import type { ServiceProcess } from '../src/commands/serve.command';
import { createServeCommand } from '../src/commands/serve.command';

const dir = mkdtempSync(join(tmpdir(), 'quant-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeService(lines: string[], exitCode = 0): { start: (env: Record<string, string>) => ServiceProcess; env: Array<Record<string, string>>; stopped: () => boolean } {
  const env: Array<Record<string, string>> = [];
  let stopped = false;
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  return {
    env,
    stopped: () => stopped,
    start: (e) => {
      env.push(e);
      return {
        onLine: (listener) => {
          setTimeout(() => {
            for (const line of lines) listener(line);
            if (exitCode !== 0) exit(exitCode);
          }, 1);
        },
        exited,
        stop: () => {
          stopped = true;
          exit(exitCode);
        },
      };
    },
  };
}

async function quant(start: (env: Record<string, string>) => ServiceProcess, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const context = { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } } as unknown as CliContext;
  const command = createServeCommand({ start, onStop: (stop) => ((timer) => () => clearTimeout(timer))(setTimeout(stop, 20)) });
  const code = await runCli(['node', 'quant', ...args], context, [command]);
  return { code, out: out.join(''), err: err.join('') };
}

const log = (msg: string, fields: Record<string, unknown> = {}, level = 'info') => JSON.stringify({ time: 't', level, service: 'inference', msg, ...fields });

describe('quant serve', () => {
  it('starts the service on the in-process bus with the flags as its environment and says where to look', async () => {
    const fake = fakeService([log('inference ready', { grpcPort: 50052, serving: 'lgbm@3' }), log('service started', { url: 'http://127.0.0.1:3105' })]);
    const r = await quant(fake.start, 'serve', '--store', join(dir, 'store'), '--grpc-port', '50052', '--http-port', '3105', '--workers', '1');
    expect(r.code).toBe(0);
    expect(fake.env[0]).toMatchObject({ QUANT_BUS: 'in-process', QUANT_STORE: join(dir, 'store'), QUANT_HTTP_PORT: '3105', QUANT_INFERENCE_GRPC_PORT: '50052', QUANT_INFERENCE_WORKERS: '1' });
    expect(r.out).toContain('serving  lgbm@3');
    expect(r.out).toContain('HTTP     http://127.0.0.1:3105');
    expect(r.out).toContain('gRPC     127.0.0.1:50052  quant.inference.v1.Inference');
    expect(fake.stopped()).toBe(true);
    expect(r.err).toContain('quant serve: stopped');
  });

  it('tells how to get a production model when there is none, and passes warnings on', async () => {
    const fake = fakeService([log('model set not (re)loaded', { code: 'INFERENCE_NO_MODEL' }, 'warn'), log('scoring slow', { ms: 30 }, 'warn'), log('service started', { url: 'http://127.0.0.1:1' })]);
    const r = await quant(fake.start, 'serve', '--store', join(dir, 'empty'));
    expect(r.err).toContain('no production model');
    expect(r.err).toContain('--promote-latest');
    expect(r.err).toContain('quant serve: warn: scoring slow {"ms":30}');
  });

  it('fails with the exit code when the service stops before it is ready, and refuses a bad port', async () => {
    const r = await quant(fakeService([log('service failed to boot', {}, 'fatal')], 1).start, 'serve', '--store', join(dir, 'x'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('SERVE_FAILED');
    const bad = await quant(fakeService([]).start, 'serve', '--grpc-port', 'abc');
    expect(bad.err).toContain('--grpc-port must be a port number');
  });

  it('--promote-latest promotes the latest version of each name without a production version', async () => {
    const location = join(dir, 'registry-store');
    const store = await openStore(location);
    const registry = new ModelRegistry(store, join(dir, 'models'));
    await registry.migrate();
    const base = { kind: 'gbdt', featureSet: 's', featureSetVersion: 'v1', label: 'L', trainFrom: '2020-01-01', trainTo: '2020-06-30', validFrom: '2020-07-01', validTo: '2020-12-31', params: {}, seed: 1, dataHash: 'h', metrics: {}, artefact: new Uint8Array([1]), onnx: new Uint8Array([1]), metadata: {} };
    await registry.register({ ...base, name: 'a' });
    await registry.register({ ...base, name: 'a' });
    await registry.register({ ...base, name: 'b' });
    await registry.promote('b', 1, 'production');
    await store.close();
    const fake = fakeService([log('service started', { url: 'http://127.0.0.1:1' })]);
    const r = await quant(fake.start, 'serve', '--store', location, '--artefacts', join(dir, 'models'), '--promote-latest');
    expect(r.err).toContain('promoted to production: a@2');
    const reopened = await openStore(location);
    expect((await new ModelRegistry(reopened, join(dir, 'models')).list()).map((m) => `${m.name}@${m.version}:${m.stage}`)).toEqual(['a@1:candidate', 'a@2:production', 'b@1:production']);
    await reopened.close();
  });
});
