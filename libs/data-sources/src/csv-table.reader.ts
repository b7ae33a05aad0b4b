import type { RecordOrigin, SourceProblem } from './data-source.port';
import { readCsvFile } from './csv-file.reader';
import type { CsvRecord } from './csv-record.parser';

/** Columns a CSV layout needs and may have; names are matched case-insensitively after trimming. */
export interface CsvTableSpec {
  required: readonly string[];
  optional?: readonly string[];
  /** Other spellings of a column name, e.g. `{ pre_close: 'preclose' }`. */
  aliases?: Readonly<Record<string, string>>;
}

/** Why a row was not read: becomes a SourceProblem with the row's origin and raw text. */
export class RowError {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

/** Cell access for one row by column name; undefined for an optional column the file lacks. */
export type RowCells = (column: string) => string | undefined;

export interface TableChunk<T> {
  items: T[];
  problems: SourceProblem[];
}

/** Maps header names to positions, or explains what is wrong with the header. */
export function mapHeader(fields: readonly string[], spec: CsvTableSpec): Map<string, number> | string {
  const known = new Set([...spec.required, ...(spec.optional ?? [])]);
  const index = new Map<string, number>();
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!.trim().toLowerCase();
    const column = spec.aliases?.[name] ?? name;
    if (!known.has(column)) continue; // extra columns are allowed and ignored
    if (index.has(column)) return `column "${column}" appears twice`;
    index.set(column, i);
  }
  const missing = spec.required.filter((c) => !index.has(c));
  if (missing.length > 0) return `missing column(s) ${missing.join(', ')} (header: ${fields.join(',')})`;
  return index;
}

/**
 * Reads a CSV file with a header row and turns each data row into an item with `parse`, in chunks of
 * at most `chunkSize` items. Rows with the wrong number of fields, broken quoting or a RowError from
 * `parse` become problems carrying file, line and raw text; a bad header is one problem for the file.
 */
export async function* readCsvTable<T>(
  path: string,
  source: string,
  spec: CsvTableSpec,
  chunkSize: number,
  parse: (cells: RowCells, origin: RecordOrigin, record: CsvRecord) => T | RowError | null,
): AsyncGenerator<TableChunk<T>> {
  let header: Map<string, number> | undefined;
  let width = 0;
  let items: T[] = [];
  let problems: SourceProblem[] = [];
  const problem = (code: string, message: string, rec: CsvRecord): void => {
    problems.push({ code, message, origin: { source, location: path, line: rec.line }, raw: rec.raw });
  };
  let sawAny = false;
  for await (const records of readCsvFile(path)) {
    for (const rec of records) {
      sawAny = true;
      if (!header) {
        const mapped = mapHeader(rec.fields, spec);
        if (typeof mapped === 'string') {
          problem('CSV_HEADER_INVALID', `${mapped}; file not read`, rec);
          yield { items: [], problems };
          return;
        }
        header = mapped;
        width = rec.fields.length;
        continue;
      }
      if (rec.malformed) {
        problem('CSV_BAD_QUOTE', `broken quoting: ${rec.malformed}`, rec);
        continue;
      }
      if (rec.fields.length !== width) {
        problem('CSV_COLUMN_COUNT', `${rec.fields.length} field(s), header has ${width}`, rec);
        continue;
      }
      const fields = rec.fields;
      const cols = header;
      const cells: RowCells = (column) => {
        const i = cols.get(column);
        return i === undefined ? undefined : fields[i];
      };
      const out = parse(cells, { source, location: path, line: rec.line }, rec);
      if (out instanceof RowError) problem(out.code, out.message, rec);
      else if (out !== null) items.push(out);
      if (items.length >= chunkSize) {
        yield { items, problems };
        items = [];
        problems = [];
      }
    }
  }
  if (!sawAny) problems.push({ code: 'CSV_HEADER_INVALID', message: 'empty file: no header; file not read', origin: { source, location: path, line: 1 } });
  if (items.length > 0 || problems.length > 0) yield { items, problems };
}
