import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { defaultModelLookup, loadWorkflow, parseWorkflow, rollWorkflow } from '../src';

const example = new URL('../../../examples/workflows/csi300_alpha158.yaml', import.meta.url);

function problems(text: string): string {
  try {
    parseWorkflow(text, 'w.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(QuantError);
    expect((e as QuantError).code).toBe('WORKFLOW_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected the workflow to be refused');
}

const minimal = `
universe: csi300
features: alpha158
segments:
  train: { from: 2010-01-01, to: 2014-12-31 }
  valid: { from: 2015-01-01, to: 2016-12-31 }
models:
  - { name: m1, kind: gbdt, params: { numLeaves: 31 } }
`;

describe('workflow files', () => {
  it('reads the CSI300 Alpha158 example (Qlib protocol)', async () => {
    const w = await loadWorkflow(example.pathname);
    expect(w.universe).toBe('csi300');
    expect(w.features).toEqual(['alpha158']);
    expect(w.segments).toEqual({
      train: { from: '2010-01-01', to: '2014-12-31' },
      valid: { from: '2015-01-01', to: '2016-12-31' },
      test: { from: '2017-01-01', to: '2020-08-01' },
    });
    expect(w.models[0]).toMatchObject({ name: 'csi300-alpha158-gbdt', kind: 'gbdt', seed: 42 });
    expect(w.processors.map((p) => p.kind)).toEqual(['robust-zscore', 'fill-missing']);
    expect(readFileSync(example, 'utf8')).toContain('Ref($close, -2)');
  });

  it('fills defaults: Qlib label, store data, SH000300 benchmark, seed 0', () => {
    const w = parseWorkflow(minimal);
    expect(w.label).toEqual({ kind: 'forward-return', horizon: 1, entryLag: 1 });
    expect(w.data).toEqual({ source: 'store', market: 'CN' });
    expect(w.benchmark).toBe('SH000300');
    expect(w.models[0]?.seed).toBe(0);
    expect(w.processors).toEqual([]);
  });

  it('names the path of every problem', () => {
    const bad = minimal.replace('{ numLeaves: 31 }', '31').replace('models:', 'models:\n  - { name: m0, kind: gbdt, seed: -1 }');
    const message = problems(bad);
    expect(message).toContain('w.yaml is invalid');
    expect(message).toContain('models[0].seed');
    expect(message).toContain('models[1].params');
    expect(problems(minimal.replace('2015-01-01', '2015-1-1'))).toContain('segments.valid.from: expected a YYYY-MM-DD date');
    expect(problems(minimal.replace('valid: { from: 2015-01-01', 'valid: { from: 2014-06-01'))).toContain('segments: segments must be in order');
    expect(problems(`${minimal}processors:\n  - { kind: zscore }\n  - { kind: magic }\n`)).toContain('processors[1].kind');
    expect(problems(`${minimal}extra: 1\n`)).toMatch(/extra/);
    expect(problems(minimal.replace('universe: csi300\n', ''))).toContain('universe: name a universe or a list of codes');
    expect(problems(`${minimal}  - { name: m1, kind: linear }\n`)).toContain('models: model names must be unique');
    expect(problems('models: [unclosed')).toContain('not valid YAML');
  });

  it('refuses a missing file', async () => {
    await expect(loadWorkflow('/nonexistent/w.yaml')).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
  });
});

describe('the example against the real models', () => {
  it("the CSI300 example's model parameters are accepted by the models (@quant/ml and @quant/ml-deep)", async () => {
    const w = await loadWorkflow(example.pathname);
    for (const m of w.models) expect(() => defaultModelLookup(m.kind).create(m.params)).not.toThrow();
  });
});

const withTest = minimal.replace('  valid: { from: 2015-01-01, to: 2016-12-31 }\n', '  valid: { from: 2015-01-01, to: 2016-12-31 }\n  test: { from: 2017-01-01, to: 2020-08-01 }\n');

describe('workflow backtest section (quant run)', () => {
  it("defaults to Qlib's benchmark settings: TopK-Dropout 50/5, close, 100 M, A-share costs", () => {
    expect(parseWorkflow(withTest).segments.test).toEqual({ from: '2017-01-01', to: '2020-08-01' });
    expect(parseWorkflow(withTest).backtest).toEqual({ strategy: 'topk-dropout', topk: 50, nDrop: 5, dealPrice: 'close', initialCash: 100_000_000, costs: { model: 'a-share' }, blockedOrders: 'refill' });
  });

  it('reads every setting', () => {
    const w = parseWorkflow(`${withTest}backtest:
  strategy: topk
  topk: 30
  dealPrice: open
  initialCash: 1000000
  costs: { model: qlib, openCost: 0.0005, closeCost: 0.0015, minCost: 5 }
  benchmark: SH000905
  blockedOrders: qlib
`);
    expect(w.backtest).toEqual({ strategy: 'topk', topk: 30, nDrop: 5, dealPrice: 'open', initialCash: 1_000_000, costs: { model: 'qlib', openCost: 0.0005, closeCost: 0.0015, minCost: 5 }, blockedOrders: 'qlib', benchmark: 'SH000905' });
    expect(parseWorkflow(`${withTest}backtest: { costs: { commissionRate: 0.0003, minCommission: 0 } }`).backtest.costs).toEqual({ model: 'a-share', commissionRate: 0.0003, minCommission: 0 });
  });

  it('names the path of each bad setting', () => {
    expect(problems(`${withTest}backtest: { topk: 0 }`)).toContain('backtest.topk:');
    expect(problems(`${withTest}backtest: { topk: 10, nDrop: 11 }`)).toContain('backtest.nDrop: nDrop must not exceed topk');
    expect(problems(`${withTest}backtest: { strategy: best }`)).toContain('backtest.strategy:');
    expect(problems(`${withTest}backtest: { dealPrice: vwap }`)).toContain('backtest.dealPrice:');
    expect(problems(`${withTest}backtest: { blockedOrders: skip }`)).toContain('backtest.blockedOrders:');
    expect(problems(`${withTest}backtest: { n_drop: 5 }`)).toMatch(/backtest: .*n_drop/);
    expect(problems(`${withTest}backtest: { costs: { openCost: 0.001 } }`)).toContain('backtest.costs: openCost, closeCost and minCost belong to model: qlib');
    expect(problems(`${withTest}backtest: { costs: { model: qlib, commissionRate: 0.001 } }`)).toContain('backtest.costs: commissionRate and minCommission belong to model: a-share');
  });

  it('reserves the model name "ensemble" for the average of the models', () => {
    expect(problems(withTest.replace('name: m1', 'name: ensemble'))).toContain('models: "ensemble" is reserved');
  });
});

describe('rollWorkflow (retrain up to a day)', () => {
  const withTest = `${minimal}`.replace('  valid: { from: 2015-01-01, to: 2016-12-31 }', '  valid: { from: 2015-01-01, to: 2016-12-31 }\n  test: { from: 2017-01-01, to: 2017-06-30 }');

  it('moves train and valid so valid ends on dataUntil, keeps their lengths and drops test', () => {
    const rolled = rollWorkflow(parseWorkflow(withTest), '2017-01-31');
    // 2016-12-31 -> 2017-01-31 is 31 days; every bound moves by 31 days.
    expect(rolled.segments).toEqual({ train: { from: '2010-02-01', to: '2015-01-31' }, valid: { from: '2015-02-01', to: '2017-01-31' } });
  });

  it('rolls back for an earlier day and leaves the source workflow untouched', () => {
    const source = parseWorkflow(withTest);
    const rolled = rollWorkflow(source, '2016-12-01');
    expect(rolled.segments.valid).toEqual({ from: '2014-12-02', to: '2016-12-01' });
    expect(source.segments.test).toEqual({ from: '2017-01-01', to: '2017-06-30' });
  });

  it('refuses a malformed day, naming it', () => {
    expect(() => rollWorkflow(parseWorkflow(minimal), '2017-13-45')).toThrow(/dataUntil: expected a YYYY-MM-DD date, got "2017-13-45"/);
  });
});
