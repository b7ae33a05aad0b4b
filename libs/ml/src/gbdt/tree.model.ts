/**
 * The `gbdt` and `random-forest` models: the port around the shared tree engine. Artefacts are
 * UTF-8 JSON with a fixed key order, so the same seed, data and params give byte-identical files.
 */
import { QuantError } from '@quant/errors';
import type { Dataset, FitOptions, FitReport, Model, ModelFactory, ModelMetadata, TreeEnsembleSpec } from '../model.port';
import { treeEnsembleToOnnx } from '../onnx';
import { trainEnsemble } from './booster';
import { CompiledEnsemble } from './ensemble';
import { FOREST_DEFAULTS, GBDT_DEFAULTS, resolveParams, type TreeParams } from './params';

export type TreeModelKind = 'gbdt' | 'random-forest';

const FORMAT = 'quant-tree-ensemble';
const FORMAT_VERSION = 1;

interface Fitted {
  featureNames: string[];
  seed: number;
  spec: TreeEnsembleSpec;
  gain: number[];
  split: number[];
  bestIteration: number;
}

export class TreeEnsembleModel implements Model {
  readonly params: TreeParams;
  /** Free-form metadata set by the trainer (label, window, data hash, metrics); saved with the model. */
  extra: Record<string, unknown> = {};
  private fitted: Fitted | null = null;
  private compiled: CompiledEnsemble | null = null;

  constructor(
    readonly kind: TreeModelKind,
    params: Record<string, unknown> = {},
  ) {
    const { seed: _seed, ...rest } = params;
    this.params = resolveParams(kind, kind === 'gbdt' ? GBDT_DEFAULTS : FOREST_DEFAULTS, rest);
    if (_seed !== undefined) {
      if (typeof _seed !== 'number' || !Number.isInteger(_seed)) throw new QuantError('ML_BAD_PARAMS', `${kind}: seed must be an integer, got ${JSON.stringify(_seed)}`);
      this.defaultSeed = _seed;
    }
  }

  private defaultSeed = 0;

  async fit(train: Dataset, options: FitOptions = {}): Promise<FitReport> {
    const started = performance.now();
    const seed = options.seed ?? this.defaultSeed;
    if (!Number.isInteger(seed)) throw new QuantError('ML_BAD_PARAMS', `${this.kind}: seed must be an integer, got ${seed}`);
    const result = trainEnsemble(this.kind, train, this.params, options, seed);
    this.setFitted({ featureNames: [...train.featureNames], seed, spec: result.spec, gain: result.gain, split: result.split, bestIteration: result.bestIteration });
    return { iterations: result.iterations, bestIteration: result.bestIteration, bestValidLoss: result.bestValidLoss, seconds: (performance.now() - started) / 1000 };
  }

  /** The params that shape the model: numThreads changes only the speed, so it stays out of artefacts. */
  private savedParams(): Record<string, unknown> {
    const { numThreads: _threads, ...rest } = this.params;
    return rest;
  }

  private setFitted(f: Fitted): void {
    this.fitted = f;
    this.compiled = new CompiledEnsemble(f.spec);
  }

  private need(what: string): Fitted {
    if (!this.fitted) throw new QuantError('ML_NOT_FITTED', `${this.kind}: ${what} needs a fitted model (call fit or load first)`);
    return this.fitted;
  }

  predict(x: Float32Array, rows: number): Float64Array {
    this.need('predict');
    return this.compiled!.predict(x, rows);
  }

  /** The trees as plain data (thresholds: x <= t goes left; leaves already scaled). */
  treeEnsemble(): TreeEnsembleSpec {
    return this.need('treeEnsemble').spec;
  }

  importance(type: 'gain' | 'split'): Record<string, number> {
    const f = this.need('importance');
    const values = type === 'gain' ? f.gain : f.split;
    const out: Record<string, number> = {};
    f.featureNames.forEach((name, i) => (out[name] = values[i]!));
    return out;
  }

