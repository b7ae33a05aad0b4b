/**
 * Linear models over standardised features: logistic regression, ridge regression and a linear SVM
 * (squared hinge) with an optional random-Fourier-features map approximating an RBF kernel.
 *
 * One pipeline for all three, mirrored step by step in the ONNX export:
 *   NaN -> training mean (missing), (x - mean) / sd, [z = sqrt(2/D) cos(x W + b)], w . z + bias [, sigmoid].
 * Every constant the pipeline uses is rounded to float32 before it is used in training or prediction,
 * so the ONNX graph (float32 initialisers) holds exactly the numbers `predict` uses.
 *
 * Training is full-batch and single-threaded: the same data, params and seed give the same artefact bytes.
 */
import { QuantError } from '@quant/errors';
import type { Dataset, FitOptions, FitReport, Model, ModelFactory, ModelMetadata, Objective } from '../model.port';
import { linearToOnnx } from '../onnx/linear';
import { lbfgs, solveSpd } from './optim';
import { SeededRandom } from './rng';
import { checkDataset, checkMatrix } from './validate';
import { readJsonArtefact } from '../json-artefact';

export type LinearKind = 'logistic-regression' | 'ridge' | 'linear-svm';
export const LINEAR_KINDS: readonly LinearKind[] = ['logistic-regression', 'ridge', 'linear-svm'];

export interface LinearParams {
  /** L2 penalty (l2 / 2) * ||w||^2 on the weights, not the intercept; the data term is a weighted mean. */
  l2: number;
  /** L-BFGS iterations (logistic regression, SVM). */
  maxIterations: number;
  tolerance: number;
  /** Stop when the validation loss has not improved for this many iterations and keep the best (0: off). */
  earlyStoppingRounds: number;
  /** SVM only: 'rbf' maps the standardised features through random Fourier features first. */
  kernel: 'linear' | 'rbf';
  /** RFF dimension D (kernel 'rbf'). */
  components: number;
  /** RBF kernel exp(-gamma ||u - v||^2) on standardised features; null: 1 / featureCount. */
  gamma: number | null;
}

const DEFAULTS: LinearParams = { l2: 1e-3, maxIterations: 200, tolerance: 1e-7, earlyStoppingRounds: 0, kernel: 'linear', components: 256, gamma: null };

const OBJECTIVE: Record<LinearKind, Objective> = { 'logistic-regression': 'binary', ridge: 'regression', 'linear-svm': 'binary' };

const ARTEFACT_FORMAT = 'quant-ml-linear';
const ARTEFACT_VERSION = 1;

function badParams(kind: string, message: string): QuantError {
  return new QuantError('ML_BAD_PARAMS', `${kind}: ${message}`, { details: { kind } });
}

export function resolveLinearParams(kind: LinearKind, raw: Record<string, unknown>): LinearParams {
  const allowed = new Set(kind === 'linear-svm' ? Object.keys(DEFAULTS) : ['l2', 'maxIterations', 'tolerance', 'earlyStoppingRounds']);
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) throw badParams(kind, `unknown parameter ${key}; known: ${[...allowed].join(', ')}`);
  }
  const p: LinearParams = { ...DEFAULTS, ...(raw as Partial<LinearParams>) };
  const positive = (name: keyof LinearParams, v: unknown, integer = false, allowZero = false): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0) || (integer && !Number.isInteger(v))) {
      throw badParams(kind, `${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${String(v)}`);
    }
  };
  positive('l2', p.l2, false, true);
  positive('maxIterations', p.maxIterations, true);
  positive('tolerance', p.tolerance, false, true);
  positive('earlyStoppingRounds', p.earlyStoppingRounds, true, true);
  if (p.kernel !== 'linear' && p.kernel !== 'rbf') throw badParams(kind, `kernel must be 'linear' or 'rbf', got ${String(p.kernel)}`);
  positive('components', p.components, true);
  if (p.gamma !== null) positive('gamma', p.gamma);
  // Only the parameters a kind uses go into its metadata and artefact.
  if (kind === 'linear-svm') return p;
  return { l2: p.l2, maxIterations: p.maxIterations, tolerance: p.tolerance, earlyStoppingRounds: p.earlyStoppingRounds } as LinearParams;
}

