import { QuantError } from '@quant/errors';
import { applyCalibration } from '@quant/evaluation';
import { createPanel } from '@quant/features';
import type { DayFrame, ModelDay } from './day-frame';
import { buildDayFrame, gatherRows, rankIn, scoreAndCombine } from './day-frame';
import type { ApplyCalibration, FeatureReader, MarketReader, ModelDescriptor, ModelSource } from './inference.ports';
import type { LoadedModel } from './model-set';
import { ENSEMBLE_NAME, ModelSet } from './model-set';
import type { Exclusion, HoldingInput, StrategyName } from './recommend/portfolio.strategy';
import { STRATEGIES, buildPortfolio } from './recommend/portfolio.strategy';
import type { Tradability, TradabilityFlag } from './recommend/tradability';
import { marketSnapshot, nextTradingDay } from './recommend/tradability';
import type { Scorer } from './scoring/scorer.port';

export interface ModelRef {
  /** Empty or "ensemble": the production set. */
  name?: string;
  /** Empty: the production version of `name`. */
  version?: string;
}

export interface InlineFeatures {
  code: string;
  names: readonly string[];
  /** NaN marks a missing value. */
  values: readonly number[];
}

export interface PredictInput {
  requestId?: string;
  model?: ModelRef;
  /** Signal day T; empty: the latest day with stored features. */
  date?: string;
  /** Empty: the whole universe. */
  codes?: readonly string[];
  universe?: string;
  /** What-if vectors scored against the day's cross-section instead of stored features. */
  features?: readonly InlineFeatures[];
}

/** A score with its calibrated outlook; calibrated fields are null when a model has no calibration. */
export interface ScoredInstrument {
  code: string;
  score: number;
  /** 1-based within the day's scored universe; null for what-if vectors scored without a stored day. */
  rank: number | null;
  /** Rank percentile in (0, 1], highest score = 1. */
  percentile: number | null;
  probabilityBeatBenchmark: number | null;
  expectedReturn: number | null;
  expectedExcessReturn: number | null;
}

export interface ServedModelInfo {
  /** `ensemble` or the model's name. */
  name: string;
  /** The version, or for the ensemble its members `name@version+...`. */
  version: string;
  featureSet: string;
  featureSetVersion: string;
  horizonDays: number;
  members: Array<{ name: string; version: number; kind: string; calibrated: boolean }>;
}

export interface PredictOutput {
  requestId: string;
  model: ServedModelInfo;
  date: string;
  universe: string | null;
  universeSize: number;
  predictions: ScoredInstrument[];
  skipped: Array<{ code: string; reason: string }>;
}

export interface RecommendInput {
  requestId?: string;
  model?: ModelRef;
  strategy?: string;
  date?: string;
  universe?: string;
  topK?: number;
  nDrop?: number;
  holdings?: readonly HoldingInput[];
}

export interface RecommendedItem extends Omit<ScoredInstrument, 'rank'> {
  /** 1-based; 0 for a holding without a score on T. */
  rank: number;
  action: 'BUY' | 'HOLD' | 'SELL';
  targetWeight: number;
  tradable: boolean;
  note: string | null;
  /** Why `tradable` is false (the order cannot be acted on at T+1); null when tradable. */
  exclusionReason: string | null;
  volatility: number | null;
  flags: TradabilityFlag[];
}

export interface ExcludedItem extends Exclusion {
  flags: TradabilityFlag[];
}

export interface RecommendOutput {
  requestId: string;
  listId: string;
  strategy: StrategyName;
  topK: number;
  nDrop: number;
  date: string;
  tradeDate: string;
  /** True when T+1 is past the store's calendar and was taken as the next weekday. */
  tradeDateEstimated: boolean;
  universe: string | null;
  universeSize: number;
  model: ServedModelInfo;
  items: RecommendedItem[];
  excluded: ExcludedItem[];
  generatedAt: number;
}

export interface InferenceEngineOptions {
  models: ModelSource;
  features: FeatureReader;
  market: MarketReader;
  scorer: Scorer;
  /** Reads a stored calibration (default: @quant/evaluation's applyCalibration). */
  applyCalibration?: ApplyCalibration;
  /** Signal days kept per model set (features processed, day scores). */
  cachedDays?: number;
  defaultTopK?: number;
  defaultNDrop?: number;
  now?: () => number;
}

