/**
 * Our GBDT against LightGBM on the identical synthetic matrix and parameters. The matrix (a noisy
 * nonlinear target over Alpha158-like correlated features, 5% missing) is written to a temp CSV that
 * bench/reference/lightgbm_reference.py trains on; our engine trains in this process. Both use --threads
 * threads (default 2). Prints one JSON line per engine: train seconds (wall, and CPU seconds of all
 * threads: on a shared machine the wall time depends on the other load), best iteration, test MSE and IC.
 *
 *   pip install lightgbm numpy pandas
 *   npx tsx bench/gbdt-vs-lightgbm.bench.ts [--rows 60000] [--cols 40] [--iterations 200] [--threads 2] [--seed 0]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GbdtModel, mulberry32 } from '../libs/ml/src/gbdt';
import type { Dataset } from '../libs/ml/src';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '60000' },
    cols: { type: 'string', default: '40' },
    iterations: { type: 'string', default: '200' },
    python: { type: 'string', default: 'python3' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
  },
});
const rows = Number(args.rows);
const cols = Number(args.cols);
const threads = Number(args.threads);
const seed = Number(args.seed);
const params = {
  numIterations: Number(args.iterations),
  learningRate: 0.05,
  numLeaves: 63,
  maxDepth: 8,
  lambdaL1: 0,
  lambdaL2: 1,
  minDataInLeaf: 50,
  minSumHessianInLeaf: 1e-3,
  featureFraction: 0.8,
  baggingFraction: 0.8,
  baggingFreq: 1,
  maxBin: 255,
  earlyStoppingRounds: 30,
};

const rng = mulberry32(2024);
const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
const x = new Float32Array(rows * cols);
const y = new Float32Array(rows);
for (let r = 0; r < rows; r++) {
  const common = gauss();
  for (let c = 0; c < cols; c++) x[r * cols + c] = rng() < 0.05 ? Number.NaN : 0.5 * common + gauss();
  const v = (c: number) => (Number.isNaN(x[r * cols + c]!) ? 0 : x[r * cols + c]!);
  y[r] = 0.3 * Math.tanh(v(0)) + 0.2 * v(1) * v(2) + 0.15 * (v(3) > 0.5 ? 1 : 0) - 0.1 * v(4) ** 2 + gauss();
}
const nTrain = Math.floor(rows * 0.6);
const nValid = Math.floor(rows * 0.2);
const names = Array.from({ length: cols }, (_, c) => `f${c}`);
const slice = (from: number, to: number): Dataset => ({
  rows: to - from,
  cols,
  x: x.slice(from * cols, to * cols),
  y: y.slice(from, to),
  featureNames: names,
});
const train = slice(0, nTrain);
const valid = slice(nTrain, nTrain + nValid);
const test = slice(nTrain + nValid, rows);

function metrics(pred: ArrayLike<number>, label: ArrayLike<number>) {
  const n = label.length;
  let mp = 0, ml = 0;
  for (let i = 0; i < n; i++) { mp += pred[i]!; ml += label[i]!; }
  mp /= n; ml /= n;
  let sp = 0, sl = 0, spl = 0, se = 0;
  for (let i = 0; i < n; i++) {
    const a = pred[i]! - mp, b = label[i]! - ml;
    sp += a * a; sl += b * b; spl += a * b; se += (pred[i]! - label[i]!) ** 2;
  }
  return { testMse: se / n, testIc: spl / Math.sqrt(sp * sl) };
}

const model = new GbdtModel({ ...params, numThreads: threads });
const cpu0 = process.cpuUsage();
const report = await model.fit(train, { valid, seed });
const cpu = process.cpuUsage(cpu0);
const ours = { engine: `quant-gbdt (${threads} thread${threads === 1 ? '' : 's'})`, seconds: report.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, bestIteration: report.bestIteration, ...metrics(model.predict(test.x, test.rows), test.y) };

const dir = mkdtempSync(join(tmpdir(), 'gbdt-bench-'));
try {
  const lines = ['split,label,' + names.join(',')];
  for (let r = 0; r < rows; r++) {
    const split = r < nTrain ? 'train' : r < nTrain + nValid ? 'valid' : 'test';
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols), (v) => (Number.isNaN(v) ? '' : String(v)));
    lines.push(`${split},${y[r]},${row.join(',')}`);
  }
  writeFileSync(join(dir, 'data.csv'), lines.join('\n'));
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ ...params, threads, seed }));
  const script = resolve(import.meta.dirname, 'reference/lightgbm_reference.py');
  const out = execFileSync(args.python!, [script, join(dir, 'data.csv'), join(dir, 'params.json')], { encoding: 'utf8' });
  const lgbm = { engine: `lightgbm (${threads} threads)`, ...JSON.parse(out.trim().split('\n').pop()!) };
  console.log(JSON.stringify({ rows, cols, trainRows: nTrain, params }));
  console.log(JSON.stringify(ours));
  console.log(JSON.stringify(lgbm));
  console.log(JSON.stringify({ timeRatio: ours.seconds / lgbm.seconds, icDiff: ours.testIc - lgbm.testIc }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
