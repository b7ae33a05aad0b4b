import type { FeatureCalculator, FeatureDefinition } from '../feature.port';
import { createRowCalculator } from '../core/row.calculator';

/**
 * Alpha360 as Qlib's Alpha360DL builds it: the last 60 days of close, open, high, low, vwap divided by
 * today's close, and of volume divided by today's volume (+1e-12): CLOSE59..CLOSE0, OPEN59..OPEN0, ...,
 * VOLUME59..VOLUME0.
 */
const LAGS = 60;
const PRICE_FIELDS = ['close', 'open', 'high', 'low', 'vwap'] as const;
const ALL_FIELDS = [...PRICE_FIELDS, 'volume'] as const;

function definition(field: (typeof ALL_FIELDS)[number], lag: number): FeatureDefinition {
  const value = lag === 0 ? `$${field}` : `Ref($${field}, ${lag})`;
  const formula = field === 'volume' ? `${value}/($volume+1e-12)` : `${value}/$close`;
  return {
    name: `${field.toUpperCase()}${lag}`,
    family: 'technical',
    formula,
    inputs: field === 'volume' || field === 'close' ? [field] : [field, 'close'],
    warmup: lag + 1,
  };
}

export const ALPHA360_DEFINITIONS: readonly FeatureDefinition[] = ALL_FIELDS.flatMap((field) =>
  Array.from({ length: LAGS }, (_, k) => definition(field, LAGS - 1 - k)),
);

export const alpha360Calculator: FeatureCalculator = createRowCalculator({
  name: 'alpha360',
  definitions: ALPHA360_DEFINITIONS,
  inputs: ALL_FIELDS,
  optional: ['vwap'],
  lookback: LAGS,
  compute(cols, i, available, out, stride, row) {
    const close = cols[0]![i]!;
    const volume = cols[5]![i]! + 1e-12;
    for (let f = 0; f < ALL_FIELDS.length; f++) {
      const col = cols[f]!;
      const denominator = f === 5 ? volume : close;
      for (let k = 0; k < LAGS; k++) {
        const lag = LAGS - 1 - k;
        out[(f * LAGS + k) * stride + row] = lag < available ? col[i - lag]! / denominator : NaN;
      }
    }
  },
});
