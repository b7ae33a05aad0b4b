import { open, readdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { QuantError } from '@quant/errors';
import { assertIsoDate } from '@quant/market';
import type {
  DataSource,
  InstrumentInfo,
  RawBar,
  ReadOptions,
  RecordOrigin,
  SourceBatch,
  SourceProblem,
  UniverseSpell,
} from './data-source.port';
import { mapLimit, readAhead } from './read-ahead.util';
import { CodeResolver, assertDirectory, dateBounds, requestedCodes } from './source-values.util';

/**
 * Qlib's binary layout (https://qlib.readthedocs.io "Converting CSV Format into Qlib Format"):
 * `calendars/day.txt`, `instruments/<universe>.txt` and `features/<code>/<field>.day.bin`, each bin a
 * little-endian float32 array whose element 0 is the calendar index of the first row.
 *
 * Prices in the bins are back-adjusted (raw x factor); this adapter emits raw prices (field / factor)
 * with the factor, and volume as stored. What it does with rows that are not bars:
 * - close NaN strictly inside the instrument's span of finite closes: `BIN_NAN_CLOSE` problem (a hole
 *   in the series somebody should know about); NaN closes before the first or after the last finite
 *   close are padding, not records, and are skipped without a problem;
 * - factor absent, non-finite or <= 0: `BIN_BAD_FACTOR` (no raw price can be derived);
 * - open/high/low absent or NaN while the close is there: `BIN_VALUE_MISSING`;
 * - volume NaN or absent: the bar is emitted with volume null (ingestion marks it not traded).
 * A required field file that is missing or unusable (no header, start outside the calendar) makes the
 * whole instrument unreadable: one problem, no bars. A truncated file keeps its complete values.
 */
export interface QlibSourceOptions {
  /** Name put in every record origin; default `qlib`. */
  name?: string;
  /** Instruments loaded ahead of the consumer (parallel file reads); default 8. */
  readAhead?: number;
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;
const REQUIRED_FIELDS = [...PRICE_FIELDS, 'factor', 'volume'] as const;
type QlibField = (typeof REQUIRED_FIELDS)[number];

const LITTLE_ENDIAN = endianness() === 'LE';
const UNIVERSE_NAME = /^[A-Za-z0-9_.-]+$/;

interface FieldSeries {
  path: string;
  /** Calendar index of the first value. */
  start: number;
  /** Element 0 is the header; values are at 1..count. */
  data: Float32Array;
  count: number;
}

interface InstrumentDir {
  dirName: string;
  code: string;
}

export function createQlibSource(dir: string, options: QlibSourceOptions = {}): QlibBinarySource {
  return new QlibBinarySource(dir, options);
}

export class QlibBinarySource implements DataSource {
  readonly name: string;
  private readonly readAheadCount: number;
  private calendarPromise: Promise<string[]> | undefined;

  constructor(
    readonly dir: string,
    options: QlibSourceOptions = {},
  ) {
    this.name = options.name ?? 'qlib';
    this.readAheadCount = options.readAhead ?? 8;
  }

  async calendar(): Promise<string[]> {
    return [...(await this.loadCalendar())];
  }

  async instruments(): Promise<InstrumentInfo[]> {
    const calendar = await this.loadCalendar();
    const dirs = (await this.instrumentDirs()).known;
    const infos = await mapLimit(dirs, 64, async ({ dirName, code }) => {
      const span = await closeSpan(join(this.dir, 'features', dirName, 'close.day.bin'));
      if (!span || span.start + span.count > calendar.length || span.count === 0) return undefined;
      return { code, firstDate: calendar[span.start]!, lastDate: calendar[span.start + span.count - 1]!, name: null };
    });
    return infos.filter((i): i is NonNullable<typeof i> => i !== undefined);
  }

  /**
   * Membership spells of `instruments/<name>.txt`. A line with a code that is not an instrument code
   * (csi300.txt has `SHT00018`, an old placeholder) is skipped and reported to `onProblem`; a line that
   * is not three tab-separated fields with valid dates means the file is not what it claims and throws.
   */
  async universe(name: string, onProblem?: (problem: SourceProblem) => void): Promise<UniverseSpell[]> {
    if (!UNIVERSE_NAME.test(name)) {
      throw new QuantError('UNIVERSE_NAME_INVALID', `universe name "${name}" may only hold letters, digits, '.', '_' and '-'`);
    }
    const path = join(this.dir, 'instruments', `${name}.txt`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      let known: string[] = [];
      try {
        known = (await readdir(join(this.dir, 'instruments'))).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4));
      } catch {
        known = [];
      }
      throw new QuantError('UNIVERSE_UNKNOWN', `no universe "${name}" in ${join(this.dir, 'instruments')} (found: ${known.join(', ') || 'none'})`, {
        cause,
        details: { universe: name, path },
      });
    }
    const codes = new CodeResolver();
    const spells: UniverseSpell[] = [];
    stripBom(text)
      .split('\n')
      .forEach((rawLine, i) => {
        const line = rawLine.replace(/\r$/, '');
        if (line.trim() === '') return;
        const parts = line.split('\t');
        const start = parts[1]?.trim() ?? '';
        const end = parts[2]?.trim() ?? '';
        if (parts.length !== 3 || !isIsoDate(start) || !isIsoDate(end) || start > end) {
          throw new QuantError('UNIVERSE_LINE_INVALID', `${path}:${i + 1}: expected CODE<TAB>start<TAB>end with start <= end, got "${line}"`, {
            details: { path, line: i + 1 },
          });
        }
        const code = codes.resolve(parts[0]!);
        if (!code) {
          onProblem?.({
            code: 'CODE_UNKNOWN',
            message: `"${parts[0]}" is not an instrument code; membership line skipped`,
            origin: { source: this.name, location: path, line: i + 1 },
            raw: line,
          });
          return;
        }
        spells.push({ code, start, end });
      });
    return spells;
  }

  async *read(options: ReadOptions = {}): AsyncGenerator<SourceBatch> {
    const calendar = await this.loadCalendar();
    const { from, to } = dateBounds(options);
    const lo = lowerBound(calendar, from);
    const hi = upperBound(calendar, to); // exclusive
    const wanted = requestedCodes(options.codes);
    const { known, unknown } = await this.instrumentDirs();
    const featuresDir = join(this.dir, 'features');

    const lead: SourceProblem[] = [];
    if (!wanted) {
      for (const dirName of unknown) {
        lead.push({
          code: 'CODE_UNKNOWN',
          message: `feature folder "${dirName}" is not an instrument code; skipped`,
          origin: { source: this.name, location: join(featuresDir, dirName) },
        });
      }
    }
    const selected = wanted ? known.filter((d) => wanted.has(d.code)) : known;
    if (wanted) {
      const found = new Set(selected.map((d) => d.code));
      for (const code of wanted) {
        if (!found.has(code)) {
          lead.push({ code: 'INSTRUMENT_NOT_FOUND', message: `no feature folder for ${code}`, origin: { source: this.name, location: featuresDir } });
        }
      }
    }
    if (lead.length > 0) yield { bars: [], valuations: [], news: [], problems: lead };

    const tasks = selected.map((d) => () => this.readInstrument(d, calendar, lo, hi));
    yield* readAhead(tasks, this.readAheadCount);
  }

  private async readInstrument(d: InstrumentDir, calendar: readonly string[], lo: number, hi: number): Promise<SourceBatch> {
    const problems: SourceProblem[] = [];
    const bars: RawBar[] = [];
    const batch: SourceBatch = { bars, valuations: [], news: [], problems };
    const base = join(this.dir, 'features', d.dirName);
    const loaded = await Promise.all(REQUIRED_FIELDS.map((f) => this.loadField(join(base, `${f}.day.bin`), d.code, calendar.length, problems)));
    const series = {} as Record<QlibField, FieldSeries>;
    const unusable: string[] = [];
    REQUIRED_FIELDS.forEach((f, i) => {
      const s = loaded[i];
      if (s) series[f] = s;
      else unusable.push(f);
    });
    if (unusable.length > 0) {
      problems.push({
        code: 'INSTRUMENT_UNREADABLE',
        message: `${d.code}: no bars read, field(s) ${unusable.join(', ')} missing or unusable`,
        origin: { source: this.name, location: base },
      });
      return batch;
    }

    const close = series.close;
    const cdata = close.data;
    // Span of finite closes: NaN outside it is padding, inside it a hole worth reporting.
    let firstFinite = -1;
    let lastFinite = -1;
    for (let i = 1; i <= close.count; i++) {
      if (!Number.isNaN(cdata[i]!)) {
        if (firstFinite < 0) firstFinite = i;
        lastFinite = i;
      }
    }
    const iFrom = Math.max(1, lo - close.start + 1);
    const iTo = Math.min(close.count, hi - close.start); // inclusive
    const { open: o, high: h, low: l, factor: f, volume: v } = series;
    for (let i = iFrom; i <= iTo; i++) {
      const calIdx = close.start + i - 1;
      const date = calendar[calIdx]!;
      const c = cdata[i]!;
      const origin: RecordOrigin = { source: this.name, location: close.path, offset: i * 4 };
      if (Number.isNaN(c)) {
        if (i > firstFinite && i < lastFinite) {
          problems.push({ code: 'BIN_NAN_CLOSE', message: `${d.code} ${date}: close is NaN inside the series`, origin });
        }
        continue;
      }
      const factor = valueAt(f, calIdx);
      if (factor === undefined || !Number.isFinite(factor) || factor <= 0) {
        problems.push({
          code: 'BIN_BAD_FACTOR',
          message: `${d.code} ${date}: factor ${factor === undefined ? 'absent' : String(factor)}; raw prices cannot be derived`,
          origin: valueOrigin(this.name, f, calIdx) ?? origin,
        });
        continue;
      }
      const op = valueAt(o, calIdx);
      const hp = valueAt(h, calIdx);
      const lp = valueAt(l, calIdx);
      if (op === undefined || hp === undefined || lp === undefined || Number.isNaN(op) || Number.isNaN(hp) || Number.isNaN(lp)) {
        const missing = ([['open', o, op], ['high', h, hp], ['low', l, lp]] as const).find(([, , x]) => x === undefined || Number.isNaN(x))!;
        problems.push({
          code: 'BIN_VALUE_MISSING',
          message: `${d.code} ${date}: ${missing[0]} is ${missing[2] === undefined ? 'absent' : 'NaN'} while close is ${c}`,
          origin: valueOrigin(this.name, missing[1], calIdx) ?? origin,
        });
        continue;
      }
      const vol = valueAt(v, calIdx);
      bars.push({
        code: d.code,
        date,
        open: op / factor,
        high: hp / factor,
        low: lp / factor,
        close: c / factor,
        volume: vol === undefined || Number.isNaN(vol) ? null : vol,
        amount: null,
        factor,
        origin,
      });
    }
    return batch;
  }

  /** Reads one field file; any defect becomes a problem, and undefined when nothing usable is left. */
  private async loadField(path: string, code: string, calendarLength: number, problems: SourceProblem[]): Promise<FieldSeries | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (cause) {
      const enoent = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      problems.push({
        code: enoent ? 'BIN_FIELD_MISSING' : 'BIN_READ_FAILED',
        message: enoent ? `${code}: field file missing` : `${code}: cannot read field file: ${(cause as Error).message}`,
        origin: { source: this.name, location: path },
      });
      return undefined;
    }
    const usableBytes = buf.length - (buf.length % 4);
    if (buf.length % 4 !== 0) {
      problems.push({
        code: 'BIN_TRUNCATED',
        message: `${code}: ${buf.length} bytes is not a whole number of float32 values; the last ${buf.length % 4} byte(s) are ignored`,
        origin: { source: this.name, location: path, offset: usableBytes },
      });
    }
    if (usableBytes < 4) {
      problems.push({ code: 'BIN_TRUNCATED', message: `${code}: no header (file has ${buf.length} bytes)`, origin: { source: this.name, location: path, offset: 0 } });
      return undefined;
    }
    const data = toFloat32(buf, usableBytes);
    const start = data[0]!;
    if (!Number.isInteger(start) || start < 0 || start >= calendarLength) {
      problems.push({
        code: 'BIN_START_OUT_OF_RANGE',
        message: `${code}: start index ${start} is not a position in the calendar (0..${calendarLength - 1})`,
        origin: { source: this.name, location: path, offset: 0 },
        raw: String(start),
      });
      return undefined;
    }
    let count = data.length - 1;
    if (start + count > calendarLength) {
      const beyond = start + count - calendarLength;
      problems.push({
        code: 'BIN_BEYOND_CALENDAR',
        message: `${code}: ${beyond} value(s) lie after the last calendar day and are ignored`,
        origin: { source: this.name, location: path, offset: (calendarLength - start + 1) * 4 },
      });
      count = calendarLength - start;
    }
    return { path, start, data, count };
  }

  private loadCalendar(): Promise<string[]> {
    this.calendarPromise ??= (async () => {
      await assertDirectory(this.dir);
      const path = join(this.dir, 'calendars', 'day.txt');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (cause) {
        throw new QuantError('QLIB_CALENDAR_MISSING', `Qlib calendar not found: ${path}`, { cause, details: { path } });
      }
      const days: string[] = [];
      stripBom(text)
        .split('\n')
        .forEach((raw, i) => {
          const line = raw.trim();
          if (line === '') return;
          // Qlib writes plain dates; some converters write "YYYY-MM-DD 00:00:00".
          const day = line.slice(0, 10);
          if (!isIsoDate(day) || (line.length > 10 && !/^ 00:00:00$/.test(line.slice(10)))) {
            throw new QuantError('QLIB_CALENDAR_INVALID', `${path}:${i + 1}: "${line}" is not a date`, { details: { path, line: i + 1 } });
          }
          const prev = days[days.length - 1];
          if (prev !== undefined && day <= prev) {
            throw new QuantError('QLIB_CALENDAR_INVALID', `${path}:${i + 1}: ${day} does not come after ${prev}`, { details: { path, line: i + 1 } });
          }
          days.push(day);
        });
      return days;
    })();
    // A failed load is not cached: the caller may fix the directory and ask again.
    this.calendarPromise.catch(() => {
      this.calendarPromise = undefined;
    });
    return this.calendarPromise;
  }

  private async instrumentDirs(): Promise<{ known: InstrumentDir[]; unknown: string[] }> {
    const featuresDir = join(this.dir, 'features');
    let entries;
    try {
      entries = await readdir(featuresDir, { withFileTypes: true });
    } catch (cause) {
      throw new QuantError('QLIB_FEATURES_MISSING', `Qlib features folder not found: ${featuresDir}`, { cause, details: { path: featuresDir } });
    }
    const codes = new CodeResolver();
    const known: InstrumentDir[] = [];
    const unknown: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const code = codes.resolve(e.name);
      if (code) known.push({ dirName: e.name, code });
      else unknown.push(e.name);
    }
    known.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    return { known, unknown: unknown.sort() };
  }
}