interface RffMap {
  components: number;
  /** featureCount x components, float32. */
  weights: Float32Array;
  offsets: Float32Array;
  scale: number;
}

interface Fitted {
  featureNames: string[];
  center: Float32Array;
  scale: Float32Array;
  weights: Float32Array;
  bias: number;
  rff: RffMap | null;
  seed: number;
  iterations: number;
}

/** A design matrix the optimiser sees: margins for given parameters and the gradient back. */
interface Design {
  rows: number;
  cols: number;
  /** out[i] = theta[cols] + sum_k z_ik theta[k]. */
  margins(theta: Float64Array, out: Float64Array): void;
  /** g[k] = sum_i r_i z_ik, g[cols] = sum_i r_i. */
  gradient(r: Float64Array, g: Float64Array): void;
}

/** Standardised features computed on the fly (no copy of an N x F matrix); NaN contributes 0 (the mean). */
function standardisedDesign(x: Float32Array, rows: number, cols: number, center: Float32Array, scale: Float32Array): Design {
  const inv = new Float64Array(cols);
  for (let j = 0; j < cols; j++) inv[j] = 1 / (scale[j] as number);
  const ws = new Float64Array(cols);
  return {
    rows,
    cols,
    margins(theta, out) {
      for (let j = 0; j < cols; j++) ws[j] = (theta[j] as number) * (inv[j] as number);
      const b = theta[cols] as number;
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        let s = b;
        for (let j = 0; j < cols; j++) {
          const v = x[o + j] as number;
          if (v === v) s += (v - (center[j] as number)) * (ws[j] as number);
        }
        out[i] = s;
      }
    },
    gradient(r, g) {
      g.fill(0);
      let gb = 0;
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        const ri = r[i] as number;
        if (ri === 0) continue;
        gb += ri;
        for (let j = 0; j < cols; j++) {
          const v = x[o + j] as number;
          if (v === v) g[j] = (g[j] as number) + ri * (v - (center[j] as number));
        }
      }
      for (let j = 0; j < cols; j++) g[j] = (g[j] as number) * (inv[j] as number);
      g[cols] = gb;
    },
  };
}

function denseDesign(z: Float32Array, rows: number, cols: number): Design {
  return {
    rows,
    cols,
    margins(theta, out) {
      const b = theta[cols] as number;
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        let s = b;
        for (let k = 0; k < cols; k++) s += (z[o + k] as number) * (theta[k] as number);
        out[i] = s;
      }
    },
    gradient(r, g) {
      g.fill(0);
      let gb = 0;
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        const ri = r[i] as number;
        if (ri === 0) continue;
        gb += ri;
        for (let k = 0; k < cols; k++) g[k] = (g[k] as number) + ri * (z[o + k] as number);
      }
      g[cols] = gb;
    },
  };
}

/** Standardised row values, then the RFF map when there is one: rows x (F or D) float32. */
function featureMap(x: Float32Array, rows: number, cols: number, center: Float32Array, scale: Float32Array, rff: RffMap): Float32Array {
  const D = rff.components;
  const out = new Float32Array(rows * D);
  const u = new Float64Array(cols);
  const a = new Float64Array(D);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j] as number;
      u[j] = v === v ? (v - (center[j] as number)) / (scale[j] as number) : 0;
    }
    for (let k = 0; k < D; k++) a[k] = rff.offsets[k] as number;
    for (let j = 0; j < cols; j++) {
      const uj = u[j] as number;
      if (uj === 0) continue;
      const row = j * D;
      for (let k = 0; k < D; k++) a[k] = (a[k] as number) + uj * (rff.weights[row + k] as number);
    }
    const od = i * D;
    for (let k = 0; k < D; k++) out[od + k] = Math.cos(a[k] as number) * rff.scale;
  }
  return out;
}

type Loss = (m: number, y: number) => { loss: number; d: number };

const softplus = (m: number): number => (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
const sigmoid = (m: number): number => (m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m)));

