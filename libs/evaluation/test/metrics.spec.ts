import { describe, expect, it } from 'vitest';
import {
  binomialTestHalf,
  classificationMetrics,
  maxDrawdownOfSum,
  cumulativeCurves,
  monthlySignalMetrics,
  metricsRecord,
  portfolioMetrics,
  regressionMetrics,
  riskAnalysis,
  rocAuc,
  signalClassificationMetrics,
  signalMetrics,
} from '../src';
import type { SignalRow } from '../src';

const row = (date: string, code: string, score: number, label: number): SignalRow => ({ date, code, score, label });

describe('signal metrics (Qlib calc_ic + SigAnaRecord)', () => {
  // d1: score dev (-1,0,1), label .1,.2,.6 dev (-.2,-.1,.3): sxy=.5, sxx=2, syy=.14 -> IC=.5/sqrt(.28)=0.944911
  //     ranks identical -> rank IC 1
  // d2: label .3,.1,.2 dev (.1,-.1,0): sxy=-.1, syy=.02 -> IC=-.1/sqrt(.04)=-0.5; ranks (3,1,2) -> rank IC -0.5
  // d3: the NaN-label row is dropped; scores 1,1,5 labels 0,.5,.4: sxy=.4, sxx=96/9, syy=.14 -> 0.327327;
  //     score ranks (1.5,1.5,3), label ranks (1,3,2) -> rank IC 0
  // IC mean=(0.944911-0.5+0.327327)/3=0.257413, std(ddof1)=0.724989 -> ICIR 0.355058 (pandas gives the same)
  const rows = [
    row('2020-01-02', 'A', 1, 0.1), row('2020-01-02', 'B', 2, 0.2), row('2020-01-02', 'C', 3, 0.6),
    row('2020-01-03', 'A', 1, 0.3), row('2020-01-03', 'B', 2, 0.1), row('2020-01-03', 'C', 3, 0.2),
    row('2020-01-06', 'A', 1, 0), row('2020-01-06', 'B', 1, 0.5), row('2020-01-06', 'C', 2, NaN), row('2020-01-06', 'D', 5, 0.4),
  ];

  it('matches the hand-computed daily IC, rank IC and their IRs', () => {
    const m = signalMetrics([...rows].reverse());
    expect(m.daily.map((d) => d.date)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(m.daily[0]!.ic).toBeCloseTo(0.944911, 6);
    expect(m.daily[1]!.ic).toBeCloseTo(-0.5, 12);
    expect(m.daily[2]!.ic).toBeCloseTo(0.327327, 6);
    expect(m.daily.map((d) => d.rankIc)).toEqual([expect.closeTo(1, 12), expect.closeTo(-0.5, 12), expect.closeTo(0, 12)]);
    expect(m.ic).toBeCloseTo(0.2574127, 6);
    expect(m.icir).toBeCloseTo(0.3550577, 6);
    expect(m.rankIc).toBeCloseTo(1 / 6, 12);
    expect(m.rankIcir).toBeCloseTo(0.2182179, 6);
    expect(m.days).toBe(3);
    expect(m.rows).toBe(9);
  });

  it('leaves out days whose correlation is undefined and rejects missing scores', () => {
    const m = signalMetrics([...rows, row('2020-01-07', 'A', 1, 0.1), row('2020-01-07', 'B', 2, 0.1)]);
    expect(m.days).toBe(3);
    expect(Number.isNaN(m.daily[3]!.ic)).toBe(true);
    expect(() => signalMetrics([row('2020-01-02', 'A', NaN, 0.1)])).toThrowError(/2020-01-02 A has no score/);
  });
});

describe('classification metrics', () => {
  it('computes the confusion-matrix metrics, AUC and MCC by hand', () => {
    // predicted (score > 0): T T T F F F; actual: T T F T F F -> tp 2, fp 1, fn 1, tn 2
    // accuracy 4/6, precision 2/3, recall 2/3, F1 2/3, MCC (4-1)/sqrt(3*3*3*3) = 1/3
    // AUC: positives .9,.8,-.1 vs negatives .2,-.3,-.5 -> pairs won 3+3+2 = 8 of 9
    const m = classificationMetrics([
      { score: 0.9, actual: true }, { score: 0.8, actual: true }, { score: 0.2, actual: false },
      { score: -0.1, actual: true }, { score: -0.3, actual: false }, { score: -0.5, actual: false },
    ]);
    expect(m.confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.mcc).toBeCloseTo(1 / 3, 12);
    expect(m.auc).toBeCloseTo(8 / 9, 12);
    // P(X>=4)+P(X<=2) for Bin(6,.5) = 2*(15+6+1)/64 = 0.6875
    expect(m.accuracyPValue).toBeCloseTo(0.6875, 12);
  });

  it('counts tied scores one half in AUC and returns NaN with one class', () => {
    // positive .5 ties negative .5 (1/2), beats negative .1 (1) -> 1.5 / 2
    expect(rocAuc([0.5, 0.5, 0.1], [true, false, false])).toBeCloseTo(0.75, 12);
    expect(Number.isNaN(rocAuc([1, 2], [true, true]))).toBe(true);
  });

  it('gives sklearn zero_division results when nothing is predicted positive', () => {
    const m = classificationMetrics([{ score: -1, actual: true }, { score: -2, actual: false }]);
    expect([m.precision, m.recall, m.f1, m.mcc]).toEqual([0, 0, 0, 0]);
  });

  it('binomial test matches scipy binomtest against 0.5', () => {
    // scipy.stats.binomtest(k, n).pvalue
    expect(binomialTestHalf(7, 10)).toBeCloseTo(0.34375, 12); // 2*(120+45+10+1)/1024
    expect(binomialTestHalf(60, 100)).toBeCloseTo(0.05688793364098089, 12);
    expect(binomialTestHalf(5200, 10000)).toBeCloseTo(6.593515598672343e-5, 14);
    expect(binomialTestHalf(0, 3)).toBeCloseTo(0.25, 12);
    expect(binomialTestHalf(5, 10)).toBe(1);
    expect(binomialTestHalf(520_000, 1_000_000)).toBeLessThan(1e-300); // z = 40: underflows, no overflow or NaN
  });

  it('reads a ranking signal per day in cross-section mode, or by sign', () => {
    // day 1: score pct (1/3,2/3,1) -> predicted up for B,C; label pct of (.3,.1,.2) = (1,1/3,2/3) -> actual A,C
    // correct: A? predicted down, actual up: wrong; B: up/down wrong; C: up/up right -> accuracy 1/3
    const rows = [row('d1', 'A', 1, 0.3), row('d1', 'B', 2, 0.1), row('d1', 'C', 3, 0.2)];
    const m = signalClassificationMetrics(rows);
    expect(m.accuracy).toBeCloseTo(1 / 3, 12);
    expect(m.rows).toBe(3);
    const s = signalClassificationMetrics([row('d1', 'A', 0.1, 0.3), row('d1', 'B', -0.2, 0.1)], 'sign');
    expect(s.confusion).toEqual({ tp: 1, fp: 0, tn: 0, fn: 1 });
  });
});

describe('regression metrics', () => {
  it('computes MSE and MAE over finite actual values', () => {
    // errors: 1-2=-1, 3-1=2, (NaN actual dropped) -> MSE (1+4)/2 = 2.5, MAE (1+2)/2 = 1.5
    expect(regressionMetrics([1, 3, 5], [2, 1, NaN])).toEqual({ mse: 2.5, mae: 1.5, rows: 2 });
    expect(() => regressionMetrics([1], [1, 2])).toThrowError(/as many predictions/);
  });
});

describe('risk analysis (Qlib risk_analysis, mode sum, N=238)', () => {
  it('matches pandas on a hand-checked series', () => {
    // r = .01,-.02,.03,0,-.01,.02: mean .005, std(ddof1) .0187083, annualised .005*238 = 1.19
    // IR = .005/.0187083*sqrt(238) = 4.123106; cumsum .01,-.01,.02,.02,.01,.03 -> worst gap .01-(-.01)... = -0.02
    const r = riskAnalysis([0.01, -0.02, 0.03, 0, -0.01, 0.02]);
    expect(r.mean).toBeCloseTo(0.005, 14);
    expect(r.std).toBeCloseTo(0.01870828693386971, 14);
    expect(r.annualizedReturn).toBeCloseTo(1.19, 12);
    expect(r.informationRatio).toBeCloseTo(4.123105625617661, 10);
    expect(r.maxDrawdown).toBeCloseTo(-0.02, 14);
  });

  it('starts the running peak at the first cumulative value, as cummax does', () => {
    // cumsum -.01, -.03: peak -.01 -> drawdown -.02 (not -.03 from a zero start)
    expect(maxDrawdownOfSum([-0.01, -0.02])).toBeCloseTo(-0.02, 14);
    expect(() => riskAnalysis([0.01, NaN])).toThrowError(/return 1 is not a finite number/);
  });

  it('summarises a report as Qlib excess_return_with_cost plus Sharpe, win rate and turnover', () => {
    // excess with cost = return - bench - cost: .01-.005-.001=.004, -.01-(-.02)-.001=.009, .02-.03-0=-.01
    // mean .001, annualised .238; win rate 2/3; turnover (.5+.1+0)/3 = .2
    // net return - cost: .009, -.011, .02 -> mean .006, std .0157162; sharpe(rf 0) = .006/.0157162*sqrt(238)
    const days = [
      { date: 'a', return: 0.01, bench: 0.005, cost: 0.001, turnover: 0.5 },
      { date: 'b', return: -0.01, bench: -0.02, cost: 0.001, turnover: 0.1 },
      { date: 'c', return: 0.02, bench: 0.03, cost: 0, turnover: 0 },
    ];
    const m = portfolioMetrics(days);
    expect(m.annualizedExcessReturn).toBeCloseTo(0.238, 12);
    expect(m.winRate).toBeCloseTo(2 / 3, 12);
    expect(m.turnover).toBeCloseTo(0.2, 12);
    const std = Math.sqrt(((0.003) ** 2 + (0.017) ** 2 + (0.014) ** 2) / 2);
    expect(m.sharpe).toBeCloseTo((0.006 / std) * Math.sqrt(238), 10);
    // a 2.38% risk-free rate is 0.0001 a day
    expect(portfolioMetrics(days, { riskFreeRate: 0.0238 }).sharpe).toBeCloseTo((0.0059 / std) * Math.sqrt(238), 10);
    expect(m.maxDrawdown).toBeCloseTo(-0.01, 12); // cumsum .004,.013,.003
  });
});

describe('metrics record (metrics.json keys)', () => {
  it('flattens the parts under snake_case keys with NaN as null', () => {
    const signal = signalMetrics([row('d1', 'A', 1, 0.1), row('d1', 'B', 2, 0.2)]);
    // one day: IC 1, std of one value is NaN -> icir null
    const rec = metricsRecord({
      signal,
      classification: classificationMetrics([{ score: 1, actual: true }, { score: -1, actual: false }]),
      portfolio: portfolioMetrics([
        { date: 'a', return: 0.01, bench: 0, cost: 0, turnover: 1 },
        { date: 'b', return: -0.01, bench: 0, cost: 0, turnover: 0 },
      ]),
    });
    expect(rec).toMatchObject({ ic: 1, icir: null, rank_ic: 1, accuracy: 1, auc: 1, turnover: 0.5, win_rate: 0.5, max_drawdown: -0.01, backtest_days: 2 });
    for (const key of ['ic', 'icir', 'rank_ic', 'rank_icir', 'accuracy', 'auc', 'annualized_excess_return', 'information_ratio', 'max_drawdown', 'sharpe', 'turnover']) {
      expect(rec).toHaveProperty(key);
    }
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });
});

describe('report curves', () => {
  it('gives the cumulative sum and drawdown per day', () => {
    // cumsum .01, -.01, .02, .02, .01, .03; peaks .01, .01, .02, .02, .02, .03
    const { cumulative, drawdown } = cumulativeCurves([0.01, -0.02, 0.03, 0, -0.01, 0.02]);
    expect(cumulative.map((x) => +x.toFixed(12))).toEqual([0.01, -0.01, 0.02, 0.02, 0.01, 0.03]);
    expect(drawdown.map((x) => +x.toFixed(12))).toEqual([0, -0.02, 0, 0, -0.01, 0]);
  });

  it('averages daily IC by month', () => {
    const daily = [
      { date: '2020-01-30', ic: 0.1, rankIc: 0.2, count: 3 },
      { date: '2020-01-31', ic: 0.3, rankIc: NaN, count: 3 },
      { date: '2020-02-03', ic: -0.1, rankIc: 0, count: 3 },
    ];
    expect(monthlySignalMetrics(daily)).toEqual([
      { month: '2020-01', ic: expect.closeTo(0.2, 12), rankIc: 0.2, days: 2 },
      { month: '2020-02', ic: -0.1, rankIc: 0, days: 1 },
    ]);
  });
});
