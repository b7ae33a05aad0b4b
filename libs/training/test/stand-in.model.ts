// A tiny ridge regression implementing the model port, standing in for @quant/ml's models in tests.
import { QuantError } from '@quant/errors';
import type { Dataset, FitOptions, FitReport, Model, ModelFactory, ModelMetadata } from '@quant/ml';

class RidgeStandIn implements Model {
  readonly kind = 'ridge-stand-in';
  private weights: number[] = [];
  private bias = 0;
  private names: string[] = [];
  seenValidRows = 0;

  constructor(private readonly params: Record<string, unknown>) {}

  async fit(train: Dataset, options: FitOptions = {}): Promise<FitReport> {
    const F = train.cols;
    const lambda = typeof this.params['l2'] === 'number' ? this.params['l2'] : 1e-3;
    // Normal equations on [x, 1] with NaN read as 0.
    const n = F + 1;
    const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
    for (let r = 0; r < train.rows; r++) {
      const row = [...Array.from(train.x.subarray(r * F, r * F + F), (v) => (Number.isNaN(v) ? 0 : v)), 1];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) (a[i] as number[])[j] = ((a[i] as number[])[j] as number) + (row[i] as number) * (row[j] as number);
        (a[i] as number[])[n] = ((a[i] as number[])[n] as number) + (row[i] as number) * (train.y[r] as number);
      }
    }
    for (let i = 0; i < F; i++) (a[i] as number[])[i] = ((a[i] as number[])[i] as number) + lambda * train.rows;
    for (let p = 0; p < n; p++) {
      const pivot = (a[p] as number[])[p] as number;
      for (let i = 0; i < n; i++) {
        if (i === p) continue;
        const f = ((a[i] as number[])[p] as number) / pivot;
        for (let j = p; j <= n; j++) (a[i] as number[])[j] = ((a[i] as number[])[j] as number) - f * ((a[p] as number[])[j] as number);
      }
    }
    const w = a.map((row, i) => (row[n] as number) / (row[i] as number));
    this.weights = w.slice(0, F);
    this.bias = w[F] as number;
    this.names = [...train.featureNames];
    this.seenValidRows = options.valid?.rows ?? 0;
    return { iterations: 1, bestIteration: 1, bestValidLoss: null, seconds: 0 };
  }

  predict(x: Float32Array, rows: number): Float64Array {
    const F = this.weights.length;
    if (x.length !== rows * F) throw new QuantError('MODEL_INPUT_INVALID', `expected ${rows} x ${F} values, got ${x.length}`);
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = this.bias;
      for (let f = 0; f < F; f++) {
        const v = x[r * F + f] as number;
        if (v === Infinity || v === -Infinity) throw new QuantError('MODEL_INPUT_INVALID', 'infinite input');
        if (!Number.isNaN(v)) s += v * (this.weights[f] as number);
      }
      out[r] = s;
    }
    return out;
  }

  importance(): Record<string, number> {
    return Object.fromEntries(this.names.map((n, i) => [n, Math.abs(this.weights[i] as number)]));
  }

  toOnnx(): Uint8Array {
    return new TextEncoder().encode(`onnx-stand-in:${JSON.stringify(this.weights)}`);
  }

  save(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ weights: this.weights, bias: this.bias, names: this.names }));
  }

  metadata(): ModelMetadata {
    return { kind: this.kind, objective: 'regression', featureNames: this.names, params: this.params, seed: 0, extra: {} };
  }
}

export const ridgeStandIn: ModelFactory = {
  kind: 'ridge-stand-in',
  create: (params) => new RidgeStandIn(params),
  load: () => {
    throw new Error('not needed by these tests');
  },
};
