import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DailyPortfolioReturn } from '@quant/evaluation';
import type { SegmentPredictions } from '@quant/training';
import { evaluateSignal, runMetrics } from '../../src/run/run-evaluation';
import type { RunMetrics } from '../../src/run/run-evaluation';
import { METRIC_DEFINITIONS, writeMetricsFile, writePredictionsCsv } from '../../src/run/run-outputs';
import { averageImportance, renderRunReport } from '../../src/run/run-report';

const dir = mkdtempSync(join(tmpdir(), 'quant-run-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two days x three stocks; model a ranks the labels perfectly, model b backwards. */
const predictions: SegmentPredictions = {
  from: '2021-01-04',
  to: '2021-02-01',
  dates: ['2021-01-04', '2021-02-01'],
  codes: ['SH600000', 'SH600001', 'SZ000001'],
  date: Int32Array.from([0, 0, 0, 1, 1, 1]),
  code: Int32Array.from([0, 1, 2, 0, 1, 2]),
  label: Float64Array.from([-0.01, 0.002, 0.03, 0.01, -0.02, NaN]),
  scores: { a: Float64Array.from([1, 2, 3, 2, 1, 0]), b: Float64Array.from([3, 2, 1, 1, 2, 3]) },
};
const daily: DailyPortfolioReturn[] = [
  { date: '2021-01-05', return: 0.01, bench: 0.005, cost: 0.001, turnover: 1 },
  { date: '2021-01-06', return: -0.02, bench: 0.0, cost: 0.0005, turnover: 0.2 },
  { date: '2021-01-07', return: 0.015, bench: 0.01, cost: 0.0005, turnover: 0.2 },
];
const REQUIRED: Array<keyof RunMetrics> = ['ic', 'icir', 'rank_ic', 'rank_icir', 'accuracy', 'auc', 'annualized_excess_return', 'information_ratio', 'max_drawdown', 'sharpe', 'turnover'];

describe('run metrics, metrics.json and predictions.csv', () => {
  it('has every key issue 7 asks for, from the signal and the backtest days', () => {
    const a = runMetrics(evaluateSignal(predictions, predictions.scores['a'] as Float64Array), daily);
    for (const key of REQUIRED) expect(a, key).toHaveProperty(key);
    // Perfect ranking on day 1 (3 labels); day 2 has 2 labelled rows, also in order.
    expect(a['rank_ic']).toBeCloseTo(1, 12);
    expect(a['ic_days']).toBe(2);
    // Excess after costs: 0.004, -0.0205, 0.0045 summed; turnover is the mean.
    expect(a['annualized_excess_return']).toBeCloseTo(((0.004 - 0.0205 + 0.0045) / 3) * 238, 12);
    expect(a['max_drawdown']).toBeCloseTo(-0.0205, 12);
    expect(a['turnover']).toBeCloseTo(1.4 / 3, 12);
    const b = runMetrics(evaluateSignal(predictions, predictions.scores['b'] as Float64Array), []);
    expect(b['rank_ic']).toBeCloseTo(-1, 12);
    // No backtest days: the financial keys are there, null.
    expect(b['information_ratio']).toBeNull();
    expect(b['sharpe']).toBeNull();
  });

  it('writes metrics.json with NaN as null and predictions.csv as date,code,model,score', async () => {
    const a = runMetrics(evaluateSignal(predictions, predictions.scores['a'] as Float64Array), []);
    const path = join(dir, 'out', 'metrics.json');
    await writeMetricsFile(path, { workflow: 'w', test: { from: 'x', to: 'y', days: 2, rows: 6 }, models: { a }, ensemble: a, definitions: METRIC_DEFINITIONS });
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { models: Record<string, Record<string, number | null>>; ensemble: Record<string, number | null> };
    expect(parsed.models['a']?.['sharpe']).toBeNull();
    expect(parsed.ensemble['rank_ic']).toBeCloseTo(1, 12);

    const csv = join(dir, 'out', 'predictions.csv');
    const lines = await writePredictionsCsv(csv, predictions, [
      ['a', predictions.scores['a'] as Float64Array],
      ['ensemble', Float64Array.from([0.5, NaN, -1e-17, 1, 2, 3])],
    ]);
    expect(lines).toBe(12);
    const text = readFileSync(csv, 'utf8').split('\n');
    expect(text[0]).toBe('date,code,model,score');
    expect(text[1]).toBe('2021-01-04,SH600000,a,1');
    expect(text[6]).toBe('2021-02-01,SZ000001,a,0');
    expect(text[8]).toBe('2021-01-04,SH600001,ensemble,');
    expect(text[9]).toBe('2021-01-04,SZ000001,ensemble,-1e-17');
    expect(text).toHaveLength(14);
  });
});

describe('report.html', () => {
  const metrics = { a: runMetrics(evaluateSignal(predictions, predictions.scores['a'] as Float64Array), daily) };
  const html = renderRunReport({
    title: 'run <w>',
    generatedAt: '2026-11-29T00:00:00Z',
    setup: [['universe', 'csi300 & co']],
    metrics,
    focus: 'a',
    daily,
    dailyIc: [
      { date: '2021-01-04', ic: 0.1, rankIc: 0.1, count: 3 },
      { date: '2021-01-29', ic: 0.3, rankIc: 0.1, count: 3 },
      { date: '2021-02-01', ic: -0.2, rankIc: 0.1, count: 3 },
    ],
    importance: { a: { KMID: 3, ROC5: 1 }, b: { KMID: 1, ROC5: 1, 'x<y': 2 } },
  });

  it('is one self-contained page with the five charts as inline SVG', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html.match(/<svg /g)).toHaveLength(5);
    for (const title of ['Cumulative return of a vs benchmark', 'Drawdown of the cumulative excess return', 'IC by month', 'Daily turnover', 'Feature importance']) expect(html).toContain(title);
    // The excess line, the drawdown area and the monthly IC bars are drawn.
    expect(html).toContain('fill-opacity="0.25"');
    expect(html).toContain('<title>2021-01: 0.200</title>');
    expect(html).toContain('<title>2021-02: -0.200</title>');
    // Text is escaped.
    expect(html).toContain('run &lt;w&gt;');
    expect(html).toContain('csi300 &amp; co');
    expect(html).toContain('x&lt;y');
  });

  it('averages the importance of the models as gain shares', () => {
    const imp = averageImportance({ a: { KMID: 3, ROC5: 1 }, b: { KMID: 1, ROC5: 1, Z: 2 } });
    expect(imp[0]?.[0]).toBe('KMID');
    expect(imp[0]?.[1]).toBeCloseTo((0.75 + 0.25) / 2, 12);
    expect(imp.reduce((s, [, v]) => s + v, 0)).toBeCloseTo(1, 12);
  });
});
