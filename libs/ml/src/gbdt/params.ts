/**
 * Parameters of the tree engine, with LightGBM's names in camelCase and its defaults (random
 * forest defaults differ where bagging needs them). Unknown or out-of-range values are refused.
 */
import { availableParallelism } from 'node:os';
import { QuantError } from '@quant/errors';
import type { Objective } from '../model.port';

export type ValidMetric = 'auto' | 'ic';

export interface TreeParams {
  objective: Objective;
  numIterations: number;
  learningRate: number;
  numLeaves: number;
  /** <= 0: unlimited. */
  maxDepth: number;
  lambdaL1: number;
  lambdaL2: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
  featureFraction: number;
  baggingFraction: number;
  baggingFreq: number;
  /** 0: off. Needs a validation set. */
  earlyStoppingRounds: number;
  /**
   * What early stopping and the best iteration watch on the validation set: `auto` is the
   * objective's own loss (l2, log loss, 1 - NDCG@k); `ic` is the mean per-group Pearson correlation
   * of score and label (groups are dates), for signals judged by their daily IC. Only the kept
   * number of trees depends on it.
   */
  metric: ValidMetric;
  maxBin: number;
  /** LambdaRank: pairs need one member in the current top-k. */
  lambdarankTruncationLevel: number;
  /** LambdaRank: validation loss is 1 - NDCG@k. */
  ndcgAt: number;
  /**
   * Threads building histograms (this one included). Results are the same bits for any value, so
   * it is not part of a saved model.
   */
  numThreads: number;
}

/** Two threads where the machine has them: the histogram build scales, the rest of a round does not much. */
export const DEFAULT_THREADS = Math.max(1, Math.min(2, availableParallelism()));

export const GBDT_DEFAULTS: TreeParams = {
  objective: 'regression',
  numIterations: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: -1,
  lambdaL1: 0,
  lambdaL2: 0,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  minGainToSplit: 0,
  featureFraction: 1,
  baggingFraction: 1,
  baggingFreq: 0,
  earlyStoppingRounds: 0,
  metric: 'auto',
  maxBin: 255,
  lambdarankTruncationLevel: 30,
  ndcgAt: 10,
  numThreads: DEFAULT_THREADS,
};

export const FOREST_DEFAULTS: TreeParams = {
  ...GBDT_DEFAULTS,
  learningRate: 1,
  numLeaves: 63,
  minDataInLeaf: 5,
  featureFraction: 0.7,
  baggingFraction: 0.632,
  baggingFreq: 1,
};

type Rule = { int?: boolean; min: number; max: number; minExclusive?: boolean };
const RULES: Record<Exclude<keyof TreeParams, 'objective' | 'metric'>, Rule> = {
  numIterations: { int: true, min: 1, max: 1e6 },
  learningRate: { min: 0, max: 1e3, minExclusive: true },
  numLeaves: { int: true, min: 2, max: 131072 },
  maxDepth: { int: true, min: -1, max: 1000 },
  lambdaL1: { min: 0, max: Number.MAX_VALUE },
  lambdaL2: { min: 0, max: Number.MAX_VALUE },
  minDataInLeaf: { int: true, min: 1, max: 1e12 },
  minSumHessianInLeaf: { min: 0, max: Number.MAX_VALUE },
  minGainToSplit: { min: 0, max: Number.MAX_VALUE },
  featureFraction: { min: 0, max: 1, minExclusive: true },
  baggingFraction: { min: 0, max: 1, minExclusive: true },
  baggingFreq: { int: true, min: 0, max: 1e6 },
  earlyStoppingRounds: { int: true, min: 0, max: 1e6 },
  maxBin: { int: true, min: 2, max: 255 },
  lambdarankTruncationLevel: { int: true, min: 1, max: 1e6 },
  ndcgAt: { int: true, min: 1, max: 1e6 },
  numThreads: { int: true, min: 1, max: 64 },
};

const OBJECTIVES: readonly Objective[] = ['regression', 'binary', 'lambdarank'];
const METRICS: readonly ValidMetric[] = ['auto', 'ic'];

/** Resolves user params over `defaults`, refusing unknown names and bad values with a QuantError. */
export function resolveParams(kind: string, defaults: TreeParams, params: Record<string, unknown>): TreeParams {
  const out: TreeParams = { ...defaults };
  for (const [name, value] of Object.entries(params)) {
    if (name === 'objective') {
      if (!OBJECTIVES.includes(value as Objective)) {
        throw new QuantError('ML_BAD_PARAMS', `${kind}: objective must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      out.objective = value as Objective;
      continue;
    }
    if (name === 'metric') {
      if (!METRICS.includes(value as ValidMetric)) {
        throw new QuantError('ML_BAD_PARAMS', `${kind}: metric must be one of ${METRICS.join(', ')}, got ${JSON.stringify(value)}`);
      }
      out.metric = value as ValidMetric;
      continue;
    }
    const rule = (RULES as Record<string, Rule | undefined>)[name];
    if (!rule) throw new QuantError('ML_BAD_PARAMS', `${kind}: unknown parameter "${name}" (known: objective, metric, ${Object.keys(RULES).join(', ')})`);
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.int || Number.isInteger(value)) &&
      (rule.minExclusive ? value > rule.min : value >= rule.min) &&
      value <= rule.max;
    if (!ok) {
      throw new QuantError('ML_BAD_PARAMS', `${kind}: parameter ${name} must be ${rule.int ? 'an integer' : 'a number'} in ${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}], got ${JSON.stringify(value)}`);
    }
    (out as unknown as Record<string, number>)[name] = value;
  }
  return out;
}
