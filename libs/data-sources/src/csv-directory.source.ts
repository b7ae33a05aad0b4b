import { instrumentSpans } from './instrument-spans.util';
import type { DataSource, InstrumentInfo, RawBar, ReadOptions, SourceBatch } from './data-source.port';
import type { CsvTableSpec, RowCells } from './csv-table.reader';
import { RowError, readCsvTable } from './csv-table.reader';
import { CodeResolver, dateBounds, listFiles, parseDateText, parseDecimal, requestedCodes } from './source-values.util';

/**
 * A directory of CSV files in the platform's documented bar schema (see README.md "CSV directory"):
 * header `code,date,open,high,low,close,volume` plus optional `amount,factor,preclose,isst`, any order,
 * any case. Raw (unadjusted) prices. Bad rows become problems with file, line and raw text; good rows
 * are kept. Duplicates and out-of-order days are passed through as they are (ingestion decides).
 */
export interface CsvSourceOptions {
  /** Name put in every record origin; default `csv`. */
  name?: string;
  /** Largest batch yielded (rows); a big file is yielded in several batches. Default 50,000. */
  batchSize?: number;
  /**
   * Accept bare 6-digit stock symbols (`600000`) and infer the exchange from the prefix. Off by default:
   * the digits alone are ambiguous for indices (000001 is both SSE Composite and Ping An Bank).
   */
  inferExchange?: boolean;
}

export const CSV_BAR_SPEC: CsvTableSpec = {
  required: ['code', 'date', 'open', 'high', 'low', 'close', 'volume'],
  optional: ['amount', 'factor', 'preclose', 'isst'],
  aliases: { pre_close: 'preclose', is_st: 'isst', st: 'isst' },
};

const TRUE_TEXT = new Set(['1', 'true', 'yes', 'y', 't']);
const FALSE_TEXT = new Set(['0', 'false', 'no', 'n', 'f']);

export function createCsvSource(dir: string, options: CsvSourceOptions = {}): CsvDirectorySource {
  return new CsvDirectorySource(dir, options);
}

export class CsvDirectorySource implements DataSource {
  readonly name: string;
  private readonly batchSize: number;
  private readonly inferExchange: boolean;

  constructor(
    readonly dir: string,
    options: CsvSourceOptions = {},
  ) {
    this.name = options.name ?? 'csv';
    this.batchSize = options.batchSize ?? 50_000;
    this.inferExchange = options.inferExchange ?? false;
  }

  /** A directory of CSV files carries no calendar of its own. */
  async calendar(): Promise<string[]> {
    return [];
  }

  /** Codes with their first and last dates, from a full pass over the files (rows with problems left out). */
  async instruments(): Promise<InstrumentInfo[]> {
    return instrumentSpans(this.read());
  }

  async *read(options: ReadOptions = {}): AsyncGenerator<SourceBatch> {
    const { from, to } = dateBounds(options);
    const wanted = requestedCodes(options.codes);
    const files = await listFiles(this.dir, (n) => n.toLowerCase().endsWith('.csv'));
    const codes = new CodeResolver(this.inferExchange);
    for (const file of files) {
      const chunks = readCsvTable<RawBar>(file, this.name, CSV_BAR_SPEC, this.batchSize, (cells, origin) => {
        const code = codes.resolve(cells('code')!);
        if (!code) return new RowError('CODE_UNKNOWN', `"${cells('code')}" is not an instrument code${this.inferExchange ? '' : ' (bare 6-digit symbols need inferExchange)'}`);
        const date = parseDateText(cells('date')!);
        if (!date) return new RowError('CSV_BAD_DATE', `date "${cells('date')}" is not a calendar date (YYYY-MM-DD or YYYYMMDD)`);
        if ((wanted && !wanted.has(code)) || date < from || date > to) return null;
        const prices = requiredNumbers(cells, ['open', 'high', 'low', 'close']);
        if (prices instanceof RowError) return prices;
        const volume = optionalNumber(cells, 'volume');
        if (volume instanceof RowError) return volume;
        const amount = optionalNumber(cells, 'amount');
        if (amount instanceof RowError) return amount;
        const factor = optionalNumber(cells, 'factor');
        if (factor instanceof RowError) return factor;
        const preClose = optionalNumber(cells, 'preclose');
        if (preClose instanceof RowError) return preClose;
        const isST = optionalFlag(cells, 'isst');
        if (isST instanceof RowError) return isST;
        const [open, high, low, close] = prices;
        const bar: RawBar = { code, date, open: open!, high: high!, low: low!, close: close!, volume, amount, factor, origin };
        if (cells('preclose') !== undefined) bar.preClose = preClose;
        if (cells('isst') !== undefined) bar.isST = isST;
        return bar;
      });
      for await (const chunk of chunks) {
        yield { bars: chunk.items, valuations: [], news: [], problems: chunk.problems };
      }
    }
  }
}

/** Numbers that must be there; the first bad one names its column. */
export function requiredNumbers(cells: RowCells, columns: readonly string[]): number[] | RowError {
  const out: number[] = [];
  for (const c of columns) {
    const text = cells(c) ?? '';
    const v = parseDecimal(text);
    if (v === undefined) return new RowError('CSV_BAD_NUMBER', `${c} "${text}" is not a number`);
    out.push(v);
  }
  return out;
}

/** A number or null when blank (or when the file has no such column). */
export function optionalNumber(cells: RowCells, column: string): number | null | RowError {
  const text = cells(column);
  if (text === undefined || text.trim() === '') return null;
  const v = parseDecimal(text);
  return v === undefined ? new RowError('CSV_BAD_NUMBER', `${column} "${text}" is not a number`) : v;
}

/** A yes/no flag (1/0, true/false, y/n) or null when blank. */
export function optionalFlag(cells: RowCells, column: string): boolean | null | RowError {
  const text = cells(column);
  if (text === undefined || text.trim() === '') return null;
  const t = text.trim().toLowerCase();
  if (TRUE_TEXT.has(t)) return true;
  if (FALSE_TEXT.has(t)) return false;
  return new RowError('CSV_BAD_VALUE', `${column} "${text}" is not a flag (1/0, true/false)`);
}
