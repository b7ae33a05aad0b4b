import { describe, expect, it } from 'vitest';
import { Topics, allTopics, eventExamples, topicByName } from '../src';

describe('topic registry', () => {
  it('lists every topic once, including the agreed ones', () => {
    const keys = Object.keys(Topics);
    for (const required of [
      'dailyBar', 'quote', 'fundamental', 'news', 'featuresReady', 'prediction', 'recommendation',
      'feedback', 'outcome', 'modelLifecycle', 'retrainTrigger', 'alert', 'deadLetter',
    ]) {
      expect(keys).toContain(required);
    }
    expect(allTopics()).toHaveLength(keys.length);
    expect(topicByName('quant.market.daily-bar.v1')).toBe(Topics.dailyBar);
    expect(topicByName('quant.market.daily-bar.v9')).toBeUndefined();
  });

  it('keys per-instrument streams by code and control streams by their subject', () => {
    const e = eventExamples();
    expect(Topics.dailyBar.key(e.dailyBar)).toBe('SH600000');
    expect(Topics.quote.key(e.quote)).toBe('SZ000001');
    expect(Topics.fundamental.key(e.fundamental)).toBe('SH600519');
    expect(Topics.news.key(e.news)).toBe('cninfo:1219044183');
    expect(Topics.featuresReady.key(e.featuresReady)).toBe('alpha158');
    expect(Topics.featureVector.key(e.featureVector)).toBe('SH600000');
    expect(Topics.prediction.key(e.prediction)).toBe('SH600000');
    expect(Topics.recommendation.key(e.recommendation)).toBe('topk-dropout');
    expect(Topics.feedback.key(e.feedback)).toBe(e.feedback.subjectId);
    expect(Topics.outcome.key(e.outcome)).toBe('SH600000');
    expect(Topics.modelLifecycle.key(e.modelLifecycle)).toBe('lgbm-alpha158');
    expect(Topics.retrainTrigger.key(e.retrainTrigger)).toBe('lgbm-alpha158');
    expect(Topics.alert.key(e.alert)).toBe('drift:lgbm-alpha158');
  });
});
