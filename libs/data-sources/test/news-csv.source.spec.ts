import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceBatch } from '../src/data-source.port';
import { createNewsSource } from '../src/news-csv.source';
import { newsItemId } from '../src/news-item-id.util';

const NEWS_DIR = fileURLToPath(new URL('../../../../shared/data/cn/news', import.meta.url));

async function collect(it: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('news CSV source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'news-src-'));
    const csmd = join(dir, 'csmd', 'CSMD50', 'news', '贵州茅台');
    await mkdir(csmd, { recursive: true });
    await mkdir(join(dir, 'csmd', 'CSMD50', 'price'), { recursive: true });
    await mkdir(join(dir, 'labeled'), { recursive: true });
    await writeFile(
      join(csmd, '2021-01-02.csv'),
      '\uFEFFcode_name,ticker,created_at,text\n贵州茅台,sh.600519,2021-01-02,"茅台提价，或影响股价。"\n贵州茅台,sh.600519,2021-01-02,"茅台提价，或影响股价。"\n贵州茅台,xx.1,2021-01-02,坏代码\n贵州茅台,sh.600519,2021-01-03 09:30,有时间\n',
    );
    await writeFile(join(dir, 'csmd', 'CSMD50', 'price', '贵州茅台.csv'), 'Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,1,1,1,1,1,1\n');
    await writeFile(
      join(dir, 'labeled', 'test_data.csv'),
      ',日期,公司,代码,正负面,标题,正文\n1,2018年5月11日,京天利,300399,0,京天利股东拟减持,"正文, 含逗号"\n2,2018年5月14日,人工智能,161631,1,基金,基金\n',
    );
    await writeFile(
      join(dir, 'labeled', 'news_seed_extracted.csv'),
      'date_raw,date,company,code,label,title\n2018年5月30日,2018-05-30,"小商品城,诚志股份","600415,000990",1,诚志股份、小商品城发起设立保险公司\n2018年4月9日,2018-04-09,"能源行业,兴业矿业","510610,000426",1,兴业矿业\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the three layouts by header, keeps identical items, ignores non-news CSVs', async () => {
    const batches = await collect(createNewsSource(dir).read());
    const news = batches.flatMap((b) => b.news);
    const problems = batches.flatMap((b) => b.problems);
    expect(news.map((n) => [n.code, n.publishedDate, n.label ?? null, n.title])).toEqual([
      ['SH600519', '2021-01-02', null, null],
      ['SH600519', '2021-01-02', null, null],
      ['SH600519', '2021-01-03', null, null],
      ['SH600415', '2018-05-30', 1, '诚志股份、小商品城发起设立保险公司'],
      ['SZ000990', '2018-05-30', 1, '诚志股份、小商品城发起设立保险公司'],
      ['SZ000426', '2018-04-09', 1, '兴业矿业'],
      ['SZ300399', '2018-05-11', 0, '京天利股东拟减持'],
    ]);
    expect(news[0]!.text).toBe('茅台提价，或影响股价。');
    expect(news[0]!.publishedAt).toBeNull();
    expect(news[2]!.publishedAt).toBe(Date.parse('2021-01-03T01:30:00Z'));
    expect(news[6]!.text).toBe('正文, 含逗号');
    expect(problems.map((p) => [p.code, p.origin.location.split('/').pop(), p.origin.line])).toEqual([
      ['CODE_UNKNOWN', '2021-01-02.csv', 4],
      ['CODE_UNKNOWN', 'news_seed_extracted.csv', 3],
      ['CODE_UNKNOWN', 'test_data.csv', 3],
    ]);
    expect(newsItemId(news[0]!)).toBe(newsItemId(news[1]!));
    expect(newsItemId(news[0]!)).not.toBe(newsItemId(news[2]!));
    expect(newsItemId(news[0]!)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('filters by code and date', async () => {
    const news = (await collect(createNewsSource(dir).read({ codes: ['600519.SH'], to: '2021-01-02' }))).flatMap((b) => b.news);
    expect(news).toHaveLength(2);
    const small = await collect(createNewsSource(dir, { batchSize: 2 }).read());
    expect(small.length).toBeGreaterThan(2);
    expect(small.flatMap((b) => b.news)).toHaveLength(7);
  });

  it.skipIf(!existsSync(NEWS_DIR))('reads the real news folder', async () => {
    const batches = await collect(createNewsSource(NEWS_DIR).read());
    const news = batches.flatMap((b) => b.news);
    const problems = batches.flatMap((b) => b.problems);
    const byFile = (f: string) => news.filter((n) => n.origin.location.endsWith(f)).length;
    // 2,400 test rows less 3 fund codes; 7,046 seed rows naming 7,118 distinct (row, code) pairs less 7 funds.
    expect(byFile('test_data.csv')).toBe(2397);
    expect(byFile('news_seed_extracted.csv')).toBe(7111);
    expect(problems.every((p) => p.code === 'CODE_UNKNOWN')).toBe(true);
    expect(problems).toHaveLength(10);
    expect(news.filter((n) => n.origin.location.includes('/csmd/')).length).toBeGreaterThan(5000);
  });
});
