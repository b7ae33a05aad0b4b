import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QuantError } from '@quant/errors';
import { DEFAULT_STORE_DIR, openStore } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import type { CliIo, CommandModule } from './command-module';

/** The inference service's entry; started as its own process (the CLI may not import a service). */
const SERVICE_MAIN = fileURLToPath(new URL('../../../../services/inference/src/main.ts', import.meta.url));
/** The repository's compiler settings (Nest's parameter decorators), whatever the working directory. */
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));
const DEFAULT_ARTEFACTS = './.quant/models';

/** A started service process: its stdout lines (JSON logs), its exit, a way to stop it. */
export interface ServiceProcess {
  onLine(listener: (line: string) => void): void;
  readonly exited: Promise<number>;
  stop(): void;
}

export interface ServeCommandDeps {
  /** Starts the inference service with these environment variables. */
  start?: (env: Record<string, string>) => ServiceProcess;
  /** Where the command learns that the user asked it to stop (default: SIGINT/SIGTERM); returns how to stop listening. */
  onStop?: (stop: () => void) => () => void;
}

/** tsx's loader by absolute URL, so the child starts from any working directory. */
function tsxLoader(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(manifest), 'dist/loader.mjs')).href;
}

/**
 * The service in its own process group: a terminal's Ctrl-C reaches this command only, which asks the
 * service to stop once (a second signal would make it exit at once, without draining).
 */
function startService(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader(), SERVICE_MAIN], { env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  const lines = createInterface({ input: child.stdout });
  return {
    onLine: (listener) => lines.on('line', listener),
    exited: new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)))),
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * `on`, not `once`: a signal-exit style listener loaded by a dependency re-raises the signal when it
 * finds no other listener left, which a `once` listener no longer is while it runs.
 */
function stopOnSignals(stop: () => void): () => void {
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

/** Promotes the latest version of every model name that has no production version; returns `name@version` of each. */
export async function promoteLatest(location: string, artefacts: string): Promise<string[]> {
  const store = await openStore(location);
  try {
    const registry = new ModelRegistry(store, artefacts);
    await registry.migrate();
    const all = await registry.list();
    const promoted: string[] = [];
    for (const name of new Set(all.map((m) => m.name))) {
      const versions = all.filter((m) => m.name === name);
      if (versions.some((m) => m.stage === 'production')) continue;
      const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
      await registry.promote(name, latest.version, 'production');
      promoted.push(`${name}@${latest.version}`);
    }
    return promoted;
  } finally {
    await store.close();
  }
}

interface ServeFlags {
  store: string;
  artefacts: string;
  grpcPort: string;
  httpPort: string;
  workers: string;
  promoteLatest?: boolean;
}

function port(value: string, flag: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new QuantError('ARGUMENT_INVALID', `${flag} must be a port number (0-65535), got "${value}"`, { details: { flag, value } });
  return value;
}

interface WatchState {
  /** From the engine's 'inference ready' line (logged during init, before the HTTP listener starts). */
  engine?: Record<string, unknown>;
  ready: boolean;
}

/** Follows the service's JSON log: says where to look once it listens, passes warnings on. */
function watch(io: CliIo, line: string, state: WatchState, store: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    io.err(`${line}\n`);
    return;
  }
  const msg = String(record['msg'] ?? '');
  if (msg === 'inference ready') state.engine = record;
  if (msg === 'model set not (re)loaded' && record['code'] === 'INFERENCE_NO_MODEL') {
    io.err(`quant serve: no production model in ${store} yet: train one (quant train WORKFLOW.yaml) and start again with --promote-latest\n`);
    return;
  }
  if (msg === 'service started' && !state.ready) {
    state.ready = true;
    const url = String(record['url']);
    const host = url.replace(/^https?:\/\//, '').replace(/:\d+$/, '');
    io.out(
      [
        `quant serve: inference service running on the in-process bus, store ${store}`,
        `  serving  ${String(state.engine?.['serving'] ?? 'nothing yet (no production model)')}`,
        `  HTTP     ${url}  GET /health, GET /v1/models, POST /v1/predict, POST /v1/recommend`,
        `  gRPC     ${host}:${String(state.engine?.['grpcPort'])}  quant.inference.v1.Inference (proto/grpc/quant/inference/v1/inference.proto)`,
        `  try      curl -s -X POST ${url}/v1/recommend -H 'content-type: application/json' -d '{"topK": 10}'`,
        '  stop     Ctrl-C',
        '',
      ].join('\n'),
    );
    return;
  }
  const level = String(record['level'] ?? '');
  if (level === 'warn' || level === 'error' || level === 'fatal') {
    const fields = Object.fromEntries(Object.entries(record).filter(([k]) => !['time', 'level', 'service', 'msg'].includes(k)));
    io.err(`quant serve: ${level}: ${msg} ${JSON.stringify(fields)}\n`);
  }
}

/**
 * `quant serve`: runs the inference service locally (in-process bus, the given store) and says where
 * to look; it serves the store's production models. Stops on Ctrl-C.
 */
export function createServeCommand(deps: ServeCommandDeps = {}): CommandModule {
  return {
    name: 'serve',
    register(program, context) {
      program
        .command('serve')
        .description('serve predictions and next-day recommendations of the production models over gRPC and HTTP (in-process bus)')
        .option('--store <store>', 'chdb directory, or a clickhouse:// or http:// server URL', DEFAULT_STORE_DIR)
        .option('--artefacts <dir>', 'model artefact directory', DEFAULT_ARTEFACTS)
        .option('--grpc-port <port>', 'gRPC port (0: a free one)', '50051')
        .option('--http-port <port>', 'HTTP port (0: a free one)', '3104')
        .option('--workers <n>', 'ONNX scoring threads (0: the main thread)', '2')
        .option('--promote-latest', 'first promote the latest version of each model name that has no production version')
        .action(async (flags: ServeFlags) => {
          const store = /^[a-z]+:\/\//.test(flags.store) ? flags.store : resolve(flags.store);
          const artefacts = resolve(flags.artefacts);
          if (!/^\d+$/.test(flags.workers)) throw new QuantError('ARGUMENT_INVALID', `--workers must be a non-negative integer, got "${flags.workers}"`, { details: { flag: '--workers' } });
          const env = {
            QUANT_BUS: 'in-process',
            QUANT_STORE: store,
            QUANT_HTTP_HOST: '127.0.0.1',
            QUANT_HTTP_PORT: port(flags.httpPort, '--http-port'),
            QUANT_INFERENCE_GRPC_PORT: port(flags.grpcPort, '--grpc-port'),
            QUANT_INFERENCE_WORKERS: flags.workers,
            QUANT_INFERENCE_ARTEFACTS: artefacts,
          };
          if (flags.promoteLatest) {
            const promoted = await promoteLatest(store, artefacts);
            context.io.err(`quant serve: promoted to production: ${promoted.length > 0 ? promoted.join(', ') : 'nothing (every model name has a production version)'}\n`);
          }
          const service = (deps.start ?? startService)(env);
          const state: WatchState = { ready: false };
          service.onLine((line) => watch(context.io, line, state, store));
          const unlisten = (deps.onStop ?? stopOnSignals)(() => service.stop());
          const code = await service.exited.finally(unlisten);
          if (!state.ready || code !== 0) {
            throw new QuantError('SERVE_FAILED', `the inference service exited with code ${code}${state.ready ? '' : ' before it was ready (see the messages above)'}`, { details: { code } });
          }
          context.io.err('quant serve: stopped\n');
        });
    },
  };
}

export const serveCommand: CommandModule = createServeCommand();
