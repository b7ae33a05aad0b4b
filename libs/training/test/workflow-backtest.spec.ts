import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { parseWorkflow } from '../src';

const base = `
universe: csi300
features: alpha158
segments:
  train: { from: 2010-01-01, to: 2014-12-31 }
  valid: { from: 2015-01-01, to: 2016-12-31 }
  test: { from: 2017-01-01, to: 2020-08-01 }
models:
  - { name: m1, kind: gbdt }
`;

function refused(text: string): string {
  try {
    parseWorkflow(text, 'w.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(QuantError);
    expect((e as QuantError).code).toBe('WORKFLOW_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected the workflow to be refused');
}

describe('workflow backtest section (quant run)', () => {
  it("defaults to Qlib's benchmark settings: TopK-Dropout 50/5, close, 100 M, A-share costs", () => {
    expect(parseWorkflow(base).backtest).toEqual({ strategy: 'topk-dropout', topk: 50, nDrop: 5, dealPrice: 'close', initialCash: 100_000_000, costs: { model: 'a-share' } });
  });

  it('reads every setting', () => {
    const w = parseWorkflow(`${base}backtest:
  strategy: topk
  topk: 30
  dealPrice: open
  initialCash: 1000000
  costs: { model: qlib, openCost: 0.0005, closeCost: 0.0015, minCost: 5 }
  benchmark: SH000905
`);
    expect(w.backtest).toEqual({ strategy: 'topk', topk: 30, nDrop: 5, dealPrice: 'open', initialCash: 1_000_000, costs: { model: 'qlib', openCost: 0.0005, closeCost: 0.0015, minCost: 5 }, benchmark: 'SH000905' });
    expect(parseWorkflow(`${base}backtest: { costs: { commissionRate: 0.0003, minCommission: 0 } }`).backtest.costs).toEqual({ model: 'a-share', commissionRate: 0.0003, minCommission: 0 });
  });

  it('names the path of each bad setting', () => {
    expect(refused(`${base}backtest: { topk: 0 }`)).toContain('backtest.topk:');
    expect(refused(`${base}backtest: { topk: 10, nDrop: 11 }`)).toContain('backtest.nDrop: nDrop must not exceed topk');
    expect(refused(`${base}backtest: { strategy: best }`)).toContain('backtest.strategy:');
    expect(refused(`${base}backtest: { dealPrice: vwap }`)).toContain('backtest.dealPrice:');
    expect(refused(`${base}backtest: { n_drop: 5 }`)).toMatch(/backtest: .*n_drop/);
    expect(refused(`${base}backtest: { costs: { openCost: 0.001 } }`)).toContain('backtest.costs: openCost, closeCost and minCost belong to model: qlib');
    expect(refused(`${base}backtest: { costs: { model: qlib, commissionRate: 0.001 } }`)).toContain('backtest.costs: commissionRate and minCommission belong to model: a-share');
  });

  it('reserves the model name "ensemble" for the average of the models', () => {
    expect(refused(base.replace('name: m1', 'name: ensemble'))).toContain('models: "ensemble" is reserved');
  });
});
