import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { QuantError } from '@quant/errors';
import { assertIsoDate, canonicalCode } from '@quant/market';

// Plain decimal notation only: Number() would also accept '0x1A', 'Infinity' and '' (as 0).
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number, or undefined when the text is not one (blank included). */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  return Number(t);
}

const DATE_FORMS: RegExp[] = [/^(\d{4})-(\d{2})-(\d{2})$/, /^(\d{4})(\d{2})(\d{2})$/, /^(\d{4})\/(\d{2})\/(\d{2})$/];

/** `YYYY-MM-DD` from `YYYY-MM-DD`, `YYYYMMDD` (TuShare) or `YYYY/MM/DD`; undefined when not a real day. */
export function parseDateText(text: string): string | undefined {
  const t = text.trim();
  for (const form of DATE_FORMS) {
    const m = form.exec(t);
    if (!m) continue;
    const iso = `${m[1]}-${m[2]}-${m[3]}`;
    try {
      return assertIsoDate(iso);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Exchange of a bare 6-digit A-share STOCK symbol, by the exchanges' published prefixes. Only for
 * datasets that are known to hold stocks: for indices the digits are ambiguous (000001 is both the
 * SSE Composite and Ping An Bank), which is why @quant/market refuses bare symbols.
 */
export function stockCodeFromSymbol(symbol: string): string | undefined {
  if (!/^\d{6}$/.test(symbol)) return undefined;
  const p2 = symbol.slice(0, 2);
  if (p2 === '60' || p2 === '68' || p2 === '90') return `SH${symbol}`;
  if (p2 === '00' || p2 === '30' || p2 === '20') return `SZ${symbol}`;
  if (/^(4[0-9]|8[0-9]|92)/.test(symbol)) return `BJ${symbol}`;
  return undefined;
}

/** Canonical code from any spelling, memoised (a file repeats one code on every row). */
export class CodeResolver {
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly inferBareStockSymbols = false) {}

  resolve(text: string): string | undefined {
    if (this.cache.has(text)) return this.cache.get(text);
    let code: string | undefined;
    try {
      code = canonicalCode(text);
    } catch {
      const t = text.trim();
      code = this.inferBareStockSymbols ? stockCodeFromSymbol(t) : undefined;
    }
    this.cache.set(text, code);
    return code;
  }
}

/** Every file under `dir` (recursively) whose name passes `accept`, sorted by path for a stable order. */
export async function listFiles(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  await assertDirectory(dir);
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && accept(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

export async function assertDirectory(dir: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(dir)).isDirectory();
  } catch (cause) {
    throw new QuantError('SOURCE_DIR_NOT_FOUND', `data directory not found: ${dir}`, { cause, details: { dir } });
  }
  if (!ok) throw new QuantError('SOURCE_DIR_NOT_FOUND', `not a directory: ${dir}`, { details: { dir } });
}

/** Inclusive date bounds from read options, checked once so a typo fails loudly, not as an empty read. */
export function dateBounds(options: { from?: string; to?: string } | undefined): { from: string; to: string } {
  const from = options?.from === undefined ? '0000-01-01' : assertIsoDate(options.from, 'from');
  const to = options?.to === undefined ? '9999-12-31' : assertIsoDate(options.to, 'to');
  if (from > to) throw new QuantError('READ_RANGE_INVALID', `from ${from} is after to ${to}`, { details: { from, to } });
  return { from, to };
}

/** The requested codes in canonical form (any spelling accepted), or undefined for all. */
export function requestedCodes(codes: readonly string[] | undefined): Set<string> | undefined {
  return codes === undefined ? undefined : new Set(codes.map((c) => canonicalCode(c)));
}
