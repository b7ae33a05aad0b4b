/**
 * Starts a worker thread on a TypeScript module. The platform runs TypeScript through tsx with no
 * build step, and a worker does not inherit the loader in every runner (vitest runs its own), so a
 * tiny CommonJS bootstrap registers tsx's ESM loader in the worker and then imports the module. It
 * works the same under the tsx CLI, under vitest and in plain node.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { QuantError } from '@quant/errors';

let apiUrl: string | null = null;

/** The ESM entry of tsx's register API, from its package exports (require.resolve would give the CommonJS one). */
function tsxApiUrl(): string {
  if (apiUrl) return apiUrl;
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = pkg.exports['./esm/api']?.import?.default;
  if (!entry) throw new QuantError('ML_WORKER_FAILED', `tsx at ${pkgPath} has no ./esm/api export`);
  apiUrl = pathToFileURL(join(dirname(pkgPath), entry)).href;
  return apiUrl;
}

/**
 * A worker running the TypeScript module at `module` (a file URL). Errors while loading it arrive
 * as the worker's 'error' event, like any other worker failure.
 */
export function startTsWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { execArgv: [], ...options, eval: true });
}
