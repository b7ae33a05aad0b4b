/**
 * Deep models behind the @quant/ml model port. One model class for every architecture: it owns input
 * cleaning (standardise with training statistics, then NaN -> 0, i.e. a missing value becomes the
 * training mean; with standardize: false NaN becomes 0), batching (rows packed in JS straight into the
 * layout the network wants), the AdamW optimiser with gradient clipping and a learning-rate schedule,
 * dropout, early stopping on the validation loss (the best epoch's weights are kept), the artefact and
 * the ONNX export. The architecture itself is a Network (networks/).
 *
 * Deterministic: weights start from a seeded generator, batches are shuffled by it, dropout masks are
 * seeded from it, and the wasm backend runs single-threaded; same data + params + seed -> same bytes.
 */
import { QuantError } from '@quant/errors';
import { checkDataset, checkMatrix, meanGroupCorrelation, readJsonArtefact, scoringModel, SeededRandom } from '@quant/ml';
import type { Dataset, FitOptions, FitReport, Model, ModelFactory, ModelMetadata } from '@quant/ml';
import { ADAM_BETA1, ADAM_BETA2, adamStep } from './adam';
import { deepBackend, logDeepBackend, readyBackend, registerGradients, tf } from './backend';
import { readFloats } from './ops';
import { take, tensorOf } from './scratch';
import type { DeepKind, DeepParams, SequenceSpec } from './deep-params';
import { DEEP_KINDS, resolveDeepParams } from './deep-params';
import { OnnxBuilder, cleanInput } from './onnx-builder';
import type { ForwardContext, InputLayout, Network, NetworkDims, WeightInit } from './networks/network.port';
import { mlpNetwork } from './networks/mlp.network';
import { recurrentNetwork } from './networks/recurrent.network';
import { tcnNetwork } from './networks/tcn.network';
import { transformerNetwork } from './networks/transformer.network';

const ARTEFACT_FORMAT = 'quant-ml-deep';
const ARTEFACT_VERSION = 1;
/** Rows per forward pass when predicting (memory bound, not a result-changing setting). */
const PREDICT_CHUNK = 2048;
const SALIENCY_ROWS = 256;

function network(kind: DeepKind, dims: NetworkDims): Network {
  switch (kind) {
    case 'mlp':
      return mlpNetwork(dims);
    case 'lstm':
    case 'gru':
      return recurrentNetwork(kind, dims);
    case 'tcn':
      return tcnNetwork(dims);
    case 'transformer':
      return transformerNetwork(dims);
  }
}

interface Fitted {
  featureNames: string[];
  center: Float32Array | null;
  scale: Float32Array | null;
  weights: Map<string, WeightInit>;
  importance: Float64Array;
  seed: number;
  epochs: number;
  bestEpoch: number;
}

/** Per-column mean and population deviation over non-missing values; a constant column gets scale 1. */
function columnStats(d: Dataset): { center: Float32Array; scale: Float32Array } {
  const F = d.cols;
  const sum = new Float64Array(F);
  const count = new Float64Array(F);
  for (let i = 0; i < d.x.length; i++) {
    const v = d.x[i] as number;
    if (v === v) {
      sum[i % F] = (sum[i % F] as number) + v;
      count[i % F] = (count[i % F] as number) + 1;
    }
  }
  const center = new Float32Array(F);
  for (let j = 0; j < F; j++) center[j] = (count[j] as number) > 0 ? (sum[j] as number) / (count[j] as number) : 0;
  const ss = new Float64Array(F);
  for (let i = 0; i < d.x.length; i++) {
    const v = d.x[i] as number;
    if (v === v) ss[i % F] = (ss[i % F] as number) + (v - (center[i % F] as number)) ** 2;
  }
  const scale = new Float32Array(F);
  for (let j = 0; j < F; j++) {
    const sd = Math.fround((count[j] as number) > 0 ? Math.sqrt((ss[j] as number) / (count[j] as number)) : 0);
    scale[j] = sd > 1e-12 && Number.isFinite(sd) ? sd : 1;
  }
  return { center, scale };
}

