import { cumulativeCurves, monthlySignalMetrics } from '@quant/evaluation';
import type { DailyPortfolioReturn, DailySignalMetric } from '@quant/evaluation';
import type { RunMetrics } from './run-evaluation';
import { barChart, escapeXml, horizontalBarChart, lineChart, percent, plain } from './svg-charts';

export interface RunReportInput {
  title: string;
  generatedAt: string;
  /** Setup lines shown above the charts (universe, segments, label, backtest settings...). */
  setup: ReadonlyArray<[string, string]>;
  /** metrics.json's lines by model, the ensemble included. */
  metrics: Readonly<Record<string, RunMetrics>>;
  /** Which line the charts show (the ensemble). */
  focus: string;
  daily: readonly DailyPortfolioReturn[];
  dailyIc: readonly DailySignalMetric[];
  /** Gain importance by model and feature. */
  importance: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Each model's gain shares (summing to 1), averaged over models; the `top` largest. */
export function averageImportance(importance: RunReportInput['importance'], top = 20): Array<[string, number]> {
  const total = new Map<string, number>();
  const models = Object.values(importance);
  for (const gains of models) {
    const sum = Object.values(gains).reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
    if (sum <= 0) continue;
    for (const [name, v] of Object.entries(gains)) if (Number.isFinite(v)) total.set(name, (total.get(name) ?? 0) + v / sum / models.length);
  }
  return [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

const METRIC_COLUMNS: ReadonlyArray<[string, string, (v: number) => string]> = [
  ['ic', 'IC', (v) => v.toFixed(4)],
  ['icir', 'ICIR', (v) => v.toFixed(3)],
  ['rank_ic', 'rank IC', (v) => v.toFixed(4)],
  ['rank_icir', 'rank ICIR', (v) => v.toFixed(3)],
  ['accuracy', 'accuracy', (v) => v.toFixed(4)],
  ['auc', 'AUC', (v) => v.toFixed(4)],
  ['annualized_excess_return', 'ann. excess return', percent],
  ['information_ratio', 'IR', (v) => v.toFixed(3)],
  ['max_drawdown', 'max drawdown', percent],
  ['sharpe', 'Sharpe', (v) => v.toFixed(3)],
  ['turnover', 'turnover', (v) => v.toFixed(4)],
];

function metricsTable(metrics: RunReportInput['metrics'], focus: string): string {
  const head = `<tr><th>model</th>${METRIC_COLUMNS.map(([, label]) => `<th>${escapeXml(label)}</th>`).join('')}</tr>`;
  const rows = Object.entries(metrics)
    .map(([name, m]) => {
      const cells = METRIC_COLUMNS.map(([key, , f]) => {
        const v = m[key];
        return `<td>${typeof v === 'number' && Number.isFinite(v) ? escapeXml(f(v)) : '–'}</td>`;
      }).join('');
      return `<tr${name === focus ? ' class="focus"' : ''}><td>${escapeXml(name)}</td>${cells}</tr>`;
    })
    .join('');
  return `<table>${head}${rows}</table>`;
}

/** The self-contained report.html: setup, metrics table and five inline SVG charts. */
export function renderRunReport(input: RunReportInput): string {
  const dates = input.daily.map((d) => d.date);
  // Qlib's curves: summed returns, drawdown from the running maximum of the sum.
  const excess = cumulativeCurves(input.daily.map((d) => d.return - d.bench - d.cost));
  const charts = [
    lineChart(`Cumulative return of ${input.focus} vs benchmark (summed daily returns, after costs)`, dates, [
      { name: 'portfolio', values: cumulativeCurves(input.daily.map((d) => d.return - d.cost)).cumulative, color: '#2b7bb9' },
      { name: 'benchmark', values: cumulativeCurves(input.daily.map((d) => d.bench)).cumulative, color: '#888888' },
      { name: 'excess', values: excess.cumulative, color: '#e07b00' },
    ]),
    lineChart('Drawdown of the cumulative excess return', dates, [{ name: 'drawdown', values: excess.drawdown, color: '#d9534f', area: true }]),
    (() => {
      const months = monthlySignalMetrics(input.dailyIc);
      return barChart(`IC by month (${input.focus}, mean of daily IC)`, months.map((m) => m.month), months.map((m) => m.ic), plain);
    })(),
    lineChart('Daily turnover (value traded / portfolio value)', dates, [{ name: 'turnover', values: input.daily.map((d) => d.turnover), color: '#5b8c2a' }], plain),
    horizontalBarChart('Feature importance (gain share, mean over models, top 20)', averageImportance(input.importance)),
  ];
  const setup = input.setup.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(input.title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ddd;padding:3px 7px;font-size:12px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}tr.focus{font-weight:bold}section{margin:18px 0}</style>
</head><body>
<h1>${escapeXml(input.title)}</h1>
<p>Generated ${escapeXml(input.generatedAt)}. Metrics are computed as Qlib computes them (daily IC averaged over days; returns summed, 238 days a year; excess return after costs over the benchmark).</p>
<h2>Setup</h2><table>${setup}</table>
<h2>Test-segment metrics</h2>${metricsTable(input.metrics, input.focus)}
${charts.map((c) => `<section>${c}</section>`).join('\n')}
</body></html>
`;
}
