/**
 * Qlib's LightGBM-on-Alpha158 benchmark protocol on the shared CSI300 data, run by our GBDT and by
 * LightGBM with identical inputs and parameters:
 *
 * - universe: CSI300 point in time (a row exists for a day only while the stock is in the index);
 * - features: Alpha158 (featureSet('alpha158') in batch per instrument), raw, NaN kept;
 * - label: Ref($close,-2)/Ref($close,-1)-1 on adjusted close; train and valid rows without a label are
 *   dropped and the label is cross-sectionally rank-normalised per day (Qlib's DropnaLabel +
 *   CSRankNorm learn processors); test IC is measured against the raw label;
 * - segments: train 2010-01-01..2014-12-31, valid 2015-01-01..2016-12-31, test 2017-01-01..2020-08-01;
 * - params: Qlib's recipe (mse, colsample 0.8879, lr 0.2, subsample 0.8789 (LightGBM ignores it
 *   without bagging_freq, so both engines run without bagging), L1 205.6999, L2 580.9768, depth 8,
 *   210 leaves, early stopping 50 on valid, up to 1000 rounds).
 *
 * The matrices go to a temp dir as float32 files; bench/reference/lightgbm_csi300.py trains LightGBM on
 * them and writes its test predictions back, so both engines are scored by the same code here. One
 * JSON line per engine: train seconds (wall, and CPU seconds of all threads: on a shared machine the
 * wall time depends on the other load), best iteration, test IC / rank IC (daily Pearson / Spearman
 * across stocks, averaged) and ICIR (mean / std of the daily values).
 *
 *   npx tsx bench/gbdt-csi300.bench.ts [--test-end 2020-08-01] [--rounds 1000] [--cache DIR] [--engines ours,lightgbm] [--threads 2]
 *
 * --cache DIR keeps the matrices in DIR and reuses them on the next run (the feature build is the slow part).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createQlibSource } from '@quant/data-sources';
import { batchFeatureSet, featureSet, seriesFromBars } from '@quant/features';
import { GbdtModel } from '../libs/ml/src/gbdt';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/cn/qlib') },
    'test-end': { type: 'string', default: '2020-08-01' },
    rounds: { type: 'string', default: '1000' },
    cache: { type: 'string' },
    engines: { type: 'string', default: 'ours,lightgbm' },
    python: { type: 'string', default: 'python3' },
    threads: { type: 'string', default: '2' },
  },
});

const SEGMENTS = [
  { name: 'train', from: '2010-01-01', to: '2014-12-31' },
  { name: 'valid', from: '2015-01-01', to: '2016-12-31' },
  { name: 'test', from: '2017-01-01', to: args['test-end']! },
] as const;
type SegmentName = (typeof SEGMENTS)[number]['name'];

const params = {
  objective: 'regression',
  numIterations: Number(args.rounds),
  learningRate: 0.2,
  numLeaves: 210,
  maxDepth: 8,
  lambdaL1: 205.6999,
  lambdaL2: 580.9768,
  featureFraction: 0.8879,
  baggingFraction: 0.8789,
  baggingFreq: 0,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  maxBin: 255,
  earlyStoppingRounds: 50,
};
const threads = Number(args.threads);

interface Matrix {
  rows: number;
  cols: number;
  x: Float32Array;
  /** Learn label (CSRankNorm) for train/valid, raw label for test. */
  y: Float32Array;
  /** Calendar index of each row's day; rows are sorted by day, then instrument. */
  day: Int32Array;
}

interface Block {
  code: number;
  day: Int32Array;
  x: Float32Array;
  y: Float64Array;
}

