/**
 * Input checks shared by the linear models (and usable by any model): a wrong width or +-Infinity is a
 * caller bug that must surface with where it happened; NaN is a missing value and passes.
 */
import { QuantError } from '@quant/errors';
import type { Dataset } from '../model.port';

export function checkMatrix(where: string, x: Float32Array, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new QuantError('ML_BAD_INPUT', `${where}: rows must be a non-negative integer, got ${rows}`, { details: { where, rows } });
  }
  if (x.length !== rows * cols) {
    throw new QuantError(
      'ML_FEATURE_COUNT',
      `${where}: the model takes ${cols} features per row; got ${x.length} values for ${rows} rows` +
        (rows > 0 ? ` (${(x.length / rows).toFixed(2)} per row)` : ''),
      { details: { where, expected: cols, values: x.length, rows } },
    );
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (v === Infinity || v === -Infinity) {
      const row = Math.floor(i / cols);
      throw new QuantError('ML_NON_FINITE', `${where}: row ${row}, feature ${i - row * cols} is ${v}; only finite values or NaN (missing) are accepted`, {
        details: { where, row, feature: i - row * cols },
      });
    }
  }
}

export function checkDataset(where: string, d: Dataset, expectedNames?: readonly string[]): void {
  if (d.featureNames.length !== d.cols) {
    throw new QuantError('ML_FEATURE_COUNT', `${where}: ${d.featureNames.length} feature names for ${d.cols} columns`, {
      details: { where, names: d.featureNames.length, cols: d.cols },
    });
  }
  if (expectedNames) {
    if (expectedNames.length !== d.cols) {
      throw new QuantError('ML_FEATURE_COUNT', `${where}: expected ${expectedNames.length} features (as the training set), got ${d.cols}`, {
        details: { where, expected: expectedNames.length, cols: d.cols },
      });
    }
    const i = expectedNames.findIndex((n, j) => d.featureNames[j] !== n);
    if (i >= 0) {
      throw new QuantError('ML_FEATURE_NAMES', `${where}: feature ${i} is ${d.featureNames[i]}, the training set has ${expectedNames[i]}`, { details: { where, index: i } });
    }
  }
  if (d.rows < 1) throw new QuantError('ML_BAD_INPUT', `${where}: no rows`, { details: { where } });
  checkMatrix(where, d.x, d.rows, d.cols);
  if (d.y.length !== d.rows) {
    throw new QuantError('ML_BAD_INPUT', `${where}: ${d.y.length} labels for ${d.rows} rows`, { details: { where, labels: d.y.length, rows: d.rows } });
  }
  for (let i = 0; i < d.rows; i++) {
    if (!Number.isFinite(d.y[i] as number)) {
      throw new QuantError('ML_BAD_LABEL', `${where}: label of row ${i} is ${d.y[i]}; labels must be finite`, { details: { where, row: i } });
    }
  }
  if (d.weight) {
    if (d.weight.length !== d.rows) {
      throw new QuantError('ML_BAD_INPUT', `${where}: ${d.weight.length} weights for ${d.rows} rows`, { details: { where, weights: d.weight.length, rows: d.rows } });
    }
    for (let i = 0; i < d.rows; i++) {
      const w = d.weight[i] as number;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new QuantError('ML_BAD_INPUT', `${where}: weight of row ${i} is ${w}; weights must be finite and >= 0`, { details: { where, row: i } });
      }
    }
  }
  if (d.group) checkGroups(where, d.group, d.rows);
}

/** Group sizes (ranking queries or dates, consecutive rows) must be positive and cover every row once. */
export function checkGroups(where: string, group: Int32Array, rows: number): void {
  let sum = 0;
  for (const g of group) {
    if (!(g > 0)) throw new QuantError('ML_BAD_INPUT', `${where}: query/date group sizes must be positive, got ${g}`, { details: { where } });
    sum += g;
  }
  if (sum !== rows) throw new QuantError('ML_BAD_INPUT', `${where}: query/date groups sum to ${sum}, dataset has ${rows} rows`, { details: { where, sum, rows } });
}
