import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { QuantError } from '@quant/errors';
import type { FeatureSet } from '@quant/features';
import { featureSet, featureSetNames } from '@quant/features';
import { DEFAULT_INDEX_CODE, FeatureRepository, buildFeatures, sessionIndex } from '@quant/feature-store';
import { assertIsoDate, canonicalCode } from '@quant/market';
import { MarketDataRepository } from '@quant/market-data';
import type { Store } from '@quant/storage';
import { DEFAULT_STORE_DIR, openStore } from '@quant/storage';
import type { CommandModule } from './command-module';

/** Resolves `--set NAME` to a feature set (the catalogue of @quant/features by default). */
export type FeatureSetLookup = (name: string) => FeatureSet | Promise<FeatureSet>;

const catalogue: FeatureSetLookup = (name) => {
  const names = featureSetNames();
  if (!names.includes(name)) {
    throw new QuantError('ARGUMENT_INVALID', `--set "${name}" is not a feature set; known sets: ${names.join(', ')}`, { details: { set: name } });
  }
  return featureSet(name);
};

const STORE_HELP = 'chdb directory, or a clickhouse:// or http:// server URL';
/** Missing days listed per instrument in an export error before the rest is counted. */
const MISSING_SHOWN = 5;

interface BuildFlags {
  set: string;
  universe?: string;
  codes?: string;
  from: string;
  to: string;
  store: string;
  index?: string;
  lexicons?: string;
}

interface ExportFlags {
  set: string;
  codes: string;
  from: string;
  to: string;
  out: string;
  store: string;
}

function parseCodes(list: string, flag: string): string[] {
  const items = list.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (items.length === 0) throw new QuantError('ARGUMENT_INVALID', `${flag} needs at least one instrument code, e.g. SH600000,SZ000001`);
  return [...new Set(items.map(canonicalCode))];
}

function parseRange(flags: { from: string; to: string }): { from: string; to: string } {
  const from = assertIsoDate(flags.from, '--from');
  const to = assertIsoDate(flags.to, '--to');
  if (from > to) throw new QuantError('ARGUMENT_INVALID', `--from ${from} is after --to ${to}`, { details: { from, to } });
  return { from, to };
}

/** Opens the store, applies the market-data and feature-store migrations, and runs `work`. */
async function withStore<T>(location: string, work: (store: Store, market: MarketDataRepository) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    const market = new MarketDataRepository(store);
    await market.migrate();
    await new FeatureRepository(store).migrate();
    if ((await market.calendar('CN')).length === 0) {
      throw new QuantError('STORE_EMPTY', `the store ${location} holds no market data; run "quant data import" first`, { details: { store: location } });
    }
    return await work(store, market);
  } finally {
    await store.close();
  }
}

const csvCell = (v: number): string => (Number.isFinite(v) ? String(v) : '');

/**
 * `quant features build|export`. Build computes a set in batch and stores it; export writes stored
 * rows as CSV and never computes: rows the store lacks are an error naming them.
 */
export function createFeaturesCommand(lookup: FeatureSetLookup = catalogue): CommandModule {
  return {
    name: 'features',
    register(program, context) {
      const features = program.command('features').description('compute feature sets into the store and export them');

      features
        .command('build')
        .description('compute a feature set in batch for a universe or codes over a date range and store it (prints a JSON summary)')
        .requiredOption('--set <name>', 'feature set, e.g. alpha158')
        .option('--universe <name>', 'instruments ever in this point-in-time universe over the range (e.g. csi300)')
        .option('--codes <list>', 'only these instruments, comma separated, any spelling')
        .requiredOption('--from <date>', 'first day stored (YYYY-MM-DD); warm-up history before it is read, not stored')
        .requiredOption('--to <date>', 'last day stored (YYYY-MM-DD)')
        .option('--store <store>', STORE_HELP, DEFAULT_STORE_DIR)
        .option('--index <code>', 'benchmark index of the market family (index.close), stored as bars in the same store', DEFAULT_INDEX_CODE)
        .option('--lexicons <dir>', 'sentiment word lists directory, needed by sets with sentiment inputs (e.g. shared/data/lexicons/cn_finance)')
        .action(async (flags: BuildFlags) => {
          const { from, to } = parseRange(flags);
          const codes = flags.codes === undefined ? undefined : parseCodes(flags.codes, '--codes');
          const set = await lookup(flags.set);
          const indexCode = canonicalCode(flags.index ?? DEFAULT_INDEX_CODE);
          const report = await withStore(flags.store, (store, market) =>
            buildFeatures({
              store,
              market,
              set,
              from,
              to,
              ...(flags.universe ? { universe: flags.universe } : {}),
              ...(codes ? { codes } : {}),
              indexCode,
              ...(flags.lexicons !== undefined ? { lexiconDir: resolve(flags.lexicons) } : {}),
              onProgress: (text) => context.io.err(`quant features build: ${text}\n`),
            }),
          );
          context.io.out(`${JSON.stringify(report)}\n`);
        });

      features
        .command('export')
        .description('write stored features as CSV: code,date, then the columns by name; empty cell = missing value')
        .requiredOption('--set <name>', 'feature set, e.g. alpha158')
        .requiredOption('--codes <list>', 'instruments, comma separated, any spelling')
        .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
        .requiredOption('--to <date>', 'last day (YYYY-MM-DD)')
        .requiredOption('--out <file>', 'CSV file to write')
        .option('--store <store>', STORE_HELP, DEFAULT_STORE_DIR)
        .action(async (flags: ExportFlags) => {
          const { from, to } = parseRange(flags);
          const codes = parseCodes(flags.codes, '--codes');
          const set = await lookup(flags.set);
          const out = resolve(flags.out);
          const summary = await withStore(flags.store, (store, market) => exportFeatures({ store, market, set, codes, from, to, out }));
          context.io.out(`${JSON.stringify(summary)}\n`);
        });
    },
  };
}

