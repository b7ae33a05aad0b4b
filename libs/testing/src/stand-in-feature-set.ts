import type { DayInput, FeatureCalculator, FeatureDefinition, FeatureSet, FeatureStream, SeriesInput } from '@quant/features';

/**
 * A two-column stand-in set, so these tests do not depend on the real calculators: CLOSE (today's
 * adjusted close) and MEAN3 (pandas rolling(3, min_periods=1).mean of the close, NaN skipped).
 */
const DEFINITIONS: FeatureDefinition[] = [
  { name: 'CLOSE', family: 'technical', formula: '$close', inputs: ['close'], warmup: 1 },
  { name: 'MEAN3', family: 'technical', formula: 'Mean($close, 3)', inputs: ['close'], warmup: 3 },
];

function mean3(window: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of window) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

const calculator: FeatureCalculator = {
  name: 'stand-in',
  definitions: DEFINITIONS,
  batch(input: SeriesInput): Float64Array[] {
    const close = input.fields['close'] as Float64Array;
    const mean = new Float64Array(close.length);
    for (let i = 0; i < close.length; i++) mean[i] = mean3(Array.from(close.subarray(Math.max(0, i - 2), i + 1)));
    return [Float64Array.from(close), mean];
  },
  stream(): FeatureStream {
    const closes: number[] = [];
    const values = () => {
      const last = closes[closes.length - 1] as number;
      return Float64Array.of(last, mean3(closes.slice(-3)));
    };
    return {
      add(day: DayInput) {
        closes.push(day.values['close'] as number);
        return values();
      },
      replace(day: DayInput) {
        closes[closes.length - 1] = day.values['close'] as number;
        return values();
      },
      get length() {
        return closes.length;
      },
      get isStable() {
        return closes.length >= 3;
      },
    };
  },
};

export const standInFeatureSet: FeatureSet = {
  name: 'stand-in',
  version: 'v1',
  calculators: [calculator],
  definitions: () => [...DEFINITIONS],
};