const LOSSES: Record<LinearKind, Loss> = {
  'logistic-regression': (m, y) => ({ loss: softplus(m) - y * m, d: sigmoid(m) - y }),
  'linear-svm': (m, y) => {
    const t = y > 0.5 ? 1 : -1;
    const v = 1 - t * m;
    return v > 0 ? { loss: v * v, d: -2 * t * v } : { loss: 0, d: 0 };
  },
  ridge: (m, y) => ({ loss: 0.5 * (m - y) * (m - y), d: m - y }),
};

function columnStats(d: Dataset): { center: Float32Array; scale: Float32Array } {
  const F = d.cols;
  const center = new Float32Array(F);
  const scale = new Float32Array(F);
  const sum = new Float64Array(F);
  const count = new Float64Array(F);
  for (let i = 0, o = 0; i < d.rows; i++, o += F) {
    for (let j = 0; j < F; j++) {
      const v = d.x[o + j] as number;
      if (v === v) {
        sum[j] = (sum[j] as number) + v;
        count[j] = (count[j] as number) + 1;
      }
    }
  }
  const mean = new Float64Array(F);
  for (let j = 0; j < F; j++) mean[j] = (count[j] as number) > 0 ? (sum[j] as number) / (count[j] as number) : 0;
  const ss = new Float64Array(F);
  for (let i = 0, o = 0; i < d.rows; i++, o += F) {
    for (let j = 0; j < F; j++) {
      const v = d.x[o + j] as number;
      if (v === v) ss[j] = (ss[j] as number) + (v - (mean[j] as number)) ** 2;
    }
  }
  for (let j = 0; j < F; j++) {
    center[j] = mean[j] as number;
    const sd = (count[j] as number) > 0 ? Math.sqrt((ss[j] as number) / (count[j] as number)) : 0;
    // A constant (or all-missing) column standardises to 0 whatever its scale; 1 avoids dividing by 0.
    scale[j] = sd > 1e-12 && Number.isFinite(Math.fround(sd)) && Math.fround(sd) > 0 ? sd : 1;
  }
  return { center, scale };
}

function checkLabels(kind: LinearKind, where: string, y: Float32Array): void {
  if (kind === 'ridge') return;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    const ok = kind === 'linear-svm' ? v === 0 || v === 1 : v >= 0 && v <= 1;
    if (!ok) {
      throw new QuantError('ML_BAD_LABEL', `${kind} ${where}: label of row ${i} is ${v}; expected ${kind === 'linear-svm' ? '0 or 1' : 'a value in [0, 1]'}`, {
        details: { kind, where, row: i },
      });
    }
  }
}

export class LinearModel implements Model {
  readonly kind: LinearKind;
  private readonly params: LinearParams;
  private fitted: Fitted | null = null;
  private extra: Record<string, unknown> = {};

  constructor(kind: LinearKind, params: Record<string, unknown> = {}) {
    if (!LINEAR_KINDS.includes(kind)) throw badParams(String(kind), `not a linear model kind (${LINEAR_KINDS.join(', ')})`);
    this.kind = kind;
    this.params = resolveLinearParams(kind, params);
  }

  /** Trainer-provided extras (label, window, data hash, metrics) carried in metadata and the artefact. */
  setExtra(extra: Record<string, unknown>): void {
    this.extra = { ...extra };
  }