function valueAt(s: FieldSeries, calIdx: number): number | undefined {
  const j = calIdx - s.start;
  return j < 0 || j >= s.count ? undefined : s.data[j + 1];
}

function valueOrigin(source: string, s: FieldSeries, calIdx: number): RecordOrigin | undefined {
  const j = calIdx - s.start;
  return j < 0 || j >= s.count ? undefined : { source, location: s.path, offset: (j + 1) * 4 };
}

/** A float32 view of the bytes: zero-copy when aligned and little-endian, a copy otherwise (exported for tests). */
export function toFloat32(buf: Buffer, bytes: number): Float32Array {
  if (LITTLE_ENDIAN) {
    if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, bytes / 4);
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytes));
  }
  const out = new Float32Array(bytes / 4);
  const view = new DataView(buf.buffer, buf.byteOffset, bytes);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Start index and value count of a close file from its header and size, without reading it all. */
async function closeSpan(path: string): Promise<{ start: number; count: number } | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await fh.stat();
    if (size < 4) return undefined;
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    const start = head.readFloatLE(0);
    if (!Number.isInteger(start) || start < 0) return undefined;
    return { start, count: Math.floor(size / 4) - 1 };
  } finally {
    await fh.close();
  }
}

function isIsoDate(s: string): boolean {
  try {
    assertIsoDate(s);
    return true;
  } catch {
    return false;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lowerBound(days: readonly string[], d: string): number {
  let a = 0;
  let b = days.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (days[m]! < d) a = m + 1;
    else b = m;
  }
  return a;
}

function upperBound(days: readonly string[], d: string): number {
  let a = 0;
  let b = days.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (days[m]! <= d) a = m + 1;
    else b = m;
  }
  return a;
}
