import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { QuantError } from '@quant/errors';
import type { FeatureRepository } from '@quant/feature-store';
import type { FeatureReader, MarketBar, MarketReader, ModelDescriptor, ModelSource } from '@quant/inference';
import type { MarketDataRepository, StoredBar } from '@quant/market-data';
import type { ModelRegistry, RegisteredModel } from '@quant/training';

const describe = (m: RegisteredModel): ModelDescriptor => ({ name: m.name, version: m.version, kind: m.kind, featureSet: m.featureSet, featureSetVersion: m.featureSetVersion });

/**
 * The model registry (ClickHouse `models` table + artefact files) as the engine's model source. A row's
 * ONNX path is used when it exists, else `artefactDir/<name>/<version>/model.onnx` (an artefact
 * directory moved or mounted elsewhere).
 */
export function registryModelSource(registry: ModelRegistry, artefactDir = '.'): ModelSource {
  return {
    async production() {
      return (await registry.list()).filter((m) => m.stage === 'production').map(describe);
    },
    async get(name, version) {
      const m = await registry.get(name, version);
      return m === null ? null : describe(m);
    },
    async artefacts(model) {
      const m = await registry.get(model.name, model.version);
      if (m === null) throw new QuantError('MODEL_NOT_FOUND', `no model ${model.name} version ${model.version} in the registry`, { details: { name: model.name, version: model.version } });
      const moved = join(artefactDir, m.name, String(m.version), 'model.onnx');
      const onnxPath = await access(m.onnxPath).then(
        () => m.onnxPath,
        () => moved,
      );
      const [onnx, metadata] = await Promise.all([readFile(onnxPath), readFile(join(dirname(onnxPath), 'metadata.json'), 'utf8')]);
      return { onnx: new Uint8Array(onnx), metadata: JSON.parse(metadata) as Record<string, unknown> };
    },
  };
}

/** Cached for a short while: every request without a date asks, and the answer changes once a day. */
function memo<T>(ttlMs: number, load: () => Promise<T>): { get(): Promise<T>; clear(): void } {
  let value: Promise<T> | undefined;
  let at = 0;
  return {
    get() {
      if (value === undefined || Date.now() - at > ttlMs) {
        at = Date.now();
        value = load();
        value.catch(() => (value = undefined));
      }
      return value;
    },
    clear() {
      value = undefined;
    },
  };
}

export interface CachedFeatureReader extends FeatureReader {
  /** Forgets the cached latest days (a features-ready event came in). */
  refresh(): void;
}

export function storeFeatureReader(repository: FeatureRepository, ttlMs = 10_000): CachedFeatureReader {
  const latest = new Map<string, ReturnType<typeof memo<string | null>>>();
  return {
    async read(set, version, codes, date) {
      return repository.read(set, version, codes, date, date);
    },
    latestDate(set, version) {
      const key = `${set}@${version}`;
      let m = latest.get(key);
      if (m === undefined) {
        m = memo(ttlMs, async () => {
          let last: string | null = null;
          for (const day of (await repository.lastComputedDates(set, version)).values()) if (last === null || day > last) last = day;
          return last;
        });
        latest.set(key, m);
      }
      return m.get();
    },
    refresh() {
      for (const m of latest.values()) m.clear();
    },
  };
}

const marketBar = (b: StoredBar): MarketBar => ({ date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, factor: b.factor, traded: b.traded, isST: b.isST });

export function storeMarketReader(repository: MarketDataRepository, market: string, ttlMs = 60_000): MarketReader {
  const calendar = memo(ttlMs, () => repository.calendar(market));
  const instruments = memo(ttlMs, () => repository.instruments());
  return {
    calendar: () => calendar.get(),
    instruments: () => instruments.get(),
    universeOn: (universe, date) => repository.universeOn(universe, date),
    async bars(code, from, to) {
      return (await repository.bars(code, from, to)).map(marketBar);
    },
    async barsMany(codes, from, to) {
      const many = await repository.barsMany(codes, from, to);
      return new Map([...many].map(([code, bars]) => [code, bars.map(marketBar)]));
    },
  };
}
