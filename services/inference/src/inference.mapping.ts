import type { Prediction, RecommendationItem, RecommendationList } from '@quant/contracts';
import { QuantError } from '@quant/errors';
import type { PredictInput, PredictOutput, RecommendInput, RecommendOutput, RecommendedItem } from '@quant/inference';

/**
 * One mapping for every transport: gRPC (proto-loader, lower camel case), HTTP/JSON (the proto3 JSON
 * names) and the Avro events on Kafka (whose field names are the same). Requests arrive as proto
 * objects; unknown shapes are refused with the field named.
 */

export interface ProtoModelRef {
  modelName?: string;
  modelVersion?: string;
}

export interface ProtoPredictRequest {
  requestId?: string;
  model?: ProtoModelRef | null;
  date?: string;
  codes?: string[];
  universe?: string;
  horizonDays?: number;
  features?: Array<{ code?: string; names?: string[]; values?: number[] }>;
}

export interface ProtoRecommendRequest {
  requestId?: string;
  model?: ProtoModelRef | null;
  strategy?: string;
  date?: string;
  universe?: string;
  topK?: number;
  holdings?: Array<{ code?: string; shares?: number | string; openedOn?: string }>;
  nDrop?: number | null;
}

function bad(message: string): never {
  throw new QuantError('INFERENCE_BAD_REQUEST', message);
}

const text = (v: unknown, what: string): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') bad(`${what} must be a string`);
  return v;
};

const stringList = (v: unknown, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(`${what} must be a list of strings`);
  return v as string[];
};

const int = (v: unknown, what: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) bad(`${what} must be a non-negative integer`);
  return n;
};

