import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuantError } from '@quant/errors';
import { TradingCalendar } from '@quant/market';

/**
 * Lexicon sentiment for Chinese financial text. Chinese has no spaces, so text is cut by longest
 * match over the lexicon's own words (at each position the longest listed word starting there is
 * taken, otherwise one character is skipped); listed positive and negative words are counted, and
 * score = (pos - neg) / (pos + neg + 1), in (-1, 1), 0 for text without a listed word (the +1 shrinks
 * items with few hits towards 0).
 */
export interface SentimentLexicon {
  positive: ReadonlySet<string>;
  negative: ReadonlySet<string>;
  /** Longest word, in UTF-16 code units. */
  maxLength: number;
}

/** Word lists read by default, relative to the lexicon directory (`../shared/data/lexicons/cn_finance`). */
export const DEFAULT_LEXICON_FILES = {
  positive: ['jiang2020_menglingchao/positive.txt', 'yao2021_dictionaries2020/formal_positive.txt'],
  negative: ['jiang2020_menglingchao/negative.txt', 'yao2021_dictionaries2020/formal_negative.txt'],
} as const;

/** Builds a lexicon from word lists; a word on both lists is ambiguous and dropped from both. */
export function createSentimentLexicon(positive: Iterable<string>, negative: Iterable<string>): SentimentLexicon {
  const pos = new Set([...positive].map((w) => w.trim()).filter((w) => w.length > 0));
  const neg = new Set([...negative].map((w) => w.trim()).filter((w) => w.length > 0));
  for (const w of [...pos]) {
    if (neg.has(w)) {
      pos.delete(w);
      neg.delete(w);
    }
  }
  let maxLength = 0;
  for (const w of [...pos, ...neg]) maxLength = Math.max(maxLength, w.length);
  return { positive: pos, negative: neg, maxLength };
}

/** Reads the word lists (one word a line, UTF-8) under `dir`, at run time. */
export function loadSentimentLexicon(
  dir: string,
  files: { positive: readonly string[]; negative: readonly string[] } = DEFAULT_LEXICON_FILES,
): SentimentLexicon {
  const read = (rel: string): string[] => {
    const path = join(dir, rel);
    try {
      return readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    } catch (cause) {
      throw new QuantError('LEXICON_UNREADABLE', `cannot read the sentiment word list ${path}`, { cause, details: { path } });
    }
  };
  return createSentimentLexicon(files.positive.flatMap(read), files.negative.flatMap(read));
}

export interface TextSentiment {
  positive: number;
  negative: number;
  score: number;
}

export function scoreText(text: string, lexicon: SentimentLexicon): TextSentiment {
  let positive = 0;
  let negative = 0;
  let i = 0;
  while (i < text.length) {
    let matched = 0;
    for (let len = Math.min(lexicon.maxLength, text.length - i); len >= 1; len--) {
      const w = text.slice(i, i + len);
      if (lexicon.positive.has(w)) {
        positive++;
        matched = len;
        break;
      }
      if (lexicon.negative.has(w)) {
        negative++;
        matched = len;
        break;
      }
    }
    i += matched || 1;
  }
  return { positive, negative, score: (positive - negative) / (positive + negative + 1) };
}

/** A scored news item of one stock; only its calendar publication date is known (no time of day). */
export interface SentimentItem {
  publishedDate: string;
  score: number;
}

export function scoreNews(items: readonly { publishedDate: string; text: string }[], lexicon: SentimentLexicon): SentimentItem[] {
  return items.map((it) => ({ publishedDate: it.publishedDate, score: scoreText(it.text, lexicon).score }));
}

/**
 * Daily inputs `sentiment.score` (mean item score, NaN on a session without news) and
 * `sentiment.count` (items) of one stock on the sessions of `calendar`. Each item counts from the
 * first session strictly after its publication day: without a time of day, an item dated D may have
 * appeared after D's close, so it is never used on D. Items after the calendar's last session are
 * left out (not usable yet).
 */
export function dailySentiment(
  items: readonly SentimentItem[],
  calendar: TradingCalendar | readonly string[],
): { dates: string[]; fields: { 'sentiment.score': Float64Array; 'sentiment.count': Float64Array } } {
  const days = [...(calendar instanceof TradingCalendar ? calendar.all() : new TradingCalendar(calendar).all())];
  const sum = new Float64Array(days.length);
  const count = new Float64Array(days.length);
  for (const it of items) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(it.publishedDate)) {
      throw new QuantError('NEWS_DATE_INVALID', `news item date "${it.publishedDate}" is not YYYY-MM-DD`, { details: { date: it.publishedDate } });
    }
    if (!Number.isFinite(it.score)) {
      throw new QuantError('NEWS_SCORE_INVALID', `news item of ${it.publishedDate} has score ${it.score}`, { details: { date: it.publishedDate } });
    }
    // First session strictly after the publication day (upper bound).
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid]! <= it.publishedDate) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= days.length) continue;
    sum[lo] = sum[lo]! + it.score;
    count[lo] = count[lo]! + 1;
  }
  const score = Float64Array.from(sum, (s, i) => (count[i]! > 0 ? s / count[i]! : NaN));
  return { dates: days, fields: { 'sentiment.score': score, 'sentiment.count': count } };
}