async function buildMatrices(): Promise<{ names: string[]; splits: Record<SegmentName, Matrix> }> {
  const source = createQlibSource(args.dir!);
  const calendar = await source.calendar();
  const spells = await source.universe('csi300');
  const byCode = new Map<string, { start: string; end: string }[]>();
  for (const s of spells) byCode.set(s.code, [...(byCode.get(s.code) ?? []), s]);
  const codes = [...byCode.keys()].sort();
  const set = featureSet('alpha158');
  const names = set.definitions().map((d) => d.name);
  const cols = names.length;
  const blocks: Record<SegmentName, Block[]> = { train: [], valid: [], test: [] };
  // Read from before the train start so the longest windows (60 days) are warm on 2010-01-04 where data allows.
  for await (const batch of source.read({ codes, from: '2008-01-01', to: '2020-12-31' })) {
    if (batch.bars.length === 0) continue;
    const code = batch.bars[0]!.code;
    const input = seriesFromBars(batch.bars, calendar, code);
    const features = batchFeatureSet(set, input);
    const close = input.fields.close!;
    const inIndex = byCode.get(code) ?? [];
    for (const seg of SEGMENTS) {
      const rowsOf: number[] = [];
      for (let t = 0; t < input.dates.length; t++) {
        const d = input.dates[t]!;
        if (d < seg.from || d > seg.to) continue;
        if (!inIndex.some((s) => s.start <= d && d <= s.end)) continue;
        rowsOf.push(t);
      }
      if (rowsOf.length === 0) continue;
      const n = rowsOf.length;
      const block: Block = { code: codes.indexOf(code), day: new Int32Array(n), x: new Float32Array(n * cols), y: new Float64Array(n) };
      rowsOf.forEach((t, i) => {
        block.day[i] = calendarIndex(calendar, input.dates[t]!);
        for (let c = 0; c < cols; c++) block.x[i * cols + c] = features[c]![t]!;
        // Ref($close,-2)/Ref($close,-1)-1: NaN past the end of the series or on a suspended day.
        block.y[i] = t + 2 < close.length ? close[t + 2]! / close[t + 1]! - 1 : Number.NaN;
      });
      blocks[seg.name].push(block);
    }
  }
  const splits = {} as Record<SegmentName, Matrix>;
  for (const seg of SEGMENTS) splits[seg.name] = assemble(blocks[seg.name], cols, seg.name !== 'test');
  return { names, splits };
}

const calendarPos = new Map<string, number>();
function calendarIndex(calendar: readonly string[], date: string): number {
  if (calendarPos.size === 0) calendar.forEach((d, i) => calendarPos.set(d, i));
  return calendarPos.get(date)!;
}

/** Rows sorted by (day, instrument) as Qlib's (datetime, instrument) index; rows without a label dropped. */
function assemble(blocks: Block[], cols: number, learn: boolean): Matrix {
  const refs: [number, number][] = [];
  blocks.forEach((b, bi) => b.y.forEach((v, i) => { if (Number.isFinite(v)) refs.push([bi, i]); }));
  refs.sort((a, b) => blocks[a[0]]!.day[a[1]]! - blocks[b[0]]!.day[b[1]]! || blocks[a[0]]!.code - blocks[b[0]]!.code);
  const rows = refs.length;
  const x = new Float32Array(rows * cols);
  const raw = new Float64Array(rows);
  const day = new Int32Array(rows);
  refs.forEach(([bi, i], r) => {
    const b = blocks[bi]!;
    x.set(b.x.subarray(i * cols, (i + 1) * cols), r * cols);
    raw[r] = b.y[i]!;
    day[r] = b.day[i]!;
  });
  return { rows, cols, x, y: Float32Array.from(learn ? csRankNorm(raw, day) : raw), day };
}

/** Qlib's CSRankNorm: per day, percentile rank (ties averaged), minus 0.5, times 3.46 (about unit variance). */
function csRankNorm(v: Float64Array, day: Int32Array): Float64Array {
  const out = new Float64Array(v.length);
  forEachDay(day, (from, to) => {
    const ranks = averageRanks(v.subarray(from, to));
    for (let i = 0; i < ranks.length; i++) out[from + i] = (ranks[i]! / ranks.length - 0.5) * 3.46;
  });
  return out;
}

function forEachDay(day: Int32Array, fn: (from: number, to: number) => void): void {
  for (let from = 0; from < day.length; ) {
    let to = from + 1;
    while (to < day.length && day[to] === day[from]) to++;
    fn(from, to);
    from = to;
  }
}

/** 1-based ranks, ties get their average rank (pandas rank(method='average')). */
function averageRanks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && v[order[j]!] === v[order[i]!]) j++;
    const r = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]!] = r;
    i = j;
  }
  return ranks;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Daily cross-sectional IC and rank IC, averaged, with ICIR (mean / sample std), as Qlib's SigAnaRecord. */
function icReport(pred: ArrayLike<number>, test: Matrix) {
  const ic: number[] = [];
  const ric: number[] = [];
  forEachDay(test.day, (from, to) => {
    if (to - from < 2) return;
    const p = Array.from({ length: to - from }, (_, i) => pred[from + i]!);
    const y = test.y.subarray(from, to);
    const a = pearson(p, y);
    const b = pearson(averageRanks(p), averageRanks(y));
    if (Number.isFinite(a)) ic.push(a);
    if (Number.isFinite(b)) ric.push(b);
  });
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const std = (v: number[]) => { const m = mean(v); return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)); };
  const r4 = (v: number) => Number(v.toFixed(4));
  return { days: ic.length, ic: r4(mean(ic)), icir: r4(mean(ic) / std(ic)), rankIc: r4(mean(ric)), rankIcir: r4(mean(ric) / std(ric)) };
}

