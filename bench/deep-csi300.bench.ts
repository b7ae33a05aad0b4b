/**
 * LSTM / GRU of @quant/ml-deep on Alpha360 under Qlib's benchmark protocol, on the shared CSI300 data:
 *
 * - universe: CSI300 point in time; features: Alpha360 (60 days x close, open, high, low, vwap, volume,
 *   field-major as Qlib's Alpha360DL), fed to the model as a sequence of 60 steps x 6 fields;
 * - label: Ref($close,-2)/Ref($close,-1)-1 on adjusted close; train/valid rows without a label dropped and
 *   the label CSRankNorm'ed per day (Qlib's learn processors); test IC against the raw label;
 * - features: RobustZScoreNorm fitted on train (median, 1.4826 MAD, clipped to +-3) then NaN -> 0
 *   (Qlib's infer processors RobustZScoreNorm(clip_outlier) + Fillna);
 * - segments: train 2010-01-01..2014-12-31, valid 2015-01-01..2016-12-31, test 2017-01-01..2020-08-01;
 * - model: Qlib's recipe (MSE, Adam lr 1e-3, batch 800, early stopping on the valid loss) with the
 *   deviations given by the flags: hidden size, layers, max epochs, patience, and --day-stride k (train
 *   and valid keep every k-th trading day; test keeps every day).
 *
 *   npx tsx bench/deep-csi300.bench.ts --model lstm [--hidden 64 --layers 2 --epochs 200 --patience 20 --day-stride 1 --metric auto|ic]
 *
 * --metric ic stops on the valid segment's mean daily IC instead of its MSE.
 *
 * The Alpha360 matrices are cached in --cache (default /tmp/deep-csi300-alpha360): the first run builds
 * them, later runs (the other model) reuse them. Prints one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createQlibSource } from '@quant/data-sources';
import { batchFeatureSet, featureSet, seriesFromBars } from '@quant/features';
import { averageRanks, predictionMetrics } from '@quant/training';
import { DeepModel } from '../libs/ml-deep/src';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/cn/qlib') },
    cache: { type: 'string', default: '/tmp/deep-csi300-alpha360' },
    model: { type: 'string', default: 'lstm' },
    hidden: { type: 'string', default: '64' },
    layers: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '200' },
    patience: { type: 'string', default: '20' },
    'day-stride': { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
    metric: { type: 'string', default: 'auto' },
  },
});

const SEGMENTS = [
  { name: 'train', from: '2010-01-01', to: '2014-12-31' },
  { name: 'valid', from: '2015-01-01', to: '2016-12-31' },
  { name: 'test', from: '2017-01-01', to: '2020-08-01' },
] as const;
type SegmentName = (typeof SEGMENTS)[number]['name'];

/** Rows sorted by (day, code); y is the raw label. */
interface Split {
  rows: number;
  x: Float32Array;
  y: Float32Array;
  day: Int32Array;
}

const COLS = 360;