/** The cleaned matrix, float32 arithmetic in the order the ONNX graph uses: (x - c) / s, NaN -> 0. */
function clean(x: Float32Array, cols: number, center: Float32Array | null, scale: Float32Array | null): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let v = x[i] as number;
    if (center && scale) v = Math.fround(Math.fround(v - (center[i % cols] as number)) / (scale[i % cols] as number));
    out[i] = v === v ? v : 0;
  }
  return out;
}

/** Column of the flat row holding (field c, step t). */
function sequenceColumns(seq: SequenceSpec): Int32Array {
  const { steps: T, fields: C } = seq;
  const idx = new Int32Array(T * C);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) idx[t * C + c] = seq.layout === 'field-major' ? c * T + t : t * C + c;
  return idx;
}

/** Packs rows[from..to) of the cleaned matrix into the network's input layout. */
function pack(z: Float32Array, F: number, rows: ArrayLike<number> | null, from: number, to: number, layout: InputLayout, seq: SequenceSpec | null, columns: Int32Array | null): Float32Array {
  const B = to - from;
  // Every element is written below.
  const out = take(B * F);
  const row = (b: number): number => (rows ? (rows[from + b] as number) : from + b);
  if (layout === 'rows' || !seq || !columns) {
    for (let b = 0; b < B; b++) out.set(z.subarray(row(b) * F, (row(b) + 1) * F), b * F);
    return out;
  }
  const { steps: T, fields: C } = seq;
  for (let b = 0; b < B; b++) {
    const base = row(b) * F;
    for (let t = 0; t < T; t++) {
      const o = layout === 'time-major' ? (t * B + b) * C : (b * T + t) * C;
      for (let c = 0; c < C; c++) out[o + c] = z[base + (columns[t * C + c] as number)] as number;
    }
  }
  return out;
}

function packedShape(layout: InputLayout, B: number, F: number, seq: SequenceSpec | null): [number, number] {
  return layout === 'rows' || !seq ? [B, F] : [B * seq.steps, seq.fields];
}

const sigmoid = (m: number): number => (m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m)));

function learningRate(p: DeepParams, epoch: number): number {
  if (p.lrSchedule === 'step') return p.learningRate * p.lrGamma ** Math.floor(epoch / p.lrStepSize);
  if (p.lrSchedule === 'cosine') return 0.5 * p.learningRate * (1 + Math.cos((Math.PI * epoch) / p.epochs));
  return p.learningRate;
}