const SPLIT_FILES = ['x', 'y', 'day'] as const;
function save(dir: string, names: string[], splits: Record<SegmentName, Matrix>): void {
  mkdirSync(dir, { recursive: true });
  for (const seg of SEGMENTS) {
    const m = splits[seg.name];
    writeFileSync(join(dir, `${seg.name}_x.f32`), new Uint8Array(m.x.buffer, m.x.byteOffset, m.x.byteLength));
    writeFileSync(join(dir, `${seg.name}_y.f32`), new Uint8Array(m.y.buffer, m.y.byteOffset, m.y.byteLength));
    writeFileSync(join(dir, `${seg.name}_day.i32`), new Uint8Array(m.day.buffer, m.day.byteOffset, m.day.byteLength));
  }
  const rows = Object.fromEntries(SEGMENTS.map((s) => [s.name, splits[s.name].rows]));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ names, rows, segments: SEGMENTS }));
}

function load(dir: string): { names: string[]; splits: Record<SegmentName, Matrix> } {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { names: string[]; rows: Record<SegmentName, number>; segments: typeof SEGMENTS };
  if (JSON.stringify(meta.segments) !== JSON.stringify(SEGMENTS)) throw new Error(`${dir} holds other segments; use another --cache dir`);
  const splits = {} as Record<SegmentName, Matrix>;
  const read = (file: string) => { const b = readFileSync(join(dir, file)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
  for (const seg of SEGMENTS) {
    const [x, y, day] = SPLIT_FILES.map((f) => read(`${seg.name}_${f}.${f === 'day' ? 'i32' : 'f32'}`));
    splits[seg.name] = { rows: meta.rows[seg.name], cols: meta.names.length, x: new Float32Array(x!), y: new Float32Array(y!), day: new Int32Array(day!) };
  }
  return { names: meta.names, splits };
}

const started = performance.now();
const dir = args.cache ?? mkdtempSync(join(tmpdir(), 'gbdt-csi300-'));
const cached = args.cache !== undefined && existsSync(join(dir, 'meta.json'));
const { names, splits } = cached ? load(dir) : await buildMatrices();
if (!cached) save(dir, names, splits);
const { train, valid, test } = splits;
console.log(JSON.stringify({
  bench: 'gbdt-csi300',
  rows: { train: train.rows, valid: valid.rows, test: test.rows },
  features: names.length,
  segments: SEGMENTS,
  dataSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  cached,
  cores: cpus().length,
  params,
}));

const engines = args.engines!.split(',');
try {
  if (engines.includes('ours')) {
    const model = new GbdtModel({ ...params, numThreads: threads });
    const asData = (m: Matrix) => ({ rows: m.rows, cols: m.cols, x: m.x, y: m.y, featureNames: names });
    const cpu0 = process.cpuUsage();
    const report = await model.fit(asData(train), { valid: asData(valid), seed: 0 });
    const cpu = process.cpuUsage(cpu0);
    const pred = model.predict(test.x, test.rows);
    console.log(JSON.stringify({ engine: `quant-gbdt (${threads} thread${threads === 1 ? '' : 's'})`, seconds: Number(report.seconds.toFixed(2)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)), iterations: report.iterations, bestIteration: report.bestIteration, ...icReport(pred, test) }));
  }
  if (engines.includes('lightgbm')) {
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ ...params, threads, seed: 0 }));
    const script = resolve(import.meta.dirname, 'reference/lightgbm_csi300.py');
    const out = execFileSync(args.python!, [script, dir], { encoding: 'utf8' });
    const res = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; cpuSeconds: number; bestIteration: number; version: string };
    const b = readFileSync(join(dir, 'test_pred_lightgbm.f64'));
    const pred = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    console.log(JSON.stringify({ engine: `lightgbm ${res.version} (${threads} threads)`, seconds: Number(res.seconds.toFixed(2)), cpuSeconds: Number(res.cpuSeconds.toFixed(2)), bestIteration: res.bestIteration, ...icReport(pred, test) }));
  }
} finally {
  if (!args.cache) rmSync(dir, { recursive: true, force: true });
}
