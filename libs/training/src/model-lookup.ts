import type { ModelFactory } from '@quant/ml';
import { modelFactory } from '@quant/ml';

/** Model factories by kind, as workflows name them. */
export type ModelLookup = (kind: string) => ModelFactory;

/** The default model lookup: @quant/ml's registry (gbdt, random-forest, ridge, logistic, linear-svm...). */
export const defaultModelLookup: ModelLookup = (kind) => modelFactory(kind);
