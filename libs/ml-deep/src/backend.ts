/**
 * Backend selection for tfjs: tfjs-node-gpu (CUDA) or tfjs-node (native TensorFlow) when either is
 * installed and loads, else the wasm backend with SIMD. Never the plain cpu backend: it is 10-50x
 * slower for training. The native packages are optional (their install downloads libtensorflow, which
 * fails offline), so they are loaded by name at run time and their absence is not an error.
 *
 * Forced with QUANT_TFJS_BACKEND=wasm|tensorflow. The choice is logged once on stderr.
 */
import { createRequire, register } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { QuantError } from '@quant/errors';

export interface DeepBackend {
  /** tfjs backend name: 'tensorflow' (native) or 'wasm'. */
  name: string;
  /** Which package provides it, e.g. '@tensorflow/tfjs-node-gpu' or '@tensorflow/tfjs-backend-wasm (SIMD, 1 thread)'. */
  provider: string;
}

/**
 * tfjs-core's bundles register no gradients (the union package @tensorflow/tfjs does that, from
 * tfjs-core's ESM files). Those files use extensionless relative imports that plain Node ESM refuses,
 * so a resolve hook scoped to tfjs-core's dist adds the extension. The ESM copy shares the engine and
 * the gradient registry with the CommonJS copy through tfjs's globals.
 */
const RESOLVE_HOOK = `
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  if (parent.includes('/@tensorflow/tfjs-core/dist/') && /^\\.\\.?\\//.test(specifier) && !specifier.endsWith('.js')) {
    const url = new URL(specifier, parent);
    if (existsSync(fileURLToPath(url) + '.js')) return next(url.href + '.js', context);
    if (existsSync(fileURLToPath(url) + '/index.js')) return next(url.href + '/index.js', context);
  }
  return next(specifier, context);
}`;

let gradients: Promise<void> | null = null;

/** Registers tfjs-core's gradients (once): only training needs them, so importing stays light. */
export function registerGradients(): Promise<void> {
  if (!gradients) {
    gradients = (async () => {
      register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, import.meta.url);
      await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    })();
  }
  return gradients;
}

let chosen: DeepBackend | null = null;
let pending: Promise<DeepBackend> | null = null;
let logger: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** Where the backend choice is reported (default: one line on stderr). */
export function setDeepBackendLogger(log: (line: string) => void): void {
  logger = log;
}

async function tryNative(pkg: string): Promise<DeepBackend | null> {
  try {
    // A variable specifier: the package is optional and absent from the type graph.
    const specifier: string = pkg;
    await import(specifier);
    if (!(await tf.setBackend('tensorflow'))) return null;
    return { name: 'tensorflow', provider: pkg };
  } catch {
    return null;
  }
}

/**
 * The emscripten glue of tfjs-backend-wasm installs process-wide uncaughtException/unhandledRejection
 * listeners that rethrow; they would turn every later uncaught error into a dump of the minified glue.
 */
function withoutNewProcessListeners<T>(run: () => Promise<T>): Promise<T> {
  const listeners = (): Set<unknown>[] => [new Set(process.listeners('uncaughtException')), new Set(process.listeners('unhandledRejection'))];
  const [exceptions, rejections] = listeners() as [Set<unknown>, Set<unknown>];
  const restore = (): void => {
    for (const l of process.listeners('uncaughtException')) if (!exceptions.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejections.has(l)) process.removeListener('unhandledRejection', l);
  };
  return run().finally(restore);
}

async function wasm(): Promise<DeepBackend> {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  setWasmPaths(dist);
  const ok = await withoutNewProcessListeners(async () => {
    const set = await tf.setBackend('wasm');
    await tf.ready();
    return set;
  });
  if (!ok) throw new QuantError('ML_DEEP_BACKEND', `tfjs wasm backend failed to start (wasm files in ${dist})`, { details: { dist } });
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  return { name: 'wasm', provider: `@tensorflow/tfjs-backend-wasm (${simd ? 'SIMD' : 'no SIMD'}, 1 thread)` };
}

async function select(): Promise<DeepBackend> {
  const forced = process.env['QUANT_TFJS_BACKEND'];
  if (forced && forced !== 'wasm' && forced !== 'tensorflow') {
    throw new QuantError('ML_DEEP_BACKEND', `QUANT_TFJS_BACKEND must be wasm or tensorflow, got ${forced}`, { details: { forced } });
  }
  if (forced !== 'wasm') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const native = await tryNative(pkg);
      if (native) return native;
    }
    if (forced === 'tensorflow') {
      throw new QuantError('ML_DEEP_BACKEND', 'QUANT_TFJS_BACKEND=tensorflow but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads', {});
    }
  }
  return wasm();
}

/** Starts (once) and returns the tfjs backend the deep models use. */
export function deepBackend(): Promise<DeepBackend> {
  if (!pending) {
    pending = select().then((b) => {
      chosen = b;
      return b;
    });
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}

let logged = false;

/** Logs the chosen backend once per process (at the first training, not at import). */
export function logDeepBackend(b: DeepBackend): void {
  if (logged) return;
  logged = true;
  logger(`[ml-deep] tfjs backend: ${b.name} via ${b.provider}`);
}

/** The backend if it is already running; predict (synchronous) needs it. */
export function readyBackend(where: string): DeepBackend {
  if (!chosen || tf.getBackend() !== chosen.name) {
    throw new QuantError('ML_DEEP_BACKEND', `${where}: the tfjs backend is not started; await deepBackend() (from @quant/ml-deep) first`, { details: { where } });
  }
  return chosen;
}

export { tf };
