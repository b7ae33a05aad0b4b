import { averageRank } from './statistics';

/**
 * Each value's rank percentile in its cross-section, in (0, 1]: average rank / count, so the highest
 * score is 1 and ties share a percentile. This is the percentile the score calibration is keyed on;
 * serving must compute it the same way over the same universe.
 */
export function crossSectionalPercentiles(values: ArrayLike<number>): Float64Array {
  const ranks = averageRank(values);
  for (let i = 0; i < ranks.length; i++) ranks[i] = (ranks[i] as number) / ranks.length;
  return ranks;
}
