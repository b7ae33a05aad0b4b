import { describe, expect, it } from 'vitest';
import { createSentimentCalculator, createSentimentLexicon, dailySentiment, loadSentimentLexicon, scoreText } from '../../src/families';

const LEXICON_DIR = new URL('../../../../../shared/data/lexicons/cn_finance', import.meta.url).pathname;

describe('lexicon scoring', () => {
  const lex = createSentimentLexicon(['利好', '增长', '大幅增长', '风险'], ['亏损', '风险']);

  it('counts by longest match and drops words listed on both sides', () => {
    // 大幅增长 is one hit (not also 增长); 风险 is on both lists, so ignored.
    expect(scoreText('公司利润大幅增长，但子公司亏损，风险可控', lex)).toEqual({ positive: 1, negative: 1, score: 0 });
    expect(scoreText('利好利好', lex).score).toBeCloseTo(2 / 3, 12);
    expect(scoreText('无关文本', lex).score).toBe(0);
  });

  it('loads the Chinese finance word lists at run time', () => {
    const real = loadSentimentLexicon(LEXICON_DIR);
    expect(real.positive.size).toBeGreaterThan(3000);
    expect(real.negative.size).toBeGreaterThan(5000);
    const s = scoreText('公司业绩大幅增长，盈利能力显著提升', real);
    expect(s.positive).toBeGreaterThan(0);
    expect(s.score).toBeGreaterThan(0);
    expect(() => loadSentimentLexicon('/nonexistent-dir')).toThrow(/nonexistent-dir/);
  });
});

describe('dailySentiment lag', () => {
  const calendar = ['2021-09-29', '2021-09-30', '2021-10-08', '2021-10-11', '2021-10-12'];

  it('uses an item from the first session strictly after its publication day', () => {
    const d = dailySentiment(
      [
        { publishedDate: '2021-09-30', score: 0.5 }, // a session: used on 10-08, not 09-30
        { publishedDate: '2021-10-03', score: -1 }, // a holiday: used on 10-08
        { publishedDate: '2021-10-09', score: 1 }, // a Saturday: used on 10-11
        { publishedDate: '2021-10-12', score: 1 }, // the last session: not usable yet
      ],
      calendar,
    );
    expect([...d.fields['sentiment.count']]).toEqual([0, 0, 2, 1, 0]);
    expect([...d.fields['sentiment.score']]).toEqual([NaN, NaN, -0.25, 1, NaN]);
  });

  it('an item published on day D never changes any value on day D or before', () => {
    const base = [{ publishedDate: '2021-09-29', score: 0.2 }];
    const calc = createSentimentCalculator();
    for (const D of calendar) {
      const without = dailySentiment(base, calendar);
      const withItem = dailySentiment([...base, { publishedDate: D, score: -0.9 }], calendar);
      const a = calc.batch({ code: 'SH600000', ...without });
      const b = calc.batch({ code: 'SH600000', ...withItem });
      const upTo = calendar.indexOf(D);
      for (let j = 0; j < a.length; j++) {
        for (let i = 0; i <= upTo; i++) expect(Object.is(a[j]![i], b[j]![i]), `column ${j} on ${calendar[i]} with an item of ${D}`).toBe(true);
      }
      if (upTo < calendar.length - 1) expect(b[3]![upTo + 1]).toBe(a[3]![upTo + 1]! + 1); // NEWS_COUNT the next session
    }
  });

  it('rejects a bad date with the date in the message', () => {
    expect(() => dailySentiment([{ publishedDate: '2021/10/09', score: 0 }], calendar)).toThrow(/2021\/10\/09/);
  });
});

describe('sentiment columns', () => {
  it('weights averages by item counts', () => {
    const calc = createSentimentCalculator();
    const input = {
      code: 'SH600000',
      dates: ['2021-01-04', '2021-01-05', '2021-01-06'],
      fields: { 'sentiment.score': Float64Array.from([0.5, NaN, -1]), 'sentiment.count': Float64Array.from([3, 0, 1]) },
    };
    const cols = calc.batch(input);
    const names = calc.definitions.map((d) => d.name);
    expect(cols[names.indexOf('SENT_MA5')]![2]).toBeCloseTo((1.5 - 1) / 4, 12);
    expect(cols[names.indexOf('SENT_MA5')]![1]).toBeCloseTo(0.5, 12);
    expect(cols[names.indexOf('NEWS_DAYS20')]![2]).toBeCloseTo(2 / 3, 12);
    expect(cols[names.indexOf('ATTN_SHOCK20')]![0]).toBe(0);
  });
});
