/**
 * Runs @quant/evaluation's runBacktest on the data and signal of bench/reference/qlib_backtest.py and
 * puts it beside Qlib's own backtest: once with blockedOrders 'qlib' (Qlib's handling of refused orders,
 * suspension as Qlib sees this data) to check the accounting, once with the default A-share rules.
 * Run: npx tsx bench/reference/qlib_backtest.compare.ts .cache/qlib-backtest.json
 */
import { readFileSync } from 'node:fs';
import { inMemoryBacktestMarket, pearsonCorrelation, portfolioMetrics, qlibCosts, runBacktest } from '@quant/evaluation';
import type { DailyPortfolioReturn, MarketBar, PortfolioMetrics } from '@quant/evaluation';

interface QlibRun {
  report: (DailyPortfolioReturn & { value: number })[];
  risk_excess_with_cost: Record<string, number>;
  signals: { date: string; code: string; score: number }[];
  bars: { code: string; date: string; open: number; high: number; low: number; close: number; volume: number | null; factor: number }[];
  benchmark: { date: string; close: number }[];
}

const run = JSON.parse(readFileSync(process.argv[2] ?? '.cache/qlib-backtest.json', 'utf8')) as QlibRun;
// Qlib sees a suspended day only where the close is NaN; this data forward-fills suspended days with
// volume 0, so Qlib trades them. The parity run does the same; the A-share run treats them as suspended.
const asQlib: MarketBar[] = run.bars.map((b) => ({ ...b, volume: null, traded: true, isST: null }));
const asShare: MarketBar[] = run.bars.map((b) => ({ ...b, traded: b.volume === null || b.volume > 0, isST: null }));
const sessions = run.benchmark.map((b) => b.date);
const start = run.report[0]!.date;
const end = run.report[run.report.length - 1]!.date;
const backtest = (bars: MarketBar[], blockedOrders: 'qlib' | 'refill') => {
  const t0 = performance.now();
  const result = runBacktest(inMemoryBacktestMarket({ bars, benchmark: run.benchmark, sessions }), run.signals, {
    strategy: { kind: 'topk-dropout', topk: 50, nDrop: 5 },
    start,
    end,
    dealPrice: 'close',
    initialCash: 1e8,
    riskDegree: 0.95,
    costs: qlibCosts(0.0005, 0.0015, 5),
    blockedOrders,
  });
  return { result, ms: performance.now() - t0 };
};
const parity = backtest(asQlib, 'qlib');
const rules = backtest(asShare, 'refill');
const qlib = portfolioMetrics(run.report);
const p = parity.result.summary;
const a = rules.result.summary;
const row = (name: string, f: (m: PortfolioMetrics) => number) => `| ${name} | ${f(qlib).toFixed(4)} | ${f(p).toFixed(4)} | ${f(a).toFixed(4)} |`;
console.log(`sessions ${run.report.length}; engine ${parity.ms.toFixed(0)} ms / ${rules.ms.toFixed(0)} ms`);
console.log('| metric | Qlib 0.9.7 | ours, blockedOrders qlib | ours, A-share rules (default) |\n|---|---|---|---|');
console.log(row('annualized excess return (with cost)', (m) => m.annualizedExcessReturn));
console.log(row('information ratio (excess with cost)', (m) => m.informationRatio));
console.log(row('max drawdown (excess with cost)', (m) => m.maxDrawdown));
console.log(row('annualized return (after cost)', (m) => m.annualizedReturn));
console.log(row('mean daily turnover', (m) => m.turnover));
console.log(row('benchmark annualized return', (m) => m.benchmark.annualizedReturn));
console.log(`Qlib's own risk_analysis of its excess: ${run.risk_excess_with_cost['annualized_return']} (ours on its report: ${qlib.annualizedExcessReturn})`);
const qr = run.report.map((d) => d.return - d.cost);
const corr = (days: { netReturn: number }[]) => pearsonCorrelation(qr, days.map((d) => d.netReturn)).toFixed(4);
console.log(`daily net return correlation with Qlib: ${corr(parity.result.days)} / ${corr(rules.result.days)}`);
console.log(`blocked orders: ${JSON.stringify(p.blockedByReason)} / ${JSON.stringify(a.blockedByReason)}`);