  async fit(train: Dataset, options: FitOptions = {}): Promise<FitReport> {
    const started = performance.now();
    const where = `${this.kind}.fit`;
    checkDataset(`${where} train`, train);
    checkLabels(this.kind, 'train', train.y);
    if (options.valid) {
      checkDataset(`${where} valid`, options.valid, train.featureNames);
      checkLabels(this.kind, 'valid', options.valid.y);
    }
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw badParams(this.kind, `seed must be an integer, got ${seed}`);
    const F = train.cols;
    const { center, scale } = columnStats(train);

    let rff: RffMap | null = null;
    if (this.kind === 'linear-svm' && this.params.kernel === 'rbf') {
      const D = this.params.components;
      const gamma = this.params.gamma ?? 1 / F;
      // exp(-gamma ||d||^2) is the characteristic function of N(0, 2 gamma I): w ~ N(0, 2 gamma), b ~ U(0, 2 pi).
      const rng = new SeededRandom(seed);
      const sd = Math.sqrt(2 * gamma);
      const weights = new Float32Array(F * D);
      for (let i = 0; i < weights.length; i++) weights[i] = sd * rng.normal();
      const offsets = new Float32Array(D);
      for (let k = 0; k < D; k++) offsets[k] = 2 * Math.PI * rng.next();
      rff = { components: D, weights, offsets, scale: Math.fround(Math.sqrt(2 / D)) };
    }
    const design = (d: Dataset): Design =>
      rff ? denseDesign(featureMap(d.x, d.rows, F, center, scale, rff), d.rows, rff.components) : standardisedDesign(d.x, d.rows, F, center, scale);
    const trainDesign = design(train);
    const validDesign = options.valid ? design(options.valid) : null;
    const loss = LOSSES[this.kind];
    const P = trainDesign.cols;

    const meanLoss = (d: Design, data: Dataset, theta: Float64Array, margins: Float64Array): number => {
      d.margins(theta, margins);
      let sum = 0;
      let sw = 0;
      for (let i = 0; i < data.rows; i++) {
        const w = data.weight ? (data.weight[i] as number) : 1;
        sum += w * loss(margins[i] as number, data.y[i] as number).loss;
        sw += w;
      }
      return sw > 0 ? sum / sw : 0;
    };
    const validMargins = options.valid ? new Float64Array(options.valid.rows) : null;
    const validLoss = (theta: Float64Array): number | undefined =>
      validDesign && options.valid && validMargins ? meanLoss(validDesign, options.valid, theta, validMargins) : undefined;

    let theta: Float64Array;
    let iterations: number;
    let bestIteration: number;
    let bestValidLoss: number | null = null;
    if (this.kind === 'ridge') {
      theta = this.solveRidge(train, center, scale);
      iterations = 1;
      bestIteration = 1;
      bestValidLoss = validLoss(theta) ?? null;
      options.onProgress?.({ iteration: 1, trainLoss: meanLoss(trainDesign, train, theta, new Float64Array(train.rows)), ...(bestValidLoss === null ? {} : { validLoss: bestValidLoss }) });
    } else {
      const margins = new Float64Array(train.rows);
      const r = new Float64Array(train.rows);
      let sw = 0;
      for (let i = 0; i < train.rows; i++) sw += train.weight ? (train.weight[i] as number) : 1;
      if (!(sw > 0)) throw new QuantError('ML_BAD_INPUT', `${where}: the training weights sum to 0`, {});
      const l2 = this.params.l2;
      const fg = (th: Float64Array, g: Float64Array): number => {
        trainDesign.margins(th, margins);
        let sum = 0;
        for (let i = 0; i < train.rows; i++) {
          const w = train.weight ? (train.weight[i] as number) : 1;
          const { loss: li, d } = loss(margins[i] as number, train.y[i] as number);
          sum += w * li;
          r[i] = (w * d) / sw;
        }
        trainDesign.gradient(r, g);
        let reg = 0;
        for (let k = 0; k < P; k++) {
          const t = th[k] as number;
          reg += t * t;
          g[k] = (g[k] as number) + l2 * t;
        }
        return sum / sw + 0.5 * l2 * reg;
      };
      let best: Float64Array | null = null;
      bestIteration = 0;
      const rounds = this.params.earlyStoppingRounds;
      const result = lbfgs(fg, new Float64Array(P + 1), {
        maxIterations: this.params.maxIterations,
        tolerance: this.params.tolerance,
        onIteration: (iteration, th, f) => {
          const vl = validLoss(th);
          options.onProgress?.({ iteration, trainLoss: f, ...(vl === undefined ? {} : { validLoss: vl }) });
          if (vl === undefined) return false;
          if (bestValidLoss === null || vl < bestValidLoss) {
            bestValidLoss = vl;
            bestIteration = iteration;
            best = Float64Array.from(th);
          }
          return rounds > 0 && iteration - bestIteration >= rounds;
        },
      });
      iterations = result.iterations;
      if (rounds > 0 && best !== null) theta = best;
      else {
        theta = result.theta;
        bestIteration = iterations;
        const vl = validLoss(theta);
        if (vl !== undefined) bestValidLoss = vl;
      }
    }

    const weights = new Float32Array(P);
    for (let k = 0; k < P; k++) weights[k] = theta[k] as number;
    this.fitted = { featureNames: [...train.featureNames], center, scale, weights, bias: Math.fround(theta[P] as number), rff, seed, iterations: bestIteration };
    return { iterations: bestIteration, bestIteration, bestValidLoss, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * Closed-form ridge on standardised features: ([U 1]' W [U 1] / sw + diag(l2, .., l2, 0)) theta = [U 1]' W y / sw,
   * the Gram matrix accumulated row by row (O(N F^2) time, O(F^2) memory).
   */
  private solveRidge(train: Dataset, center: Float32Array, scale: Float32Array): Float64Array {
    const F = train.cols;
    const n = F + 1;
    const A = new Float64Array(n * n);
    const b = new Float64Array(n);
    const u = new Float64Array(n);
    let sw = 0;
    for (let i = 0, o = 0; i < train.rows; i++, o += F) {
      const w = train.weight ? (train.weight[i] as number) : 1;
      if (w === 0) continue;
      sw += w;
      for (let j = 0; j < F; j++) {
        const v = train.x[o + j] as number;
        u[j] = v === v ? (v - (center[j] as number)) / (scale[j] as number) : 0;
      }
      u[F] = 1;
      const wy = w * (train.y[i] as number);
      for (let p = 0; p < n; p++) {
        const wu = w * (u[p] as number);
        if (wu === 0) continue;
        b[p] = (b[p] as number) + (u[p] as number) * wy;
        const row = p * n;
        for (let q = 0; q <= p; q++) A[row + q] = (A[row + q] as number) + wu * (u[q] as number);
      }
    }
    if (!(sw > 0)) throw new QuantError('ML_BAD_INPUT', 'ridge.fit: the training weights sum to 0', {});
    for (let p = 0; p < n; p++) {
      b[p] = (b[p] as number) / sw;
      for (let q = 0; q <= p; q++) {
        const v = (A[p * n + q] as number) / sw + (p === q && p < F ? this.params.l2 : 0);
        A[p * n + q] = v;
        A[q * n + p] = v;
      }
    }
    return solveSpd(A, b, n);
  }

  private requireFitted(where: string): Fitted {
    if (!this.fitted) throw new QuantError('ML_NOT_FITTED', `${this.kind}.${where}: the model is not fitted (call fit or load an artefact)`, { details: { kind: this.kind } });
    return this.fitted;
  }

  predict(x: Float32Array, rows: number): Float64Array {
    const m = this.requireFitted('predict');
    const F = m.featureNames.length;
    checkMatrix(`${this.kind}.predict`, x, rows, F);
    const out = new Float64Array(rows);
    if (m.rff) {
      const z = featureMap(x, rows, F, m.center, m.scale, m.rff);
      const D = m.rff.components;
      for (let i = 0; i < rows; i++) {
        let s = m.bias;
        for (let k = 0; k < D; k++) s += (z[i * D + k] as number) * (m.weights[k] as number);
        out[i] = s;
      }
    } else {
      for (let i = 0, o = 0; i < rows; i++, o += F) {
        let s = m.bias;
        for (let j = 0; j < F; j++) {
          const v = x[o + j] as number;
          if (v === v) s += (((v - (m.center[j] as number)) / (m.scale[j] as number)) * (m.weights[j] as number));
        }
        out[i] = s;
      }
    }
    if (this.kind === 'logistic-regression') for (let i = 0; i < rows; i++) out[i] = sigmoid(out[i] as number);
    return out;
  }

  /**
   * Linear: |w_j| on standardised features (both types: a linear model has no splits or gains; the
   * standardised coefficient is its importance). RFF: sum_k |w_k| |W_jk| scale, the magnitude of feature
   * j's route into the score.
   */
  importance(type: 'gain' | 'split'): Record<string, number> {
    const m = this.requireFitted('importance');
    if (type !== 'gain' && type !== 'split') throw new QuantError('ML_BAD_INPUT', `${this.kind}.importance: type must be gain or split, got ${String(type)}`, {});
    const out: Record<string, number> = {};
    m.featureNames.forEach((name, j) => {
      if (!m.rff) {
        out[name] = Math.abs(m.weights[j] as number);
        return;
      }
      const D = m.rff.components;
      let s = 0;
      for (let k = 0; k < D; k++) s += Math.abs(m.weights[k] as number) * Math.abs(m.rff.weights[j * D + k] as number);
      out[name] = s * m.rff.scale;
    });
    return out;
  }

  toOnnx(): Uint8Array {
    const m = this.requireFitted('toOnnx');
    return linearToOnnx({
      weights: m.weights,
      bias: m.bias,
      featureCount: m.featureNames.length,
      postTransform: this.kind === 'logistic-regression' ? 'logistic' : 'none',
      impute: m.center,
      center: m.center,
      scale: m.scale,
      ...(m.rff ? { rff: m.rff } : {}),
      metadata: { 'quant.kind': this.kind, 'quant.objective': OBJECTIVE[this.kind], 'quant.featureNames': JSON.stringify(m.featureNames) },
    });
  }

  metadata(): ModelMetadata {
    const m = this.requireFitted('metadata');
    return {
      kind: this.kind,
      objective: OBJECTIVE[this.kind],
      featureNames: [...m.featureNames],
      params: { ...this.params },
      seed: m.seed,
      extra: { ...this.extra, iterations: m.iterations, ...(this.kind === 'linear-svm' ? { score: 'margin (decision value), not a probability' } : {}) },
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
      iterations: m.iterations,
      extra: this.extra,
      featureNames: m.featureNames,
      center: Array.from(m.center),
      scale: Array.from(m.scale),
      weights: Array.from(m.weights),
      bias: m.bias,
      rff: m.rff ? { components: m.rff.components, scale: m.rff.scale, offsets: Array.from(m.rff.offsets), weights: Array.from(m.rff.weights) } : null,
    };
    return new TextEncoder().encode(JSON.stringify(artefact));
  }

  static load(bytes: Uint8Array, expectedKind?: LinearKind): LinearModel {
    const { fields: a, kind, featureNames: names, bad } = readJsonArtefact(bytes, { label: 'linear model', format: ARTEFACT_FORMAT, version: ARTEFACT_VERSION, kinds: LINEAR_KINDS, expectedKind });
    const F = names.length;
    const floats = (key: string, length: number, from: Record<string, unknown> = a): Float32Array => {
      const v = from[key];
      if (!Array.isArray(v) || v.length !== length || v.some((n) => typeof n !== 'number' || !Number.isFinite(n))) throw bad(`${key} must be ${length} finite numbers`);
      return Float32Array.from(v as number[]);
    };
    const model = new LinearModel(kind, a['params'] as Record<string, unknown>);
    let rff: RffMap | null = null;
    const r = a['rff'] as Record<string, unknown> | null;
    if (r) {
      const D = r['components'];
      if (typeof D !== 'number' || !Number.isInteger(D) || D < 1) throw bad('rff.components must be a positive integer');
      rff = { components: D, scale: Math.fround(Number(r['scale'])), offsets: floats('offsets', D, r), weights: floats('weights', F * D, r) };
    }
    const seed = a['seed'];
    const bias = a['bias'];
    if (typeof seed !== 'number' || typeof bias !== 'number' || !Number.isFinite(bias)) throw bad('seed and bias must be numbers');
    model.fitted = {
      featureNames: names,
      center: floats('center', F),
      scale: floats('scale', F),
      weights: floats('weights', rff ? rff.components : F),
      bias: Math.fround(bias),
      rff,
      seed,
      iterations: Number(a['iterations']),
    };
    model.extra = (a['extra'] as Record<string, unknown>) ?? {};
    return model;
  }
}

function factory(kind: LinearKind): ModelFactory {
  return { kind, create: (params) => new LinearModel(kind, params), load: (artefact) => LinearModel.load(artefact, kind) };
}

export const LINEAR_FACTORIES: readonly ModelFactory[] = LINEAR_KINDS.map(factory);
