/**
 * Evaluation of a TreeEnsembleSpec on raw float32 rows, exactly as the ONNX TreeEnsembleRegressor
 * does it (BRANCH_LEQ: x <= threshold goes left; NaN follows the learned missing direction). Model
 * predictions go through this one evaluator, so predict and the exported spec cannot drift apart.
 */
import { QuantError } from '@quant/errors';
import type { TreeEnsembleSpec } from '../model.port';

export class CompiledEnsemble {
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly missingLeft: Uint8Array;
  private readonly value: Float64Array;

  constructor(readonly spec: TreeEnsembleSpec) {
    const total = spec.trees.reduce((n, t) => n + t.length, 0);
    this.roots = new Int32Array(spec.trees.length);
    this.feature = new Int32Array(total);
    this.threshold = new Float64Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.missingLeft = new Uint8Array(total);
    this.value = new Float64Array(total);
    let at = 0;
    spec.trees.forEach((tree, t) => {
      this.roots[t] = at;
      tree.forEach((node, i) => {
        const k = at + i;
        if (node.leaf !== undefined) {
          this.feature[k] = -1;
          this.value[k] = node.leaf;
        } else {
          this.feature[k] = node.feature;
          this.threshold[k] = node.threshold;
          this.left[k] = at + node.left;
          this.right[k] = at + node.right;
          this.missingLeft[k] = node.missingGoesLeft ? 1 : 0;
        }
      });
      at += tree.length;
    });
  }

  /** Raw score of one row (base + sum of leaves, before the post transform). */
  rawRow(x: Float32Array, offset: number, trees = this.roots.length): number {
    let sum = 0;
    for (let t = 0; t < trees; t++) {
      let k = this.roots[t]!;
      for (;;) {
        const f = this.feature[k]!;
        if (f < 0) break;
        const v = x[offset + f]!;
        k = (Number.isNaN(v) ? this.missingLeft[k] === 1 : v <= this.threshold[k]!) ? this.left[k]! : this.right[k]!;
      }
      sum += this.value[k]!;
    }
    return this.spec.baseScore + sum;
  }

  predict(x: Float32Array, rows: number): Float64Array {
    checkMatrix(x, rows, this.spec.featureCount, 'predict');
    const out = new Float64Array(rows);
    const f = this.spec.featureCount;
    const logistic = this.spec.postTransform === 'logistic';
    for (let r = 0; r < rows; r++) {
      const raw = this.rawRow(x, r * f);
      out[r] = logistic ? 1 / (1 + Math.exp(-raw)) : raw;
    }
    return out;
  }
}

/** Shape and value checks shared by fit and predict: NaN is missing, +-Infinity is refused. */
export function checkMatrix(x: Float32Array, rows: number, cols: number, where: string): void {
  if (!Number.isInteger(rows) || rows < 0) throw new QuantError('ML_BAD_INPUT', `${where}: rows must be a non-negative integer, got ${rows}`);
  if (x.length !== rows * cols) {
    throw new QuantError('ML_FEATURE_COUNT', `${where}: expected ${rows} rows x ${cols} features = ${rows * cols} values, got ${x.length}`, {
      details: { rows, expectedFeatures: cols, values: x.length },
    });
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === Infinity || v === -Infinity) {
      const row = Math.floor(i / cols);
      const col = i % cols;
      throw new QuantError('ML_NON_FINITE', `${where}: row ${row}, feature ${col} is ${v} (NaN means missing; infinities are refused)`, {
        details: { row, feature: col },
      });
    }
  }
}
