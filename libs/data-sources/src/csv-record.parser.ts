/**
 * Streaming RFC 4180 CSV parser that keeps, for every record, its 1-based starting line and raw text:
 * a rejected row must be reported with where it was and what it said. Lines without a quote take a
 * fast path (plain split); quoted fields may contain commas, doubled quotes and line breaks.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
  /** The record's text as written (without its line terminator). */
  raw: string;
  /** Set when the quoting is broken (text after a closing quote, or a quote never closed). */
  malformed?: string;
}

export class CsvRecordParser {
  private buf = '';
  private line = 1;
  private first = true;

  /** Feeds a chunk of text and returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    if (this.first && chunk.length > 0) {
      // A UTF-8 BOM (common in files saved by Excel) is not part of the first header name.
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      this.first = false;
    }
    this.buf += chunk;
    return this.drain(false);
  }

  /** Signals the end of input and returns the last records. */
  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const buf = this.buf;
    let pos = 0;
    // Position of the next quote at or after pos, searched again only once pos passes it, so a
    // single quote late in a big buffer does not make every line rescan up to it.
    let quote = buf.indexOf('"');
    while (pos < buf.length) {
      const nl = buf.indexOf('\n', pos);
      if (nl === -1 && !final) break;
      const lineEnd = nl === -1 ? buf.length : nl;
      if (quote !== -1 && quote < pos) quote = buf.indexOf('"', pos);
      if (quote === -1 || quote >= lineEnd) {
        let text = buf.slice(pos, lineEnd);
        if (text.endsWith('\r')) text = text.slice(0, -1);
        if (text.length > 0) out.push({ fields: text.split(','), line: this.line, raw: text });
        this.line += 1;
        pos = lineEnd + 1;
        continue;
      }
      const rec = parseQuotedRecord(buf, pos, final);
      if (!rec) break;
      const record: CsvRecord = { fields: rec.fields, line: this.line, raw: rec.raw };
      if (rec.malformed) record.malformed = rec.malformed;
      out.push(record);
      this.line += rec.lineBreaks + 1;
      pos = rec.next;
    }
    this.buf = pos >= buf.length ? '' : buf.slice(pos);
    return out;
  }
}

interface QuotedResult {
  fields: string[];
  raw: string;
  next: number;
  lineBreaks: number;
  malformed?: string;
}

/** Parses one record starting at `start`; null when the buffer ends inside it and more input may come. */
function parseQuotedRecord(buf: string, start: number, final: boolean): QuotedResult | null {
  const fields: string[] = [];
  let field = '';
  let i = start;
  let lineBreaks = 0;
  let malformed: string | undefined;
  let inQuotes = false;
  let quotedField = false;
  const n = buf.length;
  for (;;) {
    if (i >= n) {
      if (!final) return null;
      if (inQuotes) malformed ??= 'quoted field never closed';
      fields.push(field);
      return finish(buf, start, n, n, fields, lineBreaks, malformed);
    }
    const ch = buf[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (buf[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        if (i + 1 >= n && !final) return null; // cannot tell yet whether a doubled quote follows
        inQuotes = false;
        i += 1;
        continue;
      }
      if (ch === '\n') lineBreaks += 1;
      field += ch;
      i += 1;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
      i += 1;
      continue;
    }
    if (ch === '\n' || (ch === '\r' && buf[i + 1] === '\n')) {
      fields.push(field);
      const end = i;
      const next = ch === '\r' ? i + 2 : i + 1;
      return finish(buf, start, end, next, fields, lineBreaks, malformed);
    }
    if (ch === '"' && field.length === 0 && !quotedField) {
      inQuotes = true;
      quotedField = true;
      i += 1;
      continue;
    }
    if (quotedField) malformed ??= `text after a closing quote at column ${fields.length + 1}`;
    // RFC 4180 forbids a bare quote inside an unquoted field; keep it literally and let the
    // caller decide (the value usually fails its own check with a clearer message).
    field += ch;
    i += 1;
  }
}

function finish(
  buf: string,
  start: number,
  end: number,
  next: number,
  fields: string[],
  lineBreaks: number,
  malformed: string | undefined,
): QuotedResult {
  let raw = buf.slice(start, end);
  if (raw.endsWith('\r')) raw = raw.slice(0, -1);
  const r: QuotedResult = { fields, raw, next, lineBreaks };
  if (malformed) r.malformed = malformed;
  return r;
}