export const featuresCommand: CommandModule = createFeaturesCommand();

interface ExportOptions {
  store: Store;
  market: MarketDataRepository;
  set: FeatureSet;
  codes: readonly string[];
  from: string;
  to: string;
  out: string;
}

/**
 * One instrument at a time: the rows expected are the sessions of [from, to] inside the instrument's
 * stored bars (what `features build` writes, suspended days included). The CSV goes to a temporary
 * file renamed at the end, so a failed export leaves no partial file behind.
 */
async function exportFeatures(options: ExportOptions): Promise<Record<string, unknown>> {
  const { store, market, set, codes, from, to, out } = options;
  const names = set.definitions().map((d) => d.name);
  const repository = new FeatureRepository(store);
  const calendar = await market.calendar('CN');
  const coverage = new Map((await market.coverage(codes)).map((c) => [c.code, c]));
  const unknown = codes.filter((c) => !coverage.has(c));
  if (unknown.length > 0) {
    throw new QuantError('INSTRUMENT_UNKNOWN', `no bars stored for ${unknown.join(', ')}: check --codes or import them with "quant data import"`, {
      details: { codes: unknown.join(',') },
    });
  }
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  const file = createWriteStream(partial, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!file.write(text)) await once(file, 'drain');
  };
  const missing: string[] = [];
  let missingRows = 0;
  let rows = 0;
  try {
    await write(`code,date,${names.join(',')}\n`);
    for (const code of codes) {
      const cov = coverage.get(code);
      if (cov === undefined) continue;
      const first = from > cov.from ? from : cov.from;
      const last = to < cov.to ? to : cov.to;
      const expected = calendar.slice(sessionIndex(calendar, first)).filter((d) => d <= last);
      const stored = await repository.read(set.name, set.version, [code], from, to);
      const have = new Set(stored.map((r) => r.date));
      const absent = expected.filter((d) => !have.has(d));
      if (absent.length > 0) {
        missingRows += absent.length;
        const shown = absent.slice(0, MISSING_SHOWN).join(', ');
        missing.push(`${code}: ${absent.length} of ${expected.length} days (${shown}${absent.length > MISSING_SHOWN ? ', ...' : ''})`);
        continue;
      }
      let text = '';
      for (const r of stored) {
        if (r.values.length !== names.length) {
          throw new QuantError('FEATURES_CORRUPT', `stored row ${code} ${r.date} of ${set.name}@${set.version} has ${r.values.length} values, the set defines ${names.length}`, {
            details: { code, date: r.date },
          });
        }
        text += `${code},${r.date}`;
        for (let j = 0; j < r.values.length; j++) text += `,${csvCell(r.values[j] as number)}`;
        text += '\n';
      }
      await write(text);
      rows += stored.length;
    }
    file.end();
    await once(file, 'finish');
    if (missing.length > 0) {
      throw new QuantError(
        'FEATURES_MISSING',
        `the store lacks ${missingRows} row(s) of ${set.name}@${set.version}: ${missing.join('; ')}. ` +
          `Compute them first: quant features build --set ${set.name} --codes ${codes.join(',')} --from ${from} --to ${to}`,
        { details: { set: set.name, version: set.version, missingRows } },
      );
    }
    await rename(partial, out);
  } catch (error) {
    file.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return { set: set.name, version: set.version, out, codes: codes.length, rows, columns: names.length };
}
