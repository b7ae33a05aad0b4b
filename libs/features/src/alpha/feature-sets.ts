import { QuantError } from '@quant/errors';
import type { FeatureSet } from '../feature.port';
import { createFeatureSet } from '../core/feature-set.registry';
import * as families from '../families';
import { alpha158Calculator } from './alpha158.calculator';
import { alpha360Calculator } from './alpha360.calculator';

export const ALPHA158: FeatureSet = createFeatureSet('alpha158', [alpha158Calculator]);
export const ALPHA360: FeatureSet = createFeatureSet('alpha360', [alpha360Calculator]);

/** Sets of the other families, when ./families provides them (FAMILY_SETS), read lazily. */
function familySets(): Record<string, FeatureSet> {
  const sets = (families as Record<string, unknown>)['FAMILY_SETS'];
  return sets && typeof sets === 'object' ? (sets as Record<string, FeatureSet>) : {};
}

function registry(): Record<string, FeatureSet> {
  return { ...familySets(), alpha158: ALPHA158, alpha360: ALPHA360 };
}

/** Names of every registered feature set, sorted. */
export function featureSetNames(): string[] {
  return Object.keys(registry()).sort();
}

export function featureSet(name: string): FeatureSet {
  const set = registry()[name];
  if (!set) {
    throw new QuantError('FEATURE_SET_UNKNOWN', `no feature set "${name}" (known: ${featureSetNames().join(', ')})`, { details: { set: name } });
  }
  return set;
}
