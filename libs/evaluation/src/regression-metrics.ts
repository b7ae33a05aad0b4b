import { QuantError } from '@quant/errors';

export interface RegressionMetrics {
  /** Mean squared error. */
  mse: number;
  /** Mean absolute error. */
  mae: number;
  rows: number;
}

/** MSE and MAE over the pairs whose actual value is finite (sklearn's definitions). */
export function regressionMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): RegressionMetrics {
  if (predicted.length !== actual.length) {
    throw new QuantError('EVALUATION_INPUT_INVALID', `regression metrics need as many predictions (${predicted.length}) as actual values (${actual.length})`);
  }
  let n = 0;
  let se = 0;
  let ae = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] as number;
    if (!Number.isFinite(y)) continue;
    const e = (predicted[i] as number) - y;
    if (!Number.isFinite(e)) {
      throw new QuantError('EVALUATION_INPUT_INVALID', `prediction ${i} is not a finite number`, { details: { index: i } });
    }
    n++;
    se += e * e;
    ae += Math.abs(e);
  }
  return { mse: n ? se / n : NaN, mae: n ? ae / n : NaN, rows: n };
}
