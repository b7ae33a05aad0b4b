import type { DailyBar, FundamentalSnapshot, NewsItem } from '@quant/contracts';
import type { RawNewsItem, RawValuation } from '@quant/data-sources';
import { newsItemId } from '@quant/data-sources';
import type { ValidBar } from '@quant/ingestion';
import type { StoredBar, StoredNewsItem, StoredValuation } from './market-data.repository';

/** Deterministic ids: a re-import or a redelivery of the same record carries the same id. */
export const barEventId = (source: string, code: string, date: string): string => `bar:${source}:${code}:${date}`;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Midnight of a calendar day in Asia/Shanghai, as epoch ms. */
export function shanghaiMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDate(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function toDailyBarEvent(bar: ValidBar, source: string, ingestedAt: number): DailyBar {
  const flags = [...bar.flags];
  if (bar.volume === null) flags.push('VOLUME_MISSING');
  return {
    eventId: barEventId(source, bar.code, bar.date),
    code: bar.code,
    date: bar.date,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    // Sources store shares as floats (Qlib float32); they are whole numbers, the schema says long.
    volume: bar.volume === null ? 0 : Math.round(bar.volume),
    amount: bar.amount,
    factor: bar.factor ?? 1,
    traded: bar.traded,
    source,
    ingestedAt,
    isST: bar.isST ?? null,
    flags,
  };
}

export function fromDailyBarEvent(e: DailyBar): StoredBar {
  return {
    code: e.code,
    date: e.date,
    open: e.open,
    high: e.high,
    low: e.low,
    close: e.close,
    volume: e.flags.includes('VOLUME_MISSING') ? null : e.volume,
    amount: e.amount,
    factor: e.factor,
    traded: e.traded,
    isST: e.isST,
    flags: e.flags,
    source: e.source,
    eventId: e.eventId,
    ingestedAt: e.ingestedAt,
  };
}

export function toFundamentalEvent(v: RawValuation, source: string, ingestedAt: number, isST: boolean | null): FundamentalSnapshot {
  return {
    eventId: `fund:${source}:${v.code}:${v.date}`,
    code: v.code,
    date: v.date,
    reportPeriod: null,
    announcedDate: null,
    specialTreatment: isST ?? false,
    industry: null,
    peTtm: v.peTTM,
    pb: v.pbMRQ,
    psTtm: v.psTTM,
    dividendYieldTtm: null,
    totalShares: null,
    floatShares: null,
    totalMarketCap: v.totalMarketValue ?? null,
    floatMarketCap: v.circulatingMarketValue ?? null,
    // Sources publish turnover in percent; contracts carry ratios as fractions.
    turnoverRate: v.turnover === null ? null : v.turnover / 100,
    roeTtm: null,
    epsTtm: null,
    bps: null,
    revenueYoy: null,
    netProfitYoy: null,
    extra: v.pcfNcfTTM === null ? {} : { pcfNcfTtm: v.pcfNcfTTM },
    source,
    ingestedAt,
  };
}

export function fromFundamentalEvent(e: FundamentalSnapshot): StoredValuation {
  return {
    code: e.code,
    date: e.date,
    peTTM: e.peTtm,
    pbMRQ: e.pb,
    psTTM: e.psTtm,
    pcfNcfTTM: e.extra['pcfNcfTtm'] ?? null,
    turnover: e.turnoverRate === null ? null : e.turnoverRate * 100,
    totalMarketValue: e.totalMarketCap,
    circulatingMarketValue: e.floatMarketCap,
    source: e.source,
    eventId: e.eventId,
    ingestedAt: e.ingestedAt,
  };
}

export function toNewsEvent(item: RawNewsItem, source: string, ingestedAt: number): NewsItem {
  const newsId = newsItemId(item);
  const sentiment = item.label === undefined || item.label === null ? null : item.label > 0 ? 1 : -1;
  return {
    eventId: `news:${source}:${newsId}`,
    newsId,
    source,
    url: null,
    title: item.title ?? item.text.slice(0, 60),
    summary: null,
    content: item.text,
    language: 'zh-CN',
    codes: [item.code],
    categories: [],
    sentiment,
    sentimentModel: sentiment === null ? null : 'dataset-label',
    // Only the day is known for most items: midnight Shanghai, and consumers lag it by a day.
    publishedAt: item.publishedAt ?? shanghaiMidnight(item.publishedDate),
    ingestedAt,
  };
}

export function fromNewsEvent(e: NewsItem): StoredNewsItem[] {
  return e.codes.map((code) => ({
    id: e.newsId,
    code,
    publishedDate: shanghaiDate(e.publishedAt),
    publishedAt: e.publishedAt,
    title: e.title,
    text: e.content ?? e.summary ?? e.title,
    label: e.sentimentModel === 'dataset-label' && e.sentiment !== null ? (e.sentiment > 0 ? 1 : 0) : null,
    source: e.source,
    ingestedAt: e.ingestedAt,
  }));
}
