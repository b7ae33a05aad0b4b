import { createReadStream } from 'node:fs';
import type { CsvRecord } from './csv-record.parser';
import { CsvRecordParser } from './csv-record.parser';

/**
 * Reads a CSV file as a stream and yields its records in groups, so a file of any size is read in
 * bounded memory. Decoding is UTF-8 (the stream's decoder keeps multi-byte characters that straddle
 * chunks intact); a leading BOM is dropped.
 */
export async function* readCsvFile(path: string, highWaterMark = 1 << 20): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvRecordParser();
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark });
  for await (const chunk of stream as AsyncIterable<string>) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  const rest = parser.end();
  if (rest.length > 0) yield rest;
}
