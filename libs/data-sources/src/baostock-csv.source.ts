import { basename } from 'node:path';
import { instrumentSpans } from './instrument-spans.util';
import type { DataSource, InstrumentInfo, RawBar, RawValuation, ReadOptions, SourceBatch } from './data-source.port';
import type { CsvTableSpec } from './csv-table.reader';
import { RowError, readCsvTable } from './csv-table.reader';
import { optionalFlag, optionalNumber, requiredNumbers } from './csv-directory.source';
import { CodeResolver, dateBounds, listFiles, parseDateText, requestedCodes } from './source-values.util';

/**
 * CSVs as written by baostock's `query_history_k_data_plus` (one file per stock, `sh.600000.csv`):
 * daily bars with preclose, amount, tradestatus and isST, plus valuation ratios (peTTM, pbMRQ, psTTM,
 * pcfNcfTTM, turn). Prices must be unadjusted (adjustflag 3); a row with another adjustflag is a
 * problem, not a bar, since this port carries raw prices. Empty cells are null, never 0.
 */
export interface BaostockSourceOptions {
  /** Name put in every record origin; default `baostock`. */
  name?: string;
  /** Largest batch yielded (rows). Default 50,000 (a baostock file is one batch). */
  batchSize?: number;
}

export const BAOSTOCK_SPEC: CsvTableSpec = {
  required: ['date', 'code', 'open', 'high', 'low', 'close', 'volume', 'amount', 'adjustflag', 'tradestatus'],
  optional: ['preclose', 'isst', 'turn', 'pettm', 'pbmrq', 'psttm', 'pcfncfttm', 'pctchg', 'time'],
};

interface BaostockRow {
  bar: RawBar;
  valuation: RawValuation;
}

export function createBaostockSource(dir: string, options: BaostockSourceOptions = {}): BaostockCsvSource {
  return new BaostockCsvSource(dir, options);
}

export class BaostockCsvSource implements DataSource {
  readonly name: string;
  private readonly batchSize: number;

  constructor(
    readonly dir: string,
    options: BaostockSourceOptions = {},
  ) {
    this.name = options.name ?? 'baostock';
    this.batchSize = options.batchSize ?? 50_000;
  }

  /**
   * baostock writes a row for every trading day a stock is listed, suspended days included, so the
   * union of the files' dates is the exchange calendar over their span. Derived, not published.
   */
  async calendar(): Promise<string[]> {
    const days = new Set<string>();
    for await (const batch of this.read()) for (const b of batch.bars) days.add(b.date);
    return [...days].sort();
  }

  async instruments(): Promise<InstrumentInfo[]> {
    return instrumentSpans(this.read());
  }

  async *read(options: ReadOptions = {}): AsyncGenerator<SourceBatch> {
    const { from, to } = dateBounds(options);
    const wanted = requestedCodes(options.codes);
    const codes = new CodeResolver();
    const files = await listFiles(this.dir, (n) => n.toLowerCase().endsWith('.csv'));
    for (const file of files) {
      // Files are named by their code: skip the ones not asked for without parsing them.
      const fileCode = codes.resolve(basename(file).replace(/\.csv$/i, ''));
      if (wanted && fileCode && !wanted.has(fileCode)) continue;
      const chunks = readCsvTable<BaostockRow>(file, this.name, BAOSTOCK_SPEC, this.batchSize, (cells, origin) => {
        const code = codes.resolve(cells('code')!);
        if (!code) return new RowError('CODE_UNKNOWN', `"${cells('code')}" is not an instrument code`);
        const date = parseDateText(cells('date')!);
        if (!date) return new RowError('CSV_BAD_DATE', `date "${cells('date')}" is not a calendar date`);
        if ((wanted && !wanted.has(code)) || date < from || date > to) return null;
        const adjust = cells('adjustflag')!.trim();
        if (adjust !== '3') {
          return new RowError('BAOSTOCK_ADJUSTED', `adjustflag "${adjust}": prices are not unadjusted (3); raw prices cannot be known`);
        }
        const prices = requiredNumbers(cells, ['open', 'high', 'low', 'close']);
        if (prices instanceof RowError) return prices;
        const nums: Record<string, number | null> = {};
        for (const c of ['volume', 'amount', 'preclose', 'turn', 'pettm', 'pbmrq', 'psttm', 'pcfncfttm']) {
          const v = optionalNumber(cells, c);
          if (v instanceof RowError) return v;
          nums[c] = v;
        }
        const isST = optionalFlag(cells, 'isst');
        if (isST instanceof RowError) return isST;
        const status = optionalFlag(cells, 'tradestatus');
        if (status instanceof RowError) return status;
        const [open, high, low, close] = prices;
        return {
          bar: {
            code,
            date,
            open: open!,
            high: high!,
            low: low!,
            close: close!,
            volume: nums['volume'] ?? null,
            amount: nums['amount'] ?? null,
            factor: null,
            preClose: nums['preclose'] ?? null,
            isST,
            traded: status,
            origin,
          },
          valuation: {
            code,
            date,
            peTTM: nums['pettm'] ?? null,
            pbMRQ: nums['pbmrq'] ?? null,
            psTTM: nums['psttm'] ?? null,
            pcfNcfTTM: nums['pcfncfttm'] ?? null,
            turnover: nums['turn'] ?? null,
            origin,
          },
        };
      });
      for await (const chunk of chunks) {
        yield {
          bars: chunk.items.map((r) => r.bar),
          valuations: chunk.items.map((r) => r.valuation),
          news: [],
          problems: chunk.problems,
        };
      }
    }
  }
}