async function build(): Promise<Record<SegmentName, Split>> {
  const source = createQlibSource(args.dir as string);
  const calendar = await source.calendar();
  const dayOf = new Map(calendar.map((d, i) => [d, i]));
  const spells = await source.universe('csi300');
  const codes = [...new Set(spells.map((s) => s.code))].sort();
  const set = featureSet('alpha360');
  const parts: Record<SegmentName, { code: number; day: number; x: Float32Array; y: number }[]> = { train: [], valid: [], test: [] };
  for await (const batch of source.read({ codes, from: '2009-06-01', to: '2020-08-31' })) {
    if (batch.bars.length === 0) continue;
    const code = batch.bars[0]?.code as string;
    const input = seriesFromBars(batch.bars, calendar, code);
    const f = batchFeatureSet(set, input);
    const close = input.fields['close'] as Float64Array;
    const mine = spells.filter((s) => s.code === code);
    input.dates.forEach((d, t) => {
      const seg = SEGMENTS.find((s) => s.from <= d && d <= s.to);
      if (!seg || !mine.some((s) => s.start <= d && d <= s.end)) return;
      const y = t + 2 < close.length ? (close[t + 2] as number) / (close[t + 1] as number) - 1 : NaN;
      if (!Number.isFinite(y)) return;
      const x = new Float32Array(COLS);
      for (let c = 0; c < COLS; c++) x[c] = (f[c] as Float64Array)[t] as number;
      parts[seg.name].push({ code: codes.indexOf(code), day: dayOf.get(d) as number, x, y });
    });
  }
  const out = {} as Record<SegmentName, Split>;
  for (const seg of SEGMENTS) {
    const p = parts[seg.name].sort((a, b) => a.day - b.day || a.code - b.code);
    const x = new Float32Array(p.length * COLS);
    p.forEach((r, i) => x.set(r.x, i * COLS));
    out[seg.name] = { rows: p.length, x, y: Float32Array.from(p, (r) => r.y), day: Int32Array.from(p, (r) => r.day) };
  }
  return out;
}

