import type { FeatureSet } from '@quant/features';
import type { Store } from '@quant/storage';
import { buildFeatures, sessionIndex } from './feature-build.job';
import type { StoredFeatureRow } from './feature.repository';
import { FeatureRepository } from './feature.repository';
import type { MarketDataReader } from './market-data.reader';

/** The market-data reads the loader needs: bars and calendar for building, coverage to see what is missing. */
export type CoverageReader = MarketDataReader & {
  coverage(codes?: readonly string[]): Promise<Array<{ code: string; from: string; to: string }>>;
};

/**
 * Stored feature rows of a set for instruments over [from, to], building what is missing first: for each
 * instrument, every session of [from, to] inside its stored bars must have a row; those lacking any are
 * built in one buildFeatures call, then everything is read again. What `quant train` and the training
 * service read their training matrices through.
 */
export function storeFeatureLoader(
  store: Store,
  market: CoverageReader,
  options: { indexCode?: string; onProgress?: (text: string) => void } = {},
): (set: FeatureSet, codes: readonly string[], from: string, to: string) => Promise<StoredFeatureRow[]> {
  const repository = new FeatureRepository(store);
  return async (set, codes, from, to) => {
    const read = () => repository.read(set.name, set.version, codes, from, to);
    const rows = await read();
    const calendar = await market.calendar('CN');
    const have = new Map<string, number>();
    for (const r of rows) have.set(r.code, (have.get(r.code) ?? 0) + 1);
    // Sessions of [a, b] on the calendar, both ends included when they are sessions.
    const sessionsIn = (a: string, b: string): number => {
      const end = sessionIndex(calendar, b);
      const last = end - (calendar[end] === b ? 0 : 1);
      return Math.max(0, last - sessionIndex(calendar, a) + 1);
    };
    const incomplete = (await market.coverage(codes)).filter((c) => {
      const a = c.from > from ? c.from : from;
      const b = c.to < to ? c.to : to;
      return a <= b && (have.get(c.code) ?? 0) < sessionsIn(a, b);
    });
    if (incomplete.length === 0) return rows;
    options.onProgress?.(`building ${set.name}@${set.version} for ${incomplete.length} instrument(s) over ${from}..${to}`);
    await buildFeatures({
      store,
      market,
      set,
      codes: incomplete.map((c) => c.code),
      from,
      to,
      ...(options.indexCode ? { indexCode: options.indexCode } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return read();
  };
}
