import { open } from 'node:fs/promises';
import type { DataSource, InstrumentInfo, RawNewsItem, ReadOptions, RecordOrigin, SourceBatch, SourceProblem } from './data-source.port';
import type { CsvTableSpec, RowCells } from './csv-table.reader';
import { RowError, mapHeader, readCsvTable } from './csv-table.reader';
import { CsvRecordParser } from './csv-record.parser';
import { CodeResolver, dateBounds, listFiles, parseDateText, requestedCodes, stockCodeFromSymbol } from './source-values.util';

/**
 * Stock-tagged news CSVs, recognised by their header wherever they sit under the directory:
 * - CSMD (`csmd/<set>/news/<stock>/<date>.csv`): `code_name,ticker,created_at,text`, ticker `sh.601328`;
 * - wwwxmu test split (`test_data.csv`): `,日期,公司,代码,正负面,标题,正文`, dates like `2018年5月11日`;
 * - wwwxmu seed titles (`news_seed_extracted.csv`): `date_raw,date,company,code,label,title`, where
 *   `code` may list several comma-separated codes (one item is emitted per distinct code).
 * The wwwxmu files carry bare 6-digit stock codes; the exchange is inferred from the prefix (they are
 * all stocks), and codes that are funds or otherwise unknown become `CODE_UNKNOWN` problems. CSV files
 * with any other header (CSMD's `price/` bars, for instance) are not news and are ignored.
 * Only dates are known, so publishedAt is null unless a timestamp is given (read as UTC+8).
 */
export interface NewsSourceOptions {
  /** Name put in every record origin; default `news`. */
  name?: string;
  /** Items per batch; small files are grouped. Default 5,000. */
  batchSize?: number;
}

type Layout = 'csmd' | 'wwwxmu-test' | 'wwwxmu-seed';

const LAYOUTS: ReadonlyArray<{ layout: Layout; spec: CsvTableSpec }> = [
  { layout: 'csmd', spec: { required: ['ticker', 'created_at', 'text'], optional: ['code_name'] } },
  { layout: 'wwwxmu-test', spec: { required: ['日期', '代码', '正负面', '标题', '正文'], optional: ['公司'] } },
  { layout: 'wwwxmu-seed', spec: { required: ['date', 'code', 'label', 'title'], optional: ['date_raw', 'company'] } },
];

const CN_DATE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function createNewsSource(dir: string, options: NewsSourceOptions = {}): NewsCsvSource {
  return new NewsCsvSource(dir, options);
}

export class NewsCsvSource implements DataSource {
  readonly name: string;
  private readonly batchSize: number;

  constructor(
    readonly dir: string,
    options: NewsSourceOptions = {},
  ) {
    this.name = options.name ?? 'news';
    this.batchSize = options.batchSize ?? 5_000;
  }

  async calendar(): Promise<string[]> {
    return [];
  }