function cached(): Promise<Record<SegmentName, Split>> | Record<SegmentName, Split> {
  const dir = args.cache as string;
  if (!existsSync(join(dir, 'rows.json'))) {
    return build().then((s) => {
      mkdirSync(dir, { recursive: true });
      for (const seg of SEGMENTS) {
        for (const [k, a] of [['x', s[seg.name].x], ['y', s[seg.name].y], ['day', s[seg.name].day]] as const) writeFileSync(join(dir, `${seg.name}_${k}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      }
      writeFileSync(join(dir, 'rows.json'), JSON.stringify(Object.fromEntries(SEGMENTS.map((g) => [g.name, s[g.name].rows]))));
      return s;
    });
  }
  const rows = JSON.parse(readFileSync(join(dir, 'rows.json'), 'utf8')) as Record<SegmentName, number>;
  const read = (name: string): ArrayBuffer => {
    const b = readFileSync(join(dir, name));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const out = {} as Record<SegmentName, Split>;
  for (const seg of SEGMENTS) out[seg.name] = { rows: rows[seg.name], x: new Float32Array(read(`${seg.name}_x.bin`)), y: new Float32Array(read(`${seg.name}_y.bin`)), day: new Int32Array(read(`${seg.name}_day.bin`)) };
  return out;
}

/** Start offsets of each day's rows (rows sorted by day). */
function dayGroups(day: Int32Array): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < day.length; ) {
    let j = i + 1;
    while (j < day.length && day[j] === day[i]) j++;
    sizes.push(j - i);
    i = j;
  }
  return sizes;
}

/** Keeps every k-th trading day. */
function strideDays(s: Split, k: number): Split {
  if (k <= 1) return s;
  const keep: number[] = [];
  const first = s.day[0] as number;
  for (let i = 0; i < s.rows; i++) if (((s.day[i] as number) - first) % k === 0) keep.push(i);
  const x = new Float32Array(keep.length * COLS);
  keep.forEach((r, i) => x.set(s.x.subarray(r * COLS, (r + 1) * COLS), i * COLS));
  return { rows: keep.length, x, y: Float32Array.from(keep, (r) => s.y[r] as number), day: Int32Array.from(keep, (r) => s.day[r] as number) };
}

/** Qlib's CSRankNorm: per day (rank percentile - 0.5) * 3.46. */
function csRankNorm(s: Split): Float32Array {
  const out = new Float32Array(s.rows);
  let from = 0;
  for (const size of dayGroups(s.day)) {
    const r = averageRanks(s.y.subarray(from, from + size));
    for (let i = 0; i < size; i++) out[from + i] = ((r[i] as number) / size - 0.5) * 3.46;
    from += size;
  }
  return out;
}

/** RobustZScoreNorm fitted on train (median, MAD * 1.4826, clip +-3), then NaN -> 0, in place. */
function robustZScore(train: Split, others: Split[]): void {
  const center = new Float32Array(COLS);
  const scale = new Float32Array(COLS);
  const col = new Float32Array(train.rows);
  const median = (v: Float32Array): number => {
    const finite = v.filter((a) => Number.isFinite(a)).sort();
    return finite.length ? ((finite[(finite.length - 1) >> 1] as number) + (finite[finite.length >> 1] as number)) / 2 : 0;
  };
  for (let c = 0; c < COLS; c++) {
    for (let i = 0; i < train.rows; i++) col[i] = train.x[i * COLS + c] as number;
    center[c] = median(col);
    for (let i = 0; i < train.rows; i++) col[i] = Math.abs((col[i] as number) - (center[c] as number));
    scale[c] = median(col) * 1.4826 + 1e-12;
  }
  for (const s of [train, ...others]) {
    for (let i = 0; i < s.x.length; i++) {
      const v = ((s.x[i] as number) - (center[i % COLS] as number)) / (scale[i % COLS] as number);
      s.x[i] = Number.isFinite(v) ? Math.max(-3, Math.min(3, v)) : 0;
    }
  }
}

const started = performance.now();
const data = await cached();
const dataSeconds = (performance.now() - started) / 1000;
const stride = Number(args['day-stride']);
const train = strideDays(data.train, stride);
const valid = strideDays(data.valid, stride);
const test = data.test;
robustZScore(train, [valid, test]);
const names = Array.from({ length: COLS }, (_, j) => `${['CLOSE', 'OPEN', 'HIGH', 'LOW', 'VWAP', 'VOLUME'][Math.floor(j / 60)]}${59 - (j % 60)}`);
const params = {
  sequence: { steps: 60, fields: 6, layout: 'field-major' },
  hiddenSize: Number(args.hidden),
  numLayers: Number(args.layers),
  epochs: Number(args.epochs),
  earlyStoppingRounds: Number(args.patience),
  metric: args.metric as 'auto' | 'ic',
  batchSize: 800,
  learningRate: 1e-3,
  standardize: false,
};
const model = new DeepModel(args.model as 'lstm' | 'gru', params);
const fitStarted = performance.now();
const epochs: { epoch: number; trainLoss?: number; validLoss?: number; seconds: number }[] = [];
const report = await model.fit(
  { rows: train.rows, cols: COLS, x: train.x, y: csRankNorm(train), featureNames: names },
  {
    seed: Number(args.seed),
    valid: { rows: valid.rows, cols: COLS, x: valid.x, y: csRankNorm(valid), featureNames: names, group: Int32Array.from(dayGroups(valid.day)) },
    onProgress: (p) => {
      epochs.push({ epoch: p.iteration, ...(p.trainLoss === undefined ? {} : { trainLoss: Number(p.trainLoss.toFixed(5)) }), ...(p.validLoss === undefined ? {} : { validLoss: Number(p.validLoss.toFixed(5)) }), seconds: Number(((performance.now() - fitStarted) / 1000).toFixed(1)) });
      process.stderr.write(`${JSON.stringify(epochs[epochs.length - 1])}\n`);
    },
  },
);
const pred = model.predict(test.x, test.rows);
const m = predictionMetrics(pred, test.y, test.y, dayGroups(test.day));
const r4 = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(4)));
console.log(
  JSON.stringify({
    bench: 'deep-csi300',
    model: args.model,
    params,
    dayStride: stride,
    rows: { train: train.rows, valid: valid.rows, test: test.rows },
    dataSeconds: Number(dataSeconds.toFixed(1)),
    fitSeconds: Number(report.seconds.toFixed(1)),
    bestEpoch: report.bestIteration,
    epochsRun: epochs.length,
    bestValidLoss: report.bestValidLoss,
    test: { days: m.dates, ic: r4(m.ic), icir: r4(m.icir), rankIc: r4(m.rankIc), rankIcir: r4(m.rankIcir) },
  }),
);