  toOnnx(): Uint8Array {
    const f = this.need('toOnnx');
    return treeEnsembleToOnnx(f.spec, { metadata: { kind: this.kind, objective: this.params.objective } });
  }

  metadata(): ModelMetadata {
    const f = this.need('metadata');
    return { kind: this.kind, objective: this.params.objective, featureNames: [...f.featureNames], params: this.savedParams(), seed: f.seed, extra: { ...this.extra } };
  }

  save(): Uint8Array {
    const f = this.need('save');
    const artefact = {
      format: FORMAT,
      version: FORMAT_VERSION,
      kind: this.kind,
      params: this.savedParams(),
      seed: f.seed,
      featureNames: f.featureNames,
      extra: this.extra,
      bestIteration: f.bestIteration,
      importance: { gain: f.gain, split: f.split },
      spec: {
        featureCount: f.spec.featureCount,
        baseScore: f.spec.baseScore,
        postTransform: f.spec.postTransform,
        // Leaves as [value]; splits as [feature, threshold, left, right, missingGoesLeft 0/1].
        trees: f.spec.trees.map((t) => t.map((n) => (n.leaf !== undefined ? [n.leaf] : [n.feature, n.threshold, n.left, n.right, n.missingGoesLeft ? 1 : 0]))),
      },
    };
    return new TextEncoder().encode(JSON.stringify(artefact));
  }

  static load(kind: TreeModelKind, bytes: Uint8Array): TreeEnsembleModel {
    let a: {
      format?: unknown;
      version?: unknown;
      kind?: unknown;
      params: Record<string, unknown>;
      seed: number;
      featureNames: string[];
      extra: Record<string, unknown>;
      bestIteration: number;
      importance: { gain: number[]; split: number[] };
      spec: { featureCount: number; baseScore: number; postTransform: 'none' | 'logistic'; trees: number[][][] };
    };
    try {
      a = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (cause) {
      throw new QuantError('ML_BAD_ARTEFACT', `${kind}: artefact is not UTF-8 JSON`, { cause });
    }
    if (a?.format !== FORMAT || a.version !== FORMAT_VERSION || a.kind !== kind) {
      throw new QuantError('ML_BAD_ARTEFACT', `${kind}: artefact is ${String(a?.format)} v${String(a?.version)} of kind ${String(a?.kind)}, expected ${FORMAT} v${FORMAT_VERSION} of kind ${kind}`);
    }
    const model = new TreeEnsembleModel(kind, { ...a.params, seed: a.seed });
    model.extra = a.extra ?? {};
    const spec: TreeEnsembleSpec = {
      featureCount: a.spec.featureCount,
      baseScore: a.spec.baseScore,
      postTransform: a.spec.postTransform,
      trees: a.spec.trees.map((t) =>
        t.map((n) =>
          n.length === 1
            ? { feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leaf: n[0]! }
            : { feature: n[0]!, threshold: n[1]!, left: n[2]!, right: n[3]!, missingGoesLeft: n[4] === 1 },
        ),
      ),
    };
    model.setFitted({ featureNames: a.featureNames, seed: a.seed, spec, gain: a.importance.gain, split: a.importance.split, bestIteration: a.bestIteration });
    return model;
  }
}

export class GbdtModel extends TreeEnsembleModel {
  constructor(params: Record<string, unknown> = {}) {
    super('gbdt', params);
  }
}

export class RandomForestModel extends TreeEnsembleModel {
  constructor(params: Record<string, unknown> = {}) {
    super('random-forest', params);
  }
}

export const gbdtFactory: ModelFactory = {
  kind: 'gbdt',
  create: (params) => new GbdtModel(params),
  load: (artefact) => TreeEnsembleModel.load('gbdt', artefact),
};

export const randomForestFactory: ModelFactory = {
  kind: 'random-forest',
  create: (params) => new RandomForestModel(params),
  load: (artefact) => TreeEnsembleModel.load('random-forest', artefact),
};

export const GBDT_FACTORIES: ModelFactory[] = [gbdtFactory, randomForestFactory];

