import type { FeatureDefinition } from '../feature.port';
import type { CodedFeatureCalculator } from './step-calculator';
import { StepState, stepCalculator } from './step-calculator';
import { ratio, wcount, wmean, wsum } from './window.util';

/**
 * News sentiment columns over the daily inputs built by `dailySentiment` (already lagged: an item
 * counts from the first session after its publication day). A session without news has score NaN and
 * count 0; averages weight each session by its number of items.
 */
const S = (name: string, formula: string, warmup: number): FeatureDefinition => ({
  name,
  family: 'sentiment',
  formula,
  inputs: ['sentiment.score', 'sentiment.count'],
  warmup,
});

function build(state: StepState) {
  const score = state.ring(20);
  const count = state.ring(20);
  const weighted = state.ring(20);
  const logCount = state.ring(20);
  const withNews = state.ring(20);
  const cols: { def: FeatureDefinition; fn: () => number }[] = [];
  const add = (d: FeatureDefinition, fn: () => number): void => {
    cols.push({ def: d, fn });
  };
  const weightedMean = (n: number): number => ratio(wsum(weighted, n), wsum(count, n));
  add(S('SENT_SCORE', '$sentiment.score', 1), () => score.at(0));
  add(S('SENT_MA5', 'Sum($sentiment.score*$sentiment.count,5)/Sum($sentiment.count,5)', 5), () => weightedMean(5));
  add(S('SENT_MA20', 'Sum($sentiment.score*$sentiment.count,20)/Sum($sentiment.count,20)', 20), () => weightedMean(20));
  add(S('NEWS_COUNT', '$sentiment.count', 1), () => count.at(0));
  add(S('NEWS_COUNT_MA20', 'Mean($sentiment.count,20)', 20), () => (Number.isNaN(count.at(0)) ? NaN : wmean(count, 20)));
  add(S('ATTN_SHOCK20', 'Log(1+$sentiment.count)-Mean(Log(1+$sentiment.count),20)', 20), () =>
    Number.isNaN(logCount.at(0)) ? NaN : logCount.at(0) - wmean(logCount, 20),
  );
  add(S('NEWS_DAYS20', 'Mean($sentiment.count>0,20)', 20), () => (Number.isNaN(count.at(0)) ? NaN : wsum(withNews, 20) / wcount(withNews, 20)));
  const push = (v: Readonly<Record<string, number>>): void => {
    const s = v['sentiment.score']!;
    const n = v['sentiment.count']!;
    score.push(s);
    count.push(n);
    weighted.push(n > 0 ? s * n : Number.isNaN(n) ? NaN : 0);
    logCount.push(Math.log1p(n));
    withNews.push(Number.isNaN(n) ? NaN : n > 0 ? 1 : 0);
  };
  return { cols, push };
}

export const SENTIMENT_DEFINITIONS: readonly FeatureDefinition[] = build(new StepState()).cols.map((c) => c.def);

export function createSentimentCalculator(): CodedFeatureCalculator {
  return stepCalculator({
    name: 'sentiment',
    definitions: SENTIMENT_DEFINITIONS,
    required: ['sentiment.score', 'sentiment.count'],
    model: () => {
      const state = new StepState();
      const { cols, push } = build(state);
      return {
        step(day, out) {
          push(day.values);
          for (let j = 0; j < cols.length; j++) {
            const v = cols[j]!.fn();
            out[j] = Number.isFinite(v) ? v : NaN;
          }
        },
        undo: () => state.undo(),
      };
    },
  });
}
