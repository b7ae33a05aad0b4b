import type { ModelFactory } from '@quant/ml';
import { modelFactory, modelKinds } from '@quant/ml';
import { DEEP_FACTORIES } from '@quant/ml-deep';
import { QuantError } from '@quant/errors';

/** Model factories by kind, as workflows name them. */
export type ModelLookup = (kind: string) => ModelFactory;

const DEEP = new Map(DEEP_FACTORIES.map((f) => [f.kind, f]));

/** Every kind the default lookup knows: @quant/ml's and @quant/ml-deep's, sorted. */
function defaultModelKinds(): string[] {
  return [...modelKinds(), ...DEEP.keys()].sort();
}

/**
 * The default model lookup: @quant/ml's registry (gbdt, random-forest, ridge, logistic-regression,
 * linear-svm) plus the tfjs deep models of @quant/ml-deep (mlp, lstm, gru, tcn, transformer).
 */
export const defaultModelLookup: ModelLookup = (kind) => {
  const deep = DEEP.get(kind);
  if (deep) return deep;
  if (modelKinds().includes(kind)) return modelFactory(kind);
  throw new QuantError('ML_UNKNOWN_MODEL_KIND', `unknown model kind ${kind}; known kinds: ${defaultModelKinds().join(', ')}`, { details: { kind } });
};
