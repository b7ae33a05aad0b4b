// quant run end to end on the embedded store: a tiny generated CSV market (ten stocks and an index,
// a planted signal Alpha158's KMID carries) imported by the run itself, real Alpha158, real ridge and
// GBDT, the real backtest; checks every output file and the promoted registry entries.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketDataRepository } from '@quant/market-data';
import { openStore } from '@quant/storage';
import { ModelRegistry } from '@quant/training';
import { runCli } from '../src/cli';
import type { CliContext } from '../src/commands/command-module';
import { createRunCommand } from '../src/commands/run.command';
import { weekdays } from '@quant/testing';

const CODES = Array.from({ length: 10 }, (_, i) => `SH60000${i}`);
let dir: string;
let calendar: string[];


/** Raw bars whose open at t+2 gaps by 0.5 x (close[t]-open[t])/open[t]: KMID at t predicts close[t+2]/close[t+1]-1. */
function csvOf(code: string, seed: number, planted: boolean): string {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * 2;
  const lines = ['code,date,open,high,low,close,volume'];
  const kmid: number[] = [];
  let close = 20 + seed % 7;
  calendar.forEach((date, t) => {
    const k = 0.01 * rnd();
    kmid.push(k);
    const drift = planted && t >= 2 ? 0.5 * (kmid[t - 2] as number) : 0;
    const open = close * (1 + drift + 0.002 * rnd());
    close = open * (1 + k);
    lines.push(`${code},${date},${open.toFixed(4)},${(Math.max(open, close) * 1.003).toFixed(4)},${(Math.min(open, close) * 0.997).toFixed(4)},${close.toFixed(4)},${Math.round(1e6 * (1.5 + rnd()))}`);
  });
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quant-run-cli-'));
  calendar = weekdays('2020-09-01', 360);
  mkdirSync(join(dir, 'csv'));
  CODES.forEach((code, i) => writeFileSync(join(dir, 'csv', `${code}.csv`), csvOf(code, 11 + i, true)));
  writeFileSync(join(dir, 'csv', 'SH000300.csv'), csvOf('SH000300', 5, false));
  // A CSV source has no calendar of its own: the store's is used (a qlib import would bring one).
  const store = await openStore(join(dir, 'store'));
  const market = new MarketDataRepository(store);
  await market.migrate();
  await market.saveCalendar('CN', calendar, 'test');
  await store.close();
  writeFileSync(
    join(dir, 'e2e.yaml'),
    [
      'name: e2e',
      `data: { source: csv, dir: ${join(dir, 'csv')} }`,
      `codes: [${CODES.join(', ')}]`,
      'benchmark: SH000300',
      'features: alpha158',
      'segments:',
      `  train: { from: ${calendar[70]}, to: ${calendar[229]} }`,
      `  valid: { from: ${calendar[230]}, to: ${calendar[289]} }`,
      `  test: { from: ${calendar[290]}, to: ${calendar[359]} }`,
      'processors:',
      '  - { kind: robust-zscore, clip: 3 }',
      '  - { kind: fill-missing, strategy: constant, value: 0 }',
      'labelProcessors: [ { kind: cs-zscore } ]',
      'models:',
      '  - { name: e2e-ridge, kind: ridge, params: { l2: 0.1 }, seed: 1 }',
      '  - { name: e2e-gbdt, kind: gbdt, params: { numIterations: 30, numLeaves: 7, minDataInLeaf: 20, learningRate: 0.1 }, seed: 2 }',
      'backtest: { topk: 3, nDrop: 1, initialCash: 1000000 }',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quant run (embedded store, generated CSV data)', () => {
  it('imports, builds, trains, predicts, evaluates, backtests and writes every output', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const context: CliContext = { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, infra: {} as CliContext['infra'] };
    const outDir = join(dir, 'out');
    const code = await runCli(
      ['node', 'quant', 'run', join(dir, 'e2e.yaml'), '--out', outDir, '--store', join(dir, 'store'), '--artefacts', join(dir, 'models')],
      context,
      [createRunCommand({ tty: false })],
    );
    expect(err.join('')).not.toContain('quant: error');
    expect(code).toBe(0);
    // Each stage reported, the data imported by the run itself.
    const log = err.join('');
    for (const stage of ['data', 'features', 'train', 'predict', 'evaluate', 'backtest', 'report']) expect(log).toContain(`quant run: ${stage} done in`);
    expect(log).toContain('data done in');
    expect(log).toMatch(/data done in .*: imported/);

    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8')) as { models: Record<string, Record<string, number | null>>; ensemble: Record<string, number | null>; test: { from: string } };
    expect(Object.keys(metrics.models)).toEqual(['e2e-ridge', 'e2e-gbdt']);
    for (const m of [...Object.values(metrics.models), metrics.ensemble]) {
      for (const key of ['ic', 'icir', 'rank_ic', 'rank_icir', 'accuracy', 'auc', 'annualized_excess_return', 'information_ratio', 'max_drawdown', 'sharpe', 'turnover']) {
        expect(typeof m[key], key).toBe('number');
      }
    }
    // The planted signal shows on the test segment.
    expect(metrics.ensemble['ic']).toBeGreaterThan(0.2);
    expect(metrics.test.from).toBe(calendar[290]);

    const csv = readFileSync(join(outDir, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('date,code,model,score');
    const byModel = new Map<string, number>();
    for (const line of csv.slice(1)) byModel.set(line.split(',')[2] as string, (byModel.get(line.split(',')[2] as string) ?? 0) + 1);
    expect([...byModel.keys()]).toEqual(['e2e-ridge', 'e2e-gbdt', 'ensemble']);
    expect(byModel.get('ensemble')).toBe(70 * 10);

    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(5);
    for (const name of ['e2e-ridge', 'e2e-gbdt']) {
      expect(readFileSync(join(outDir, 'models', name, 'model.onnx'))[0]).toBe(0x08);
      const meta = JSON.parse(readFileSync(join(outDir, 'models', name, 'metadata.json'), 'utf8')) as { calibration?: { kind: string; benchmark: string } };
      expect(meta.calibration).toMatchObject({ kind: 'percentile-bins', benchmark: 'SH000300' });
    }
    // Where to look, and the serve command.
    const printed = out.join('');
    // Outside the working directory the paths print absolute (inside it, relative).
    expect(printed).toContain(join(outDir, 'report.html'));
    expect(printed).toContain('npx quant serve');
    expect(printed).toMatch(/ensemble\s+0\.\d{4}/);

    const store = await openStore(join(dir, 'store'));
    try {
      const registry = new ModelRegistry(store, join(dir, 'models'));
      expect((await registry.production('e2e-ridge'))?.version).toBe(1);
      expect((await registry.production('e2e-gbdt'))?.version).toBe(1);
    } finally {
      await store.close();
    }
    expect(existsSync(join(dir, 'models', 'e2e-gbdt', '1', 'model.onnx'))).toBe(true);
  });
});