interface Lease {
  set: ModelSet;
  models: readonly LoadedModel[];
  /** Which combination of the set's models (the frame cache key). */
  id: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Versions asked for by name and kept loaded beside the production set. */
const PINNED_SETS = 4;

function bad(message: string, details: Record<string, string | number> = {}): never {
  throw new QuantError('INFERENCE_BAD_REQUEST', message, { details });
}

/**
 * Serves the production models: loads them from the model source, scores stored features (or what-if
 * vectors) through the scorer, averages the models' standardised scores (the ensemble) unless a
 * request names one model, and builds next-day recommendation lists.
 *
 * Model swap: `reload()` loads the new production set completely, then switches one reference;
 * requests that started on the old set finish on it (they hold it), and its sessions are released
 * once they have. No request fails or waits because of a swap.
 */
export class InferenceEngine {
  private current: ModelSet | null = null;
  private generation = 0;
  private reloading: Promise<boolean> = Promise.resolve(false);
  private readonly pinned = new Map<string, ModelSet>();
  private readonly snapshots = new Map<string, Promise<Map<string, Tradability>>>();
  private readonly now: () => number;

  constructor(private readonly options: InferenceEngineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `name@version+...` of the production set being served, or null before the first load. */
  get serving(): string | null {
    return this.current?.signature ?? null;
  }

  /**
   * Loads the production set when it differs from the one served and swaps it in. Calls are
   * serialised. Returns whether a new set was installed. A failed load leaves the served set in place.
   */
  reload(): Promise<boolean> {
    const next = this.reloading.then(
      () => this.reloadNow(),
      () => this.reloadNow(),
    );
    this.reloading = next;
    return next;
  }

  private async reloadNow(): Promise<boolean> {
    const descriptors = await this.options.models.production();
    const signature = [...descriptors].sort((a, b) => a.name.localeCompare(b.name)).map((d) => `${d.name}@${d.version}`).join('+');
    if (signature === this.current?.signature) return false;
    if (descriptors.length === 0) {
      if (this.current !== null) return false; // keep serving what we have rather than nothing
      throw new QuantError('INFERENCE_NO_MODEL', 'no model in the production stage: promote one (quant train, then the registry) before serving');
    }
    const next = await ModelSet.load(++this.generation, descriptors, this.options.models, this.options.scorer);
    const old = this.current;
    this.current = next;
    if (old !== null) void old.retire();
    return true;
  }

  /** Forgets what was computed for a day (its features were rewritten or completed). */
  invalidate(date: string): void {
    for (const set of [this.current, ...this.pinned.values()]) {
      if (set === null) continue;
      for (const key of [...set.days.keys()]) if (key.includes(`|${date}|`)) set.days.delete(key);
    }
    for (const key of [...this.snapshots.keys()]) if (key.startsWith(`${date}|`)) this.snapshots.delete(key);
  }

  async close(): Promise<void> {
    const sets = [this.current, ...this.pinned.values()].filter((s): s is ModelSet => s !== null);
    this.current = null;
    this.pinned.clear();
    await Promise.all(sets.map((s) => s.retire()));
  }

  /** The served set's description (health, logs). */
  describe(ref: ModelRef = {}): ServedModelInfo | null {
    if (this.current === null) return null;
    return info(ref.name ? this.current.models.filter((m) => m.spec.name === ref.name) : this.current.models);
  }

  async predict(input: PredictInput): Promise<PredictOutput> {
    const lease = await this.lease(input.model);
    try {
      const date = await this.signalDay(lease, input.date);
      const requestId = input.requestId || `predict:${this.now()}`;
      const inline = input.features ?? [];
      if (inline.length > 0) return await this.predictInline(lease, date, input, requestId);
      const frame = await this.frame(lease, date, input.universe);
      const wanted = input.codes && input.codes.length > 0 ? [...new Set(input.codes)] : frame.codes;
      const skipped: PredictOutput['skipped'] = [];
      const rows: number[] = [];
      const codes: string[] = [];
      for (const code of wanted) {
        const r = frame.row.get(code);
        if (r === undefined) {
          skipped.push({ code, reason: `no stored features on ${date} within ${frame.universe ?? 'the listed instruments'}` });
          continue;
        }
        rows.push(r);
        codes.push(code);
      }
      const inputs = frame.models.map((d) => gatherRows(d.x, d.width, rows));
      const { combined, perModel } = await scoreAndCombine(this.options.scorer, lease.models, frame.models, inputs, rows.length);
      const predictions = codes.map((code, i) => this.scored(lease, frame, code, combined[i] as number, perModel.map((p) => p[i] as number)));
      return { requestId, model: info(lease.models), date, universe: frame.universe, universeSize: frame.codes.length, predictions, skipped };
    } finally {
      lease.set.release();
    }
  }

  async recommend(input: RecommendInput): Promise<RecommendOutput> {
    const strategy = (input.strategy || 'topk-dropout') as StrategyName;
    if (!STRATEGIES.includes(strategy)) bad(`strategy "${input.strategy}" is not one of ${STRATEGIES.join(', ')}`, { strategy: String(input.strategy) });
    const topK = input.topK || this.options.defaultTopK || 50;
    const nDrop = input.nDrop ?? this.options.defaultNDrop ?? 5;
    const holdings = input.holdings ?? [];
    for (const [i, h] of holdings.entries()) {
      if (!DATE_RE.test(h.openedOn)) bad(`holdings[${i}] (${h.code}): opened_on "${h.openedOn}" is not a YYYY-MM-DD date`, { index: i });
    }
    const lease = await this.lease(input.model);
    try {
      const date = await this.signalDay(lease, input.date);
      const frame = await this.frame(lease, date, input.universe);
      // The whole cross-section is scored for the request (what the latency bench measures).
      const { combined, perModel } = await scoreAndCombine(this.options.scorer, lease.models, frame.models, frame.models.map((d) => d.x), frame.codes.length);
      const order = frame.codes.map((_, i) => i).sort((a, b) => (combined[b] as number) - (combined[a] as number));
      const ranked = order.map((i, k) => ({ code: frame.codes[i] as string, score: combined[i] as number, rank: k + 1 }));
      const next = nextTradingDay(await this.options.market.calendar(), date);
      const tradable = await this.snapshot(frame, next.date, holdings.map((h) => h.code));
      const { decisions, excluded } = buildPortfolio(ranked, tradable, holdings, { strategy, topK, nDrop, tradeDate: next.date });
      const items: RecommendedItem[] = decisions.map((d) => {
        const r = frame.row.get(d.code);
        const t = tradable.get(d.code);
        const base: ScoredInstrument =
          r === undefined
            ? { code: d.code, score: NaN, rank: 0, percentile: null, probabilityBeatBenchmark: null, expectedReturn: null, expectedExcessReturn: null }
            : this.scored(lease, frame, d.code, combined[r] as number, perModel.map((p) => p[r] as number));
        const unscored = r === undefined ? `no score on ${date}` : null;
        const tradableNow = d.action === 'BUY' ? (t?.buyable ?? true) : d.action === 'SELL' ? (t?.sellable ?? true) : true;
        const blocked = d.note ?? (tradableNow ? null : t?.reasons.join('; ') || 'not tradable at T+1');
        return {
          ...base,
          rank: base.rank ?? 0,
          action: d.action,
          targetWeight: d.targetWeight,
          tradable: blocked === null,
          note: [d.note, unscored].filter((n) => n !== null).join('; ') || null,
          exclusionReason: blocked,
          volatility: t?.volatility ?? null,
          flags: t?.flags ?? [],
        };
      });
      const model = info(lease.models);
      return {
        requestId: input.requestId || `recommend:${this.now()}`,
        listId: `${strategy}${topK}@${model.name}@${model.version}:${date}`,
        strategy,
        topK,
        nDrop,
        date,
        tradeDate: next.date,
        tradeDateEstimated: next.estimated,
        universe: frame.universe,
        universeSize: frame.codes.length,
        model,
        items,
        excluded: excluded.map((e) => ({ ...e, flags: tradable.get(e.code)?.flags ?? [] })),
        generatedAt: this.now(),
      };
    } finally {
      lease.set.release();
    }
  }

  /** Scores what-if vectors: each model's columns by name (absent ones missing), processed with the day's stored cross-section. */
  private async predictInline(lease: Lease, date: string, input: PredictInput, requestId: string): Promise<PredictOutput> {
    const vectors = input.features ?? [];
    for (const [i, v] of vectors.entries()) {
      if (!v.code) bad(`features[${i}]: code is required`, { index: i });
      if (v.names.length !== v.values.length) bad(`features[${i}] (${v.code}): ${v.names.length} names but ${v.values.length} values`, { index: i });
    }
    let frame: DayFrame | null = null;
    try {
      frame = await this.frame(lease, date, input.universe);
    } catch (error) {
      if (!(error instanceof QuantError) || error.code !== 'INFERENCE_NO_FEATURES') throw error;
    }
    const codes = vectors.map((v, i) => `${v.code}#what-if-${i}`);
    const inputs = lease.models.map((m, k) => {
      const names = m.spec.featureNames;
      const width = names.length;
      const day = frame?.models[k];
      const base = frame?.codes.length ?? 0;
      const raw = new Float64Array((base + vectors.length) * width).fill(NaN);
      if (day !== undefined) raw.set(day.raw);
      vectors.forEach((v, i) => {
        const at = new Map(v.names.map((n, j) => [n, v.values[j] as number]));
        names.forEach((n, f) => (raw[(base + i) * width + f] = at.get(n) ?? NaN));
      });
      let values: Float64Array = raw;
      if (m.spec.pipeline !== null) {
        values = m.spec.pipeline.apply(createPanel({ dates: [date], codes: [...(frame?.codes ?? []), ...codes], features: names, values: raw, segment: 'live' })).values;
      }
      const x = new Float32Array(vectors.length * width);
      for (let j = 0; j < x.length; j++) {
        const v = values[base * width + j] as number;
        x[j] = v === Infinity || v === -Infinity ? NaN : v;
      }
      return x;
    });
    const stats: Array<Pick<ModelDay, 'mean' | 'sd'>> = frame?.models ?? lease.models.map(() => ({ mean: 0, sd: 1 }));
    const { combined, perModel } = await scoreAndCombine(this.options.scorer, lease.models, stats, inputs, vectors.length);
    const predictions = vectors.map((v, i) =>
      frame === null
        ? { code: v.code, score: combined[i] as number, rank: null, percentile: null, probabilityBeatBenchmark: null, expectedReturn: null, expectedExcessReturn: null }
        : this.scored(lease, frame, v.code, combined[i] as number, perModel.map((p) => p[i] as number)),
    );
    return { requestId, model: info(lease.models), date, universe: frame?.universe ?? null, universeSize: frame?.codes.length ?? 0, predictions, skipped: [] };
  }

  /**
   * Rank, percentile and the calibrated outlook of one score. With several models each one's calibration
   * is read at that model's own percentile and the outlooks averaged; null when any model lacks one.
   */
  private scored(lease: Lease, frame: DayFrame, code: string, score: number, perModel: number[]): ScoredInstrument {
    const n = frame.codes.length;
    const rank = rankIn(frame.sorted, score);
    const apply = this.options.applyCalibration ?? applyCalibration;
    let outlook: Pick<ScoredInstrument, 'probabilityBeatBenchmark' | 'expectedReturn' | 'expectedExcessReturn'> = { probabilityBeatBenchmark: null, expectedReturn: null, expectedExcessReturn: null };
    if (lease.models.every((m) => m.spec.calibration !== null)) {
      const each = lease.models.map((m, k) => {
        const own = (n - rankIn((frame.models[k] as ModelDay).sorted, perModel[k] as number) + 1) / n;
        return apply(m.spec.calibration as NonNullable<typeof m.spec.calibration>, Math.min(1, Math.max(1 / n, own)));
      });
      const avg = (pick: (o: (typeof each)[number]) => number) => each.reduce((s, o) => s + pick(o), 0) / each.length;
      outlook = { probabilityBeatBenchmark: avg((o) => o.probabilityBeatBenchmark), expectedReturn: avg((o) => o.expectedReturn), expectedExcessReturn: avg((o) => o.expectedExcessReturn) };
    }
    return { code, score, rank, percentile: (n - rank + 1) / n, ...outlook };
  }

  /** Holds the set that answers a request (production, one of its models, or a version loaded on demand). */
  private async lease(ref: ModelRef = {}): Promise<Lease> {
    const name = ref.name ?? '';
    const version = ref.version ?? '';
    if (version !== '' && !/^\d+$/.test(version)) bad(`model version "${version}" is not a positive integer`, { version });
    if (this.current === null) await this.reload();
    const current = this.current as ModelSet;
    if (name === '' || name === ENSEMBLE_NAME) {
      if (version !== '') bad(`the ensemble has no version of its own; name a model to ask for a version`, { version });
      current.acquire();
      return { set: current, models: current.models, id: ENSEMBLE_NAME };
    }
    const served = current.models.find((m) => m.spec.name === name && (version === '' || m.spec.version === Number(version)));
    if (served !== undefined) {
      current.acquire();
      return { set: current, models: [served], id: name };
    }
    if (version === '') {
      throw new QuantError('INFERENCE_MODEL_NOT_SERVED', `model ${name} has no production version (served: ${current.signature})`, { details: { name } });
    }
    const set = await this.pinnedSet(name, Number(version));
    set.acquire();
    return { set, models: set.models, id: name };
  }

  private async pinnedSet(name: string, version: number): Promise<ModelSet> {
    const key = `${name}@${version}`;
    const known = this.pinned.get(key);
    if (known !== undefined) {
      this.pinned.delete(key);
      this.pinned.set(key, known); // most recently used last
      return known;
    }
    const descriptor: ModelDescriptor | null = await this.options.models.get(name, version);
    if (descriptor === null) throw new QuantError('MODEL_NOT_FOUND', `no model ${name} version ${version} in the registry`, { details: { name, version } });
    const set = await ModelSet.load(++this.generation, [descriptor], this.options.models, this.options.scorer);
    const raced = this.pinned.get(key);
    if (raced !== undefined) {
      void set.retire();
      return raced;
    }
    this.pinned.set(key, set);
    if (this.pinned.size > PINNED_SETS) {
      const [oldestKey, oldest] = this.pinned.entries().next().value as [string, ModelSet];
      this.pinned.delete(oldestKey);
      void oldest.retire();
    }
    return set;
  }

  private async signalDay(lease: Lease, date: string | undefined): Promise<string> {
    if (date) {
      if (!DATE_RE.test(date)) bad(`date "${date}" is not YYYY-MM-DD`, { date });
      return date;
    }
    let latest = '';
    for (const m of lease.models) {
      const day = await this.options.features.latestDate(m.spec.featureSet.split('+')[0] as string, m.spec.featureSetVersion.split('+')[0] as string);
      if (day === null) throw new QuantError('INFERENCE_NO_FEATURES', `no stored features of ${m.spec.featureSet}@${m.spec.featureSetVersion} (model ${m.spec.name})`, { details: { model: m.spec.name } });
      latest = latest === '' || day < latest ? day : latest;
    }
    return latest;
  }

  private async frame(lease: Lease, date: string, universe: string | undefined): Promise<DayFrame> {
    const named = universe || lease.models[0]?.spec.universe || null;
    const key = `${lease.id}|${date}|${named ?? ''}`;
    let frame = lease.set.days.get(key) as Promise<DayFrame> | undefined;
    if (frame === undefined) {
      frame = this.members(named, date, universe !== undefined && universe !== '').then((m) =>
        buildDayFrame({ models: lease.models, date, universe: m.universe, members: m.codes, features: this.options.features, scorer: this.options.scorer }),
      );
      lease.set.days.set(key, frame);
      // A failure is not cached: the next request retries (features may arrive meanwhile).
      frame.catch(() => lease.set.days.get(key) === frame && lease.set.days.delete(key));
      const limit = (this.options.cachedDays ?? 4) * Math.max(1, lease.set.models.length + 1);
      while (lease.set.days.size > limit) lease.set.days.delete(lease.set.days.keys().next().value as string);
    }
    return frame;
  }

  /** Members of the universe on the day; the model's default universe falls back to every listed instrument when the store has no membership for it. */
  private async members(universe: string | null, date: string, explicit: boolean): Promise<{ universe: string | null; codes: string[] }> {
    if (universe !== null) {
      const codes = await this.options.market.universeOn(universe, date);
      if (codes.length > 0) return { universe, codes };
      if (explicit) bad(`universe ${universe} has no members on ${date} in the store`, { universe, date });
    }
    const listed = (await this.options.market.instruments()).filter((i) => i.firstDate <= date && i.lastDate >= date).map((i) => i.code);
    return { universe: null, codes: listed };
  }

  private async snapshot(frame: DayFrame, tradeDate: string, extra: readonly string[]): Promise<Map<string, Tradability>> {
    const key = `${frame.date}|${frame.universe ?? ''}|${tradeDate}`;
    let cached = this.snapshots.get(key);
    if (cached === undefined) {
      cached = marketSnapshot(this.options.market, frame.codes, frame.date, tradeDate);
      this.snapshots.set(key, cached);
      cached.catch(() => this.snapshots.get(key) === cached && this.snapshots.delete(key));
      while (this.snapshots.size > (this.options.cachedDays ?? 4)) this.snapshots.delete(this.snapshots.keys().next().value as string);
    }
    const base = await cached;
    const missing = extra.filter((c) => !base.has(c));
    if (missing.length === 0) return base;
    return new Map([...base, ...(await marketSnapshot(this.options.market, missing, frame.date, tradeDate))]);
  }
}

function info(models: readonly LoadedModel[]): ServedModelInfo {
  const specs = models.map((m) => m.spec);
  const single = specs.length === 1 ? specs[0] : undefined;
  const sets = [...new Set(specs.map((s) => s.featureSet))];
  const versions = [...new Set(specs.map((s) => s.featureSetVersion))];
  return {
    name: single?.name ?? ENSEMBLE_NAME,
    version: single !== undefined ? String(single.version) : specs.map((s) => `${s.name}@${s.version}`).join('+'),
    featureSet: sets.join(','),
    featureSetVersion: versions.join(','),
    horizonDays: Math.max(...specs.map((s) => s.horizonDays)),
    members: specs.map((s) => ({ name: s.name, version: s.version, kind: s.kind, calibrated: s.calibration !== null })),
  };
}