  /** Codes that have news, with the dates of their first and last item. */
  async instruments(): Promise<InstrumentInfo[]> {
    const spans = new Map<string, InstrumentInfo>();
    for await (const batch of this.read()) {
      for (const n of batch.news) {
        const s = spans.get(n.code);
        if (!s) spans.set(n.code, { code: n.code, firstDate: n.publishedDate, lastDate: n.publishedDate, name: null });
        else {
          if (n.publishedDate < s.firstDate) s.firstDate = n.publishedDate;
          if (n.publishedDate > s.lastDate) s.lastDate = n.publishedDate;
        }
      }
    }
    return [...spans.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
  }

  async *read(options: ReadOptions = {}): AsyncGenerator<SourceBatch> {
    const { from, to } = dateBounds(options);
    const wanted = requestedCodes(options.codes);
    const codes = new CodeResolver();
    const files = await listFiles(this.dir, (n) => n.toLowerCase().endsWith('.csv'));
    let news: RawNewsItem[] = [];
    let problems: SourceProblem[] = [];
    const wantedItem = (item: RawNewsItem): boolean =>
      item.publishedDate >= from && item.publishedDate <= to && (!wanted || wanted.has(item.code));
    for (const file of files) {
      const layout = await detectLayout(file);
      if (!layout) continue;
      const chunks = readCsvTable<RawNewsItem[]>(file, this.name, layout.spec, this.batchSize, (cells, origin) => {
        const items = parseRow(layout.layout, cells, origin, codes, (p) => problems.push(p));
        return items instanceof RowError ? items : items.filter(wantedItem);
      });
      for await (const chunk of chunks) {
        for (const items of chunk.items) news.push(...items);
        problems.push(...chunk.problems);
        if (news.length + problems.length >= this.batchSize) {
          yield { bars: [], valuations: [], news, problems };
          news = [];
          problems = [];
        }
      }
    }
    if (news.length > 0 || problems.length > 0) yield { bars: [], valuations: [], news, problems };
  }
}

function parseRow(
  layout: Layout,
  cells: RowCells,
  origin: RecordOrigin,
  codes: CodeResolver,
  onProblem: (p: SourceProblem) => void,
): RawNewsItem[] | RowError {
  if (layout === 'csmd') {
    const code = codes.resolve(cells('ticker')!);
    if (!code) return new RowError('CODE_UNKNOWN', `ticker "${cells('ticker')}" is not an instrument code`);
    const when = parseWhen(cells('created_at')!);
    if (!when) return new RowError('CSV_BAD_DATE', `created_at "${cells('created_at')}" is not a date`);
    const text = cells('text')!.trim();
    if (text === '') return new RowError('NEWS_EMPTY_TEXT', 'text is empty');
    return [{ code, publishedDate: when.date, publishedAt: when.at, title: null, text, origin }];
  }
  if (layout === 'wwwxmu-test') {
    const symbol = cells('代码')!.trim();
    const code = stockCodeFromSymbol(symbol);
    if (!code) return new RowError('CODE_UNKNOWN', `代码 "${symbol}" is not an A-share stock code`);
    const date = parseChineseDate(cells('日期')!);
    if (!date) return new RowError('CSV_BAD_DATE', `日期 "${cells('日期')}" is not a date`);
    const label = parseLabel(cells('正负面')!);
    if (label instanceof RowError) return label;
    const title = cells('标题')!.trim();
    const body = cells('正文')!.trim();
    if (title === '' && body === '') return new RowError('NEWS_EMPTY_TEXT', 'title and text are empty');
    return [{ code, publishedDate: date, publishedAt: null, title: title || null, text: body || title, label, origin }];
  }
  const date = parseDateText(cells('date')!) ?? parseChineseDate(cells('date_raw') ?? '');
  if (!date) return new RowError('CSV_BAD_DATE', `date "${cells('date')}" is not a date`);
  const label = parseLabel(cells('label')!);
  if (label instanceof RowError) return label;
  const title = cells('title')!.trim();
  if (title === '') return new RowError('NEWS_EMPTY_TEXT', 'title is empty');
  const symbols = [...new Set(cells('code')!.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (symbols.length === 0) return new RowError('CODE_UNKNOWN', 'no code');
  const items: RawNewsItem[] = [];
  for (const symbol of symbols) {
    const code = stockCodeFromSymbol(symbol);
    if (!code) {
      // One headline may name a stock and a fund: the stock's item is kept, the fund is reported.
      onProblem({ code: 'CODE_UNKNOWN', message: `code "${symbol}" is not an A-share stock code`, origin, raw: cells('code')! });
      continue;
    }
    items.push({ code, publishedDate: date, publishedAt: null, title, text: title, label, origin });
  }
  return items;
}

function parseLabel(text: string): number | RowError {
  const t = text.trim();
  if (t === '0' || t === '1') return Number(t);
  return new RowError('CSV_BAD_VALUE', `label "${text}" is not 0 or 1`);
}

function parseChineseDate(text: string): string | undefined {
  const m = CN_DATE.exec(text.trim());
  if (!m) return undefined;
  return parseDateText(`${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`);
}

/** A date, or a date and time read as China time (UTC+8), the datasets' own zone. */
function parseWhen(text: string): { date: string; at: number | null } | undefined {
  const t = text.trim();
  const date = parseDateText(t);
  if (date) return { date, at: null };
  const m = DATE_TIME.exec(t);
  if (!m || !parseDateText(m[1]!)) return undefined;
  const at = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}+08:00`);
  return Number.isNaN(at) ? undefined : { date: m[1]!, at };
}

/** The layout of a news file from its header line, or undefined when it is not a news file. */
async function detectLayout(path: string): Promise<{ layout: Layout; spec: CsvTableSpec } | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    const nl = head.indexOf('\n');
    const parser = new CsvRecordParser();
    const first = [...parser.push(nl === -1 ? head : head.slice(0, nl + 1)), ...parser.end()][0];
    if (!first) return undefined;
    return LAYOUTS.find((l) => typeof mapHeader(first.fields, l.spec) !== 'string');
  } finally {
    await fh.close();
  }
}