function modelRef(m: ProtoModelRef | null | undefined): PredictInput['model'] {
  if (m === undefined || m === null) return {};
  const name = text(m.modelName, 'model.modelName');
  const version = text(m.modelVersion, 'model.modelVersion');
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

/** Fields both requests have: the model, and the optional strings left out when empty. */
function common(req: { requestId?: string; model?: ProtoModelRef | null; date?: string; universe?: string }): Pick<PredictInput, 'model' | 'requestId' | 'date' | 'universe'> {
  const out: Pick<PredictInput, 'model' | 'requestId' | 'date' | 'universe'> = { model: modelRef(req.model) };
  for (const key of ['requestId', 'date', 'universe'] as const) {
    const value = text(req[key], key);
    if (value) out[key] = value;
  }
  return out;
}

export function predictInput(body: ProtoPredictRequest | null | undefined): { input: PredictInput; horizonDays: number } {
  const req = body ?? {};
  if (typeof req !== 'object') bad('the request body must be a PredictRequest object');
  const features = (req.features ?? []).map((f, i) => {
    const values = f.values ?? [];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' || v === null)) bad(`features[${i}].values must be a list of numbers (NaN or null: missing)`);
    return { code: text(f.code, `features[${i}].code`) ?? '', names: stringList(f.names, `features[${i}].names`), values: values.map((v) => (v === null ? NaN : v)) };
  });
  const horizon = int(req.horizonDays, 'horizonDays');
  return { input: { ...common(req), codes: stringList(req.codes, 'codes'), features }, horizonDays: horizon ?? 0 };
}

export function recommendInput(body: ProtoRecommendRequest | null | undefined): RecommendInput {
  const req = body ?? {};
  if (typeof req !== 'object') bad('the request body must be a RecommendRequest object');
  const holdings = (req.holdings ?? []).map((h, i) => {
    const code = text(h.code, `holdings[${i}].code`);
    if (!code) bad(`holdings[${i}].code is required`);
    return { code, shares: int(h.shares, `holdings[${i}].shares`) ?? 0, openedOn: text(h.openedOn, `holdings[${i}].openedOn`) ?? '' };
  });
  const input: RecommendInput = { ...common(req), holdings };
  const strategy = text(req.strategy, 'strategy');
  const topK = int(req.topK, 'topK');
  const nDrop = int(req.nDrop, 'nDrop');
  if (strategy) input.strategy = strategy;
  if (topK) input.topK = topK;
  if (nDrop !== undefined) input.nDrop = nDrop;
  return input;
}

/** Refuses a horizon other than the served model's (0 = the model's own). */
export function checkHorizon(asked: number, out: PredictOutput): void {
  // The horizon is the model's: a request for another one is refused rather than silently ignored.
  if (asked !== 0 && asked !== out.model.horizonDays) {
    bad(`horizonDays ${asked}: model ${out.model.name}@${out.model.version} predicts ${out.model.horizonDays} trading days ahead (0 means its own horizon)`);
  }
}

/**
 * Predictions as the Avro event (and the proto message mirroring it). The id names the model version,
 * instrument, day and horizon, plus `revision` when given (the features-ready row count: a day
 * republished with more rows is re-ranked, and its predictions must not be dropped as duplicates).
 */
export function predictionEvents(out: PredictOutput, predictedAt: number, revision?: number): Prediction[] {
  const { model } = out;
  const suffix = revision === undefined ? '' : `:n${revision}`;
  return out.predictions.map((p) => ({
    eventId: `pred:${model.name}@${model.version}:${p.code}:${out.date}:h${model.horizonDays}${suffix}`,
    requestId: out.requestId,
    code: p.code,
    date: out.date,
    horizonDays: model.horizonDays,
    score: p.score,
    expectedReturn: p.expectedReturn,
    // The calibration gives the probability of beating the benchmark, not of a positive return: left empty.
    probabilityUp: null,
    rank: p.rank,
    universe: out.universe,
    modelName: model.name,
    modelVersion: model.version,
    featureSet: model.featureSet,
    featureSetVersion: model.featureSetVersion,
    predictedAt,
  }));
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** A human-readable summary of the item; every fact in it also has its own field. */
function itemNote(item: RecommendedItem): string | null {
  const parts: string[] = [];
  if (item.note !== null) parts.push(item.note);
  if (item.probabilityBeatBenchmark !== null) parts.push(`P(beat benchmark)=${item.probabilityBeatBenchmark.toFixed(3)}`);
  if (item.expectedExcessReturn !== null) parts.push(`E[excess]=${pct(item.expectedExcessReturn)}`);
  if (item.volatility !== null) parts.push(`vol20=${pct(item.volatility)}`);
  if (item.flags.length > 0) parts.push(`flags=${item.flags.join(',')}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/**
 * The list as the Avro event (and the gRPC response mirroring it): the orders with their calibrated
 * outlook, volatility and tradability, and the candidates skipped because they cannot be bought at
 * T+1 under `excluded`, each with its flags and reason.
 */
export function recommendationList(out: RecommendOutput, eventId: string): RecommendationList {
  const items: RecommendationItem[] = out.items.map((i) => ({
    code: i.code,
    rank: i.rank,
    score: Number.isFinite(i.score) ? i.score : 0,
    action: i.action,
    targetWeight: i.targetWeight,
    expectedReturn: i.expectedReturn,
    tradable: i.tradable,
    note: itemNote(i),
    percentile: i.percentile,
    probabilityBeatBenchmark: i.probabilityBeatBenchmark,
    expectedExcessReturn: i.expectedExcessReturn,
    volatility20d: i.volatility,
    flags: [...i.flags],
    exclusionReason: i.exclusionReason,
  }));
  return {
    eventId,
    listId: out.listId,
    strategy: out.strategy,
    date: out.date,
    tradeDate: out.tradeDate,
    universe: out.universe ?? 'listed',
    modelName: out.model.name,
    modelVersion: out.model.version,
    items,
    generatedAt: out.generatedAt,
    excluded: out.excluded.map((x) => ({ code: x.code, rank: x.rank, score: x.score, flags: [...x.flags], reason: x.reasons.join('; ') })),
  };
}

/** proto-loader wants an absent optional field, not null. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)])) as T;
  }
  return value;
}

export function predictResponse(out: PredictOutput, predictedAt: number) {
  return {
    requestId: out.requestId,
    model: { modelName: out.model.name, modelVersion: out.model.version },
    date: out.date,
    predictions: predictionEvents(out, predictedAt),
    skipped: out.skipped,
    universe: out.universe ?? '',
    universeSize: out.universeSize,
    horizonDays: out.model.horizonDays,
    outlooks: out.predictions.map((p) => ({ code: p.code, percentile: p.percentile, probabilityBeatBenchmark: p.probabilityBeatBenchmark, expectedExcessReturn: p.expectedExcessReturn })),
  };
}

/** gRPC: the list with the proto enum names. */
export function recommendResponse(list: RecommendationList) {
  return { ...list, items: list.items.map((i) => ({ ...i, action: `RECOMMENDATION_ACTION_${i.action}` })) };
}
