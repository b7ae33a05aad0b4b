import { QuantError } from '@quant/errors';
import { createPanel } from '@quant/features';
import type { FeatureReader } from './inference.ports';
import type { LoadedModel } from './model-set';
import type { Scorer } from './scoring/scorer.port';
import type { ServedModelSpec } from './served-model';

/** One model's view of a day: its processed feature matrix and the distribution of its day scores. */
export interface ModelDay {
  /** Raw stored features, rows x the model's width (kept to process what-if vectors against the day). */
  raw: Float64Array;
  /** Processed features as the model takes them, rows x width. */
  x: Float32Array;
  width: number;
  mean: number;
  sd: number;
  /** The model's scores of every row, descending (ranks and percentiles). */
  sorted: Float64Array;
}

/** A signal day's cross-section for a list of models: the instruments every model can score. */
export interface DayFrame {
  date: string;
  universe: string | null;
  codes: string[];
  row: Map<string, number>;
  models: ModelDay[];
  /** Combined score per row (the model's own score, or the ensemble average of standardised scores). */
  combined: Float64Array;
  /** Combined scores, descending. */
  sorted: Float64Array;
}

/** `alpha158+alpha360` / `v1+v2` -> the stored sets a model reads, in column order. */
export function storedSets(spec: Pick<ServedModelSpec, 'featureSet' | 'featureSetVersion'>): Array<{ set: string; version: string }> {
  const sets = spec.featureSet.split('+');
  const versions = spec.featureSetVersion.split('+');
  return sets.map((set, i) => ({ set, version: versions[i] ?? versions[0] ?? '' }));
}

const descending = (v: ArrayLike<number>): Float64Array => Float64Array.from(v).sort().reverse();

function meanSd(v: ArrayLike<number>): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    sum += v[i] as number;
    n++;
  }
  const mean = n === 0 ? 0 : sum / n;
  let ss = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) ss += ((v[i] as number) - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / n) : 0 };
}

/** 1 + the number of scores above `score` in a descending array. */
export function rankIn(sorted: Float64Array, score: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > score) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Processed float32 rows of raw features: the fitted pipeline applied to the cross-section, +-Infinity as missing. */
export function processRows(spec: ServedModelSpec, date: string, codes: readonly string[], raw: Float64Array): Float32Array {
  let values: Float64Array = raw;
  if (spec.pipeline !== null) {
    const panel = createPanel({ dates: [date], codes, features: spec.featureNames, values: raw.slice(), segment: 'live' });
    values = spec.pipeline.apply(panel).values;
  }
  const x = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    x[i] = v === Infinity || v === -Infinity ? NaN : v;
  }
  return x;
}

/** Rows `rows` of a row-major matrix. */
export function gatherRows(x: Float32Array, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/**
 * Scores rows with every model and combines them: one model's own score, or for several the average
 * of their scores standardised with the day's mean and std of each (so models on different scales
 * weigh the same). Returns the per-model raw scores too (calibration reads them).
 */
export async function scoreAndCombine(
  scorer: Scorer,
  models: readonly LoadedModel[],
  days: readonly Pick<ModelDay, 'mean' | 'sd'>[],
  inputs: readonly Float32Array[],
  rows: number,
): Promise<{ combined: Float64Array; perModel: Float32Array[] }> {
  const perModel = await Promise.all(models.map((m, k) => scorer.score(m.key, inputs[k] as Float32Array, rows)));
  return { combined: combine(perModel, days, rows), perModel };
}

function combine(perModel: readonly Float32Array[], days: readonly Pick<ModelDay, 'mean' | 'sd'>[], rows: number): Float64Array {
  const combined = new Float64Array(rows);
  if (perModel.length === 1) {
    combined.set(perModel[0] as Float32Array);
    return combined;
  }
  perModel.forEach((scores, k) => {
    const { mean, sd } = days[k] as ModelDay;
    for (let i = 0; i < rows; i++) combined[i] = (combined[i] as number) + (sd > 0 ? ((scores[i] as number) - mean) / sd : 0) / perModel.length;
  });
  return combined;
}

export interface DayFrameInput {
  models: readonly LoadedModel[];
  date: string;
  universe: string | null;
  /** Instruments to consider (the universe's members on the day). */
  members: readonly string[];
  features: FeatureReader;
  scorer: Scorer;
}

/**
 * Reads the day's stored features of every set the models use, keeps the instruments that have all of
 * them, processes each model's columns with its fitted pipeline and scores the whole cross-section once
 * (the day's score distribution: standardisation, ranks, percentiles).
 */
export async function buildDayFrame(input: DayFrameInput): Promise<DayFrame> {
  const { models, date, members, features, scorer } = input;
  const stored = new Map<string, Map<string, ArrayLike<number>>>();
  for (const m of models) {
    for (const { set, version } of storedSets(m.spec)) {
      const id = `${set}@${version}`;
      if (stored.has(id)) continue;
      const rows = await features.read(set, version, members, date);
      stored.set(id, new Map(rows.map((r) => [r.code, r.values])));
    }
  }
  const codes = [...members].filter((c) => [...stored.values()].every((rows) => rows.has(c))).sort();
  if (codes.length === 0) {
    throw new QuantError('INFERENCE_NO_FEATURES', `no stored features on ${date} for ${input.universe ?? 'the listed instruments'} (sets ${[...stored.keys()].join(', ')})`, {
      details: { date, universe: input.universe },
    });
  }
  const modelDays: ModelDay[] = [];
  for (const m of models) {
    const width = m.spec.featureNames.length;
    const raw = new Float64Array(codes.length * width);
    codes.forEach((code, r) => {
      let offset = 0;
      for (const { set, version } of storedSets(m.spec)) {
        const values = stored.get(`${set}@${version}`)?.get(code) as ArrayLike<number>;
        if (offset + values.length > width) {
          throw new QuantError('INFERENCE_FEATURES_MISMATCH', `model ${m.spec.name}@${m.spec.version} takes ${width} features but set ${set}@${version} stores ${values.length} per row`, {
            details: { model: m.spec.name, set, version },
          });
        }
        for (let j = 0; j < values.length; j++) raw[r * width + offset + j] = values[j] as number;
        offset += values.length;
      }
      if (offset !== width) {
        throw new QuantError('INFERENCE_FEATURES_MISMATCH', `model ${m.spec.name}@${m.spec.version} takes ${width} features; its stored sets give ${offset}`, {
          details: { model: m.spec.name, width, stored: offset },
        });
      }
    });
    modelDays.push({ raw, x: processRows(m.spec, date, codes, raw), width, mean: 0, sd: 0, sorted: new Float64Array(0) });
  }
  const perModel = await Promise.all(models.map((m, k) => scorer.score(m.key, (modelDays[k] as ModelDay).x, codes.length)));
  perModel.forEach((scores, k) => {
    const day = modelDays[k] as ModelDay;
    Object.assign(day, meanSd(scores), { sorted: descending(scores) });
  });
  const combined = combine(perModel, modelDays, codes.length);
  return { date, universe: input.universe, codes, row: new Map(codes.map((c, i) => [c, i])), models: modelDays, combined, sorted: descending(combined) };
}
