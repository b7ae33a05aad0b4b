/**
 * chdb binds one data directory per process. Stores on the same directory share it (each with its own
 * connection, so `USE` and settings stay per store); a store on another directory is refused with a
 * clear error until every store on the first one is closed, after which any directory may be opened.
 */
import { QuantError } from '@quant/errors';

interface EngineState {
  path: string | null;
  open: number;
}

// Kept on globalThis so two copies of this module (e.g. loaded through different paths) still agree.
const KEY = Symbol.for('@quant/storage/chdb-engine');
const state: EngineState = ((globalThis as Record<symbol, unknown>)[KEY] as EngineState | undefined) ?? { path: null, open: 0 };
(globalThis as Record<symbol, unknown>)[KEY] = state;

export function acquireChdbPath(path: string): void {
  if (state.open > 0 && state.path !== path) {
    throw new QuantError(
      'STORE_CHDB_PATH_CONFLICT',
      `Embedded chdb already has ${state.path} open in this process and binds one data directory per process: ` +
        `close every store on it before opening ${path}, or use a ClickHouse server`,
      { details: { open: state.path, requested: path } },
    );
  }
  state.path = path;
  state.open += 1;
}

export function releaseChdbPath(path: string): void {
  if (state.path !== path || state.open === 0) return;
  state.open -= 1;
  if (state.open === 0) state.path = null;
}

/** The directory chdb is bound to in this process, if any store is open. */
export function activeChdbPath(): string | null {
  return state.open > 0 ? state.path : null;
}