const toBase64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromBase64(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export class DeepModel implements Model {
  readonly kind: DeepKind;
  private readonly params: DeepParams;
  private fitted: Fitted | null = null;

  constructor(kind: DeepKind, params: Record<string, unknown> = {}) {
    if (!DEEP_KINDS.includes(kind)) throw new QuantError('ML_BAD_PARAMS', `${String(kind)} is not a deep model kind (${DEEP_KINDS.join(', ')})`, { details: { kind } });
    this.kind = kind;
    this.params = resolveDeepParams(kind, params) as DeepParams;
  }

  private dims(features: number): NetworkDims {
    const seq = this.params.sequence ?? null;
    if (seq && seq.steps * seq.fields !== features) {
      throw new QuantError('ML_FEATURE_COUNT', `${this.kind}: sequence ${seq.steps} steps x ${seq.fields} fields needs ${seq.steps * seq.fields} features, the data has ${features}`, {
        details: { kind: this.kind, steps: seq.steps, fields: seq.fields, features },
      });
    }
    return { features, sequence: seq, params: this.params };
  }

  async fit(train: Dataset, options: FitOptions = {}): Promise<FitReport> {
    const started = performance.now();
    const where = `${this.kind}.fit`;
    checkDataset(`${where} train`, train);
    if (options.valid) checkDataset(`${where} valid`, options.valid, train.featureNames);
    if (this.params.metric === 'ic' && options.valid && !options.valid.group) {
      throw new QuantError('ML_BAD_PARAMS', `${where}: metric ic needs date groups on the validation set (Dataset.group)`);
    }
    if (this.params.objective === 'binary') {
      for (const [name, d] of [['train', train], ['valid', options.valid]] as const) {
        const bad = d ? d.y.findIndex((v) => v !== 0 && v !== 1) : -1;
        if (d && bad >= 0) throw new QuantError('ML_BAD_LABEL', `${where} ${name}: label of row ${bad} is ${d.y[bad]}; binary needs 0 or 1`, { details: { row: bad } });
      }
    }
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new QuantError('ML_BAD_PARAMS', `${where}: seed must be an integer, got ${seed}`, {});
    const dims = this.dims(train.cols);
    const backend = await deepBackend();
    await registerGradients();
    logDeepBackend(backend);

    const p = this.params;
    const F = train.cols;
    const { center, scale } = p.standardize ? columnStats(train) : { center: null, scale: null };
    const net = network(this.kind, dims);
    const rng = new SeededRandom(seed);
    const init = net.init(rng);
    const seq = dims.sequence;
    const columns = seq ? sequenceColumns(seq) : null;
    const zTrain = clean(train.x, F, center, scale);
    const zValid = options.valid ? clean(options.valid.x, F, center, scale) : null;

    const vars = init.map((w) => tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape), true)));
    const named: Record<string, tf.Variable> = Object.fromEntries(init.map((w, i) => [w.name, vars[i] as tf.Variable]));
    // Adam's state and the weights' current values, in JS (adam.ts).
    const values = init.map((w) => Float32Array.from(w.data));
    const m1 = init.map((w) => new Float32Array(w.data.length));
    const m2 = init.map((w) => new Float32Array(w.data.length));
    const snapshot = (): Map<string, WeightInit> => new Map(init.map((w, i) => [w.name, { ...w, data: (vars[i] as tf.Variable).dataSync() as Float32Array }]));

    const binary = p.objective === 'binary';
    const lossOf = (score: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D | null): tf.Scalar => {
      const per = binary
        ? tf.add(tf.sub(tf.relu(score), tf.mul(score, y)), tf.log1p(tf.exp(tf.neg(tf.abs(score)))))
        : tf.square(tf.sub(score, y));
      return (w ? tf.div(tf.sum(tf.mul(per, w)), tf.sum(w)) : tf.mean(per)) as tf.Scalar;
    };
    const N = train.rows;
    const order = new Int32Array(N);
    for (let i = 0; i < N; i++) order[i] = i;
    let step = 0;
    let best: Map<string, WeightInit> | null = null;
    let bestLoss: number | null = null;
    let bestEpoch = 0;
    let epochs = 0;
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        epochs = epoch + 1;
        for (let i = N - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          const t = order[i] as number;
          order[i] = order[j] as number;
          order[j] = t;
        }
        const lr = learningRate(p, epoch);
        let lossSum = 0;
        for (let from = 0; from < N; from += p.batchSize) {
          const to = Math.min(N, from + p.batchSize);
          const B = to - from;
          const xb = pack(zTrain, F, order, from, to, net.layout, seq, columns);
          const yb = new Float32Array(B);
          const wb = train.weight ? new Float32Array(B) : null;
          for (let b = 0; b < B; b++) {
            yb[b] = train.y[order[from + b] as number] as number;
            if (wb && train.weight) wb[b] = train.weight[order[from + b] as number] as number;
          }
          step++;
          const dropoutSeed = Math.floor(rng.next() * 2 ** 31);
          let dropouts = 0;
          const ctx: ForwardContext = {
            training: true,
            inputGrad: false,
            dropout: (x) => (p.dropout > 0 ? (tf.dropout(x, p.dropout, undefined, dropoutSeed + 7919 * dropouts++) as tf.Tensor2D) : x),
          };
          const loss = tf.tidy(() => {
            const x = tensorOf(xb, (v) => tf.tensor2d(v, packedShape(net.layout, B, F, seq)));
            const y = tf.tensor2d(yb, [B, 1]);
            const w = wb ? tf.tensor2d(wb, [B, 1]) : null;
            const { value, grads } = tf.variableGrads(() => lossOf(net.forward(named, x, B, ctx), y, w), vars);
            const adam = { lr, c1: 1 - ADAM_BETA1 ** step, c2: 1 - ADAM_BETA2 ** step, clip: p.clipValue, weightDecay: p.weightDecay };
            init.forEach((wi, k) => {
              const v = vars[k] as tf.Variable;
              const w = values[k] as Float32Array;
              adamStep(w, readFloats(grads[v.name] as tf.Tensor), m1[k] as Float32Array, m2[k] as Float32Array, wi.decay, adam);
              v.assign(tf.tensor(w, wi.shape));
            });
            return value.dataSync()[0] as number;
          });
          lossSum += loss * B;
        }
        const trainLoss = lossSum / N;
        let validLoss: number | undefined;
        if (options.valid && zValid) {
          const pred = this.forwardAll(net, named, zValid, options.valid.rows, F, seq, columns);
          validLoss = p.metric === 'ic' && options.valid.group ? -meanGroupCorrelation(pred, options.valid.y, options.valid.group) : meanLoss(pred, options.valid.y, options.valid.weight, binary);
        }
        options.onProgress?.({ iteration: epochs, trainLoss, ...(validLoss === undefined ? {} : { validLoss }) });
        if (validLoss !== undefined && Number.isFinite(validLoss) && (bestLoss === null || validLoss < bestLoss)) {
          bestLoss = validLoss;
          bestEpoch = epochs;
          best = snapshot();
        }
        if (!Number.isFinite(trainLoss)) {
          throw new QuantError('ML_DIVERGED', `${where}: the training loss is ${trainLoss} at epoch ${epochs}; lower learningRate or clipValue`, { details: { epoch: epochs } });
        }
        if (validLoss !== undefined && p.earlyStoppingRounds > 0 && epochs - bestEpoch >= p.earlyStoppingRounds) break;
      }
      const weights = best ?? snapshot();
      if (!best) bestEpoch = epochs;
      weights.forEach((w, name) => (named[name] as tf.Variable).assign(tf.tensor(w.data, w.shape)));
      const importance = this.saliency(net, named, zTrain, N, F, seq, columns);
      this.fitted = { featureNames: [...train.featureNames], center, scale, weights, importance, seed, epochs, bestEpoch };
    } finally {
      for (const v of vars) v.dispose();
    }
    return { iterations: bestEpoch, bestIteration: bestEpoch, bestValidLoss: bestLoss, seconds: (performance.now() - started) / 1000 };
  }

  /** Raw scores for the cleaned matrix, chunk by chunk (no gradient). */
  private forwardAll(
    net: Network,
    w: Readonly<Record<string, tf.Tensor>>,
    z: Float32Array,
    rows: number,
    F: number,
    seq: SequenceSpec | null,
    columns: Int32Array | null,
  ): Float32Array {
    const out = new Float32Array(rows);
    const ctx: ForwardContext = { training: false, inputGrad: false, dropout: (x) => x };
    for (let from = 0; from < rows; from += PREDICT_CHUNK) {
      const to = Math.min(rows, from + PREDICT_CHUNK);
      const B = to - from;
      const xb = pack(z, F, null, from, to, net.layout, seq, columns);
      const scores = tf.tidy(() => net.forward(w, tf.tensor2d(xb, packedShape(net.layout, B, F, seq)), B, ctx).dataSync() as Float32Array);
      out.set(scores, from);
    }
    return out;
  }

  /** Mean |d score / d cleaned input| per column over evenly spaced training rows. */
  private saliency(net: Network, w: Readonly<Record<string, tf.Tensor>>, z: Float32Array, rows: number, F: number, seq: SequenceSpec | null, columns: Int32Array | null): Float64Array {
    const n = Math.min(rows, SALIENCY_ROWS);
    const pick = Int32Array.from({ length: n }, (_, i) => Math.floor((i * rows) / n));
    const xb = pack(z, F, pick, 0, n, net.layout, seq, columns);
    const ctx: ForwardContext = { training: false, inputGrad: true, dropout: (x) => x };
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(net.forward(w, x as tf.Tensor2D, n, ctx)))(tf.tensor2d(xb, packedShape(net.layout, n, F, seq))).dataSync() as Float32Array);
    const imp = new Float64Array(F);
    if (net.layout === 'rows' || !seq || !columns) {
      for (let i = 0; i < g.length; i++) imp[i % F] = (imp[i % F] as number) + Math.abs(g[i] as number) / n;
      return imp;
    }
    const { steps: T, fields: C } = seq;
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < T; t++) {
        const o = net.layout === 'time-major' ? (t * n + b) * C : (b * T + t) * C;
        for (let c = 0; c < C; c++) {
          const col = columns[t * C + c] as number;
          imp[col] = (imp[col] as number) + Math.abs(g[o + c] as number) / n;
        }
      }
    }
    return imp;
  }

  private requireFitted(where: string): Fitted {
    if (!this.fitted) throw new QuantError('ML_NOT_FITTED', `${this.kind}.${where}: the model is not fitted (call fit or load an artefact)`, { details: { kind: this.kind } });
    return this.fitted;
  }

  predict(x: Float32Array, rows: number): Float64Array {
    const m = this.requireFitted('predict');
    const F = m.featureNames.length;
    checkMatrix(`${this.kind}.predict`, x, rows, F);
    readyBackend(`${this.kind}.predict`);
    const dims = this.dims(F);
    const net = network(this.kind, dims);
    const seq = dims.sequence;
    const tensors: Record<string, tf.Tensor> = {};
    m.weights.forEach((w, name) => (tensors[name] = tf.tensor(w.data, w.shape)));
    try {
      const raw = this.forwardAll(net, tensors, clean(x, F, m.center, m.scale), rows, F, seq, seq ? sequenceColumns(seq) : null);
      const out = new Float64Array(rows);
      for (let i = 0; i < rows; i++) out[i] = this.params.objective === 'binary' ? Math.fround(sigmoid(raw[i] as number)) : (raw[i] as number);
      return out;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  /** Saliency (mean absolute gradient of the score on standardised inputs) for both types. */
  importance(type: 'gain' | 'split'): Record<string, number> {
    const m = this.requireFitted('importance');
    if (type !== 'gain' && type !== 'split') throw new QuantError('ML_BAD_INPUT', `${this.kind}.importance: type must be gain or split, got ${String(type)}`, {});
    return Object.fromEntries(m.featureNames.map((name, j) => [name, m.importance[j] as number]));
  }

  toOnnx(): Uint8Array {
    const m = this.requireFitted('toOnnx');
    const F = m.featureNames.length;
    const net = network(this.kind, this.dims(F));
    const g = new OnnxBuilder();
    const score = net.onnx(m.weights, g, cleanInput(g, 'features', m.center, m.scale));
    g.op(this.params.objective === 'binary' ? 'Sigmoid' : 'Identity', [score], [], 'score');
    return scoringModel(F, g.nodes, g.initializers, {
      graphName: this.kind,
      metadata: { 'quant.kind': this.kind, 'quant.objective': this.params.objective, 'quant.featureNames': JSON.stringify(m.featureNames) },
    });
  }

  metadata(): ModelMetadata {
    const m = this.requireFitted('metadata');
    return {
      kind: this.kind,
      objective: this.params.objective,
      featureNames: [...m.featureNames],
      params: JSON.parse(JSON.stringify(this.params)) as Record<string, unknown>,
      seed: m.seed,
      extra: { epochs: m.epochs, bestEpoch: m.bestEpoch, missing: this.params.standardize ? 'NaN -> training mean' : 'NaN -> 0' },
    };
  }

  save(): Uint8Array {
    const m = this.requireFitted('save');
    const artefact = {
      format: ARTEFACT_FORMAT,
      version: ARTEFACT_VERSION,
      kind: this.kind,
      params: this.params,
      seed: m.seed,
      epochs: m.epochs,
      bestEpoch: m.bestEpoch,
      featureNames: m.featureNames,
      center: m.center ? toBase64(m.center) : null,
      scale: m.scale ? toBase64(m.scale) : null,
      importance: Array.from(m.importance),
      weights: [...m.weights.values()].map((w) => ({ name: w.name, shape: w.shape, decay: w.decay, data: toBase64(w.data) })),
    };
    return new TextEncoder().encode(JSON.stringify(artefact));
  }

  static load(bytes: Uint8Array, expectedKind?: DeepKind): DeepModel {
    const { fields: a, kind, featureNames: names, bad } = readJsonArtefact(bytes, { label: 'deep model', format: ARTEFACT_FORMAT, version: ARTEFACT_VERSION, kinds: DEEP_KINDS, expectedKind });
    const model = new DeepModel(kind, a['params'] as Record<string, unknown>);
    const F = names.length;
    const net = network(kind, model.dims(F));
    const expected = net.init(new SeededRandom(0));
    const stored = a['weights'] as { name: string; shape: number[]; decay: boolean; data: string }[];
    if (!Array.isArray(stored) || stored.length !== expected.length) throw bad(`holds ${Array.isArray(stored) ? stored.length : 'no'} weights, the network has ${expected.length}`);
    const weights = new Map<string, WeightInit>();
    expected.forEach((e, i) => {
      const s = stored[i];
      if (!s || s.name !== e.name || JSON.stringify(s.shape) !== JSON.stringify(e.shape)) throw bad(`weight ${i} is ${s?.name} ${JSON.stringify(s?.shape)}, expected ${e.name} ${JSON.stringify(e.shape)}`);
      const data = fromBase64(s.data);
      if (data.length !== e.data.length) throw bad(`weight ${e.name} has ${data.length} values, expected ${e.data.length}`);
      weights.set(e.name, { ...e, data });
    });
    const vec = (key: string): Float32Array | null => {
      const v = a[key];
      if (v === null) return null;
      const f = typeof v === 'string' ? fromBase64(v) : null;
      if (!f || f.length !== F) throw bad(`${key} must hold ${F} values`);
      return f;
    };
    const importance = a['importance'];
    if (!Array.isArray(importance) || importance.length !== F) throw bad(`importance must hold ${F} values`);
    model.fitted = {
      featureNames: names,
      center: vec('center'),
      scale: vec('scale'),
      weights,
      importance: Float64Array.from(importance as number[]),
      seed: Number(a['seed']),
      epochs: Number(a['epochs']),
      bestEpoch: Number(a['bestEpoch']),
    };
    return model;
  }
}

function meanLoss(score: Float32Array, y: Float32Array, weight: Float32Array | undefined, binary: boolean): number {
  let sum = 0;
  let sw = 0;
  for (let i = 0; i < score.length; i++) {
    const s = score[i] as number;
    const t = y[i] as number;
    const l = binary ? Math.max(s, 0) - s * t + Math.log1p(Math.exp(-Math.abs(s))) : (s - t) ** 2;
    const w = weight ? (weight[i] as number) : 1;
    sum += w * l;
    sw += w;
  }
  return sw > 0 ? sum / sw : NaN;
}

function factory(kind: DeepKind): ModelFactory {
  return { kind, create: (params) => new DeepModel(kind, params), load: (artefact) => DeepModel.load(artefact, kind) };
}

export const DEEP_FACTORIES: readonly ModelFactory[] = DEEP_KINDS.map(factory);
