import { resolve } from 'node:path';
import { QuantError } from '@quant/errors';
import { assertIsoDate, canonicalCode } from '@quant/market';
import { SOURCE_KINDS, createSource, runImportJob, storeStatus } from '@quant/market-data';
import { DEFAULT_STORE_DIR } from '@quant/storage';
import type { CommandModule } from './command-module';

interface ImportFlags {
  source: string;
  dir?: string;
  universe?: string;
  codes?: string;
  from?: string;
  to?: string;
  full?: boolean;
  store: string;
  rejects?: string;
}

const STORE_HELP = 'chdb directory, or a clickhouse:// or http:// server URL';

/** `quant data import|status`: the same import code path as the ingestion service, in one process. */
export const dataCommand: CommandModule = {
  name: 'data',
  register(program, context) {
    const data = program.command('data').description('import market data into the store and show what it holds');

    data
      .command('import')
      .description('read a source, validate every record, publish valid ones as events and store them (incremental)')
      .requiredOption('--source <kind>', `data source: ${SOURCE_KINDS.join('|')}`)
      .option('--dir <dir>', 'directory of the source files')
      .option('--universe <name>', 'only instruments ever in this point-in-time universe (e.g. csi300)')
      .option('--codes <list>', 'only these instruments, comma separated, any spelling')
      .option('--from <date>', 'first day to import (YYYY-MM-DD)')
      .option('--to <date>', 'last day to import (YYYY-MM-DD)')
      .option('--full', 'republish days the store already has (corrections); default imports new days only')
      .option('--store <store>', STORE_HELP, DEFAULT_STORE_DIR)
      .option('--rejects <file>', 'write one JSON line per rejected record with its reason and origin')
      .action(async (flags: ImportFlags) => {
        if (!(SOURCE_KINDS as readonly string[]).includes(flags.source)) {
          throw new QuantError('ARGUMENT_INVALID', `--source must be one of ${SOURCE_KINDS.join(', ')}, got "${flags.source}"`);
        }
        const from = flags.from === undefined ? undefined : assertIsoDate(flags.from, '--from');
        const to = flags.to === undefined ? undefined : assertIsoDate(flags.to, '--to');
        const codes = flags.codes === undefined ? undefined : flags.codes.split(',').filter((c) => c.trim() !== '').map(canonicalCode);
        const report = await runImportJob({
          source: createSource(flags.source, flags.dir === undefined ? undefined : resolve(flags.dir)),
          store: flags.store,
          ...(flags.universe ? { universe: flags.universe } : {}),
          ...(codes ? { codes } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(flags.full ? { full: true } : {}),
          ...(flags.rejects ? { rejectsFile: resolve(flags.rejects) } : {}),
          onProgress: (text) => context.io.err(`quant data import: ${text}\n`),
        });
        context.io.out(`${JSON.stringify(report)}\n`);
      });

    data
      .command('status')
      .description('coverage of the store: instruments, bars, date range, per-instrument counts')
      .option('--store <store>', STORE_HELP, DEFAULT_STORE_DIR)
      .option('--per-instrument', 'include one entry per instrument')
      .action(async (flags: { store: string; perInstrument?: boolean }) => {
        const status = await storeStatus(flags.store);
        if (!flags.perInstrument) delete status['perInstrument'];
        context.io.out(`${JSON.stringify(status, null, 2)}\n`);
      });
  },
};
