import { FeatureRepository, buildFeatures, sessionIndex } from '@quant/feature-store';
import type { MarketDataRepository } from '@quant/market-data';
import type { Store } from '@quant/storage';
import type { FeatureLoader } from '@quant/training';

/**
 * The service's FeatureLoader over the store: stored rows of the set, and for instruments whose stored
 * rows do not cover every session of their own bars inside [from, to], one buildFeatures call first.
 * Same contract as the loader `quant train` wires (apps/cli train.command.ts); written here because a
 * runtime lib (@quant/training) may not import @quant/feature-store, and apps may not share code.
 */
export function storeFeatureLoader(store: Store, market: MarketDataRepository, indexCode: string, progress: (text: string) => void): FeatureLoader {
  const repository = new FeatureRepository(store);
  return async (set, codes, from, to) => {
    const read = () => repository.read(set.name, set.version, codes, from, to);
    const rows = await read();
    const calendar = await market.calendar('CN');
    const have = new Map<string, number>();
    for (const r of rows) have.set(r.code, (have.get(r.code) ?? 0) + 1);
    // Sessions of [a, b] on the calendar (both ends included when they are sessions).
    const sessionsIn = (a: string, b: string): number => {
      const last = sessionIndex(calendar, b) - (calendar[sessionIndex(calendar, b)] === b ? 0 : 1);
      return Math.max(0, last - sessionIndex(calendar, a) + 1);
    };
    const incomplete = (await market.coverage(codes)).filter((c) => {
      const a = c.from > from ? c.from : from;
      const b = c.to < to ? c.to : to;
      return a <= b && (have.get(c.code) ?? 0) < sessionsIn(a, b);
    });
    if (incomplete.length === 0) return rows;
    progress(`building ${set.name}@${set.version} for ${incomplete.length} instrument(s) over ${from}..${to}`);
    await buildFeatures({ store, market, set, codes: incomplete.map((c) => c.code), from, to, indexCode, onProgress: progress });
    return read();
  };
}
