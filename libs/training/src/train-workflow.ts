import { createHash } from 'node:crypto';
import { QuantError } from '@quant/errors';
import {
  CrossSectionalRank,
  CrossSectionalRobustZScore,
  CrossSectionalZScore,
  FillMissing,
  ProcessorPipeline,
  RobustZScore,
  Winsorize,
  ZScore,
  computeLabel,
  createPanel,
  featureSet as catalogueFeatureSet,
  labelDefinition,
  purgedSplit,
  sliceDates,
} from '@quant/features';
import type { FeatureSet, LabelDefinition, Panel, Processor } from '@quant/features';
import { canonicalCode } from '@quant/market';
import type { Dataset, ModelFactory } from '@quant/ml';
import type { Store } from '@quant/storage';
import { predictionMetrics } from './metrics';
import type { PredictionMetrics } from './metrics';
import { defaultModelLookup } from './model-lookup';
import type { ModelLookup } from './model-lookup';
import { ModelRegistry } from './model-registry';
import type { RegisteredModel } from './model-registry';
import type { Workflow, WorkflowProcessor } from './workflow';

/** What training reads of the market data; `MarketDataRepository` of @quant/market-data fits it. */
export interface TrainingMarket {
  calendar(market: string): Promise<string[]>;
  universeOn(universe: string, date: string): Promise<string[]>;
  /** Stored bars of one instrument, ascending, both ends included (raw close x factor = adjusted close). */
  bars(code: string, from: string, to: string): Promise<Array<{ date: string; close: number; factor: number | null; traded: boolean }>>;
}

/**
 * Feature rows of a set over [from, to] for these codes, building what the store lacks (the CLI wires
 * FeatureRepository.read and buildFeatures behind it: a runtime lib may not import another one).
 */
export type FeatureLoader = (set: FeatureSet, codes: readonly string[], from: string, to: string) => Promise<Array<{ code: string; date: string; values: ArrayLike<number> }>>;

export interface TrainWorkflowOptions {
  /** The registry's store (migrated here). */
  store: Store;
  artefactDir: string;
  market: TrainingMarket;
  features: FeatureLoader;
  /** Model factories by kind; default: @quant/ml's `modelFactory`. */
  models?: ModelLookup;
  /** Feature sets by name; default: the catalogue of @quant/features. */
  featureSets?: (name: string) => FeatureSet;
  onProgress?: (text: string) => void;
}

export interface TrainedModelSummary {
  name: string;
  version: number;
  kind: string;
  stage: string;
  iterations: number;
  bestIteration: number;
  valid: PredictionMetrics;
  dataHash: string;
  artefactPath: string;
  onnxPath: string;
  seconds: number;
}

export interface TrainWorkflowResult {
  workflow: string | null;
  featureSet: string;
  featureSetVersion: string;
  label: string;
  features: number;
  instruments: number;
  train: { from: string; to: string; rows: number; purged: number };
  valid: { from: string; to: string; rows: number };
  models: TrainedModelSummary[];
}

function fail(code: string, message: string, details: Record<string, string | number> = {}): never {
  throw new QuantError(code, message, { details });
}


/** A processor from its workflow entry, unfitted. */
export function createProcessor(p: WorkflowProcessor): Processor {
  const features = p.features ? { features: p.features } : {};
  switch (p.kind) {
    case 'cs-zscore':
      return new CrossSectionalZScore(features);
    case 'cs-rank':
      return new CrossSectionalRank(features);
    case 'cs-robust-zscore':
      return new CrossSectionalRobustZScore({ ...features, ...(p.clip !== undefined ? { clip: p.clip } : {}) });
    case 'robust-zscore':
      return new RobustZScore({ ...features, ...(p.clip !== undefined ? { clip: p.clip } : {}) });
    case 'zscore':
      return new ZScore(features);
    case 'winsorize':
      return new Winsorize({ ...features, ...(p.lower !== undefined ? { lower: p.lower } : {}), ...(p.upper !== undefined ? { upper: p.upper } : {}) });
    case 'fill-missing':
      return new FillMissing({ ...features, ...(p.strategy ? { strategy: p.strategy } : {}), ...(p.value !== undefined ? { value: p.value } : {}) });
  }
}

/** sha256 over the training matrix: dims, then x and y as their little-endian float32 bytes. */
export function datasetHash(data: Dataset): string {
  const hash = createHash('sha256');
  hash.update(`${data.rows}x${data.cols}\n`);
  hash.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  hash.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return hash.digest('hex');
}

interface SegmentRows {
  data: Dataset;
  /** Raw label per row (IC is measured on the label itself, not its normalised target). */
  rawLabel: Float64Array;
  /** Dates kept, one per group. */
  dates: string[];
}

/**
 * Rows of a processed panel where the instrument is a member that day, a feature row exists and the
 * label is finite (Qlib's DropnaLabel); the target is the label after the per-date label processors.
 * Rows are grouped by date (ranking objectives and per-date metrics need it).
 */
function segmentRows(panel: Panel, labels: Panel, present: Uint8Array, offset: number, labelProcessors: Workflow['labelProcessors'], featureNames: string[]): SegmentRows {
  const nC = panel.codes.length;
  const nF = panel.features.length;
  // First pass: which instruments make a row on each date, so the matrix is allocated once as float32
  // (a CSI300 x Alpha158 training matrix has ~10^8 cells: no intermediate JS arrays of numbers).
  const kept: number[][] = [];
  let total = 0;
  for (let d = 0; d < panel.dates.length; d++) {
    const rows: number[] = [];
    for (let c = 0; c < nC; c++) {
      if (present[(offset + d) * nC + c] === 1 && Number.isFinite(labels.values[d * nC + c] as number)) rows.push(c);
    }
    kept.push(rows);
    total += rows.length;
  }
  const x = new Float32Array(total * nF);
  const raw = new Float64Array(total);
  const target = new Float32Array(total);
  const group: number[] = [];
  const dates: string[] = [];
  let r = 0;
  for (let d = 0; d < panel.dates.length; d++) {
    const rows = kept[d] as number[];
    if (rows.length === 0) continue;
    const ys = rows.map((c) => labels.values[d * nC + c] as number);
    let t = ys;
    for (const lp of labelProcessors) t = lp.kind === 'cs-zscore' ? zscore(t) : rankPct(t);
    for (const [k, c] of rows.entries()) {
      const base = (d * nC + c) * nF;
      for (let f = 0; f < nF; f++) {
        const v = panel.values[base + f] as number;
        if (v === Infinity || v === -Infinity) {
          fail('FEATURE_NOT_FINITE', `feature ${featureNames[f]} of ${panel.codes[c]} on ${panel.dates[d]} is ${v}: fix the feature or add a processor`, {
            feature: featureNames[f] as string,
            code: panel.codes[c] as string,
            date: panel.dates[d] as string,
          });
        }
        x[r * nF + f] = v;
      }
      raw[r] = ys[k] as number;
      target[r] = t[k] as number;
      r++;
    }
    group.push(rows.length);
    dates.push(panel.dates[d] as string);
  }
  return { data: { rows: total, cols: nF, x, y: target, group: Int32Array.from(group), featureNames }, rawLabel: raw, dates };
}

/** Qlib's CSZScoreNorm (population std); a constant cross-section becomes 0. */
function zscore(v: number[]): number[] {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) * (x - mean), 0) / v.length);
  return v.map((x) => (sd > 0 ? (x - mean) / sd : 0));
}

/** Qlib's CSRankNorm: (rank pct - 0.5) * 3.46 (unit variance for a uniform). */
function rankPct(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(v.length);
  for (let k = 0; k < order.length; ) {
    let m = k;
    while (m + 1 < order.length && order[m + 1]?.[0] === order[k]?.[0]) m++;
    const pct = ((k + m) / 2 + 1) / v.length;
    for (let t = k; t <= m; t++) out[order[t]?.[1] as number] = (pct - 0.5) * 3.46;
    k = m + 1;
  }
  return out;
}

/**
 * Trains every model a workflow names: reads (or builds) the features and bars, computes the label,
 * purges the train/valid boundary by the label's lookahead, fits the processors on train only, trains
 * each model with the valid set for early stopping, and registers it as a candidate with its lineage,
 * metrics, artefact and ONNX file.
 */
export async function trainWorkflow(workflow: Workflow, options: TrainWorkflowOptions): Promise<TrainWorkflowResult> {
  const progress = options.onProgress ?? (() => undefined);
  const lookupSet = options.featureSets ?? catalogueFeatureSet;
  const lookupModel = options.models ?? defaultModelLookup;
  const sets = workflow.features.map((name) => lookupSet(name));
  // Resolve every model kind before any work: a typo should not cost a data load.
  const factories = workflow.models.map((m) => lookupModel(m.kind));
  const label: LabelDefinition = labelDefinition(workflow.label);
  const { train, valid, test } = workflow.segments;

  const calendar = await options.market.calendar(workflow.data.market);
  const from = calendar.findIndex((d) => d >= train.from);
  let end = calendar.findIndex((d) => d > valid.to);
  if (end < 0) end = calendar.length;
  if (from < 0 || from >= end) fail('TRAINING_NO_SESSIONS', `the store's ${workflow.data.market} calendar has no session in ${train.from}..${valid.to}: import the data first`, { from: train.from, to: valid.to });
  // With a test segment in the data, valid is purged before it too: early stopping must not read test prices.
  const withTest = test !== undefined && calendar.some((d) => d >= test.from && d <= test.to);
  const span = calendar.slice(from, withTest ? calendar.length : end).filter((d) => d <= (withTest && test ? test.to : valid.to));
  const segments: Record<string, { from: string; to: string }> = withTest && test ? { train, valid, test } : { train, valid };
  const split = purgedSplit(span, segments, label.lookahead) as Record<'train' | 'valid', ReturnType<typeof purgedSplit<'train'>>['train']>;
  const sessions = span.slice(0, split.valid.end);
  end = from + sessions.length;
  // Labels read `lookahead` sessions past the last one used.
  const priceEnd = calendar[Math.min(calendar.length - 1, end - 1 + label.lookahead)] as string;

  // Instruments: point-in-time universe membership per session (or every listed code on every day).
  const membership: Array<Set<string>> = [];
  const listed = workflow.codes?.map((c) => canonicalCode(c));
  let codes: string[];
  if (workflow.universe !== undefined) {
    const all = new Set<string>();
    for (const day of sessions) {
      const members = new Set(await options.market.universeOn(workflow.universe, day));
      membership.push(members);
      for (const c of members) all.add(c);
    }
    codes = listed === undefined ? [...all] : listed.filter((c) => all.has(c));
  } else {
    codes = [...(listed ?? [])];
  }
  codes = [...new Set(codes)].sort();
  if (codes.length === 0) fail('UNIVERSE_EMPTY', `no instrument of ${workflow.universe ?? 'the codes'} in ${train.from}..${valid.to}`, { from: train.from, to: valid.to });
  const member = (d: number, code: string): boolean => workflow.universe === undefined || (membership[d] as Set<string>).has(code);

  // Features: one panel over the train+valid sessions, columns of every set side by side.
  const multi = sets.length > 1;
  const names = sets.flatMap((s) => s.definitions().map((d) => (multi ? `${s.name}:${d.name}` : d.name)));
  const nC = codes.length;
  const nF = names.length;
  const panel = createPanel({ dates: sessions, codes, features: names });
  const present = new Uint8Array(sessions.length * nC).fill(1);
  const dateIndex = new Map(sessions.map((d, i) => [d, i]));
  const codeIndex = new Map(codes.map((c, i) => [c, i]));
  let column = 0;
  for (const set of sets) {
    progress(`reading ${set.name}@${set.version} for ${nC} instruments`);
    const width = set.definitions().length;
    const seen = new Uint8Array(sessions.length * nC);
    for (const row of await options.features(set, codes, sessions[0] as string, sessions[sessions.length - 1] as string)) {
      const d = dateIndex.get(row.date);
      const c = codeIndex.get(row.code);
      if (d === undefined || c === undefined) continue;
      if (row.values.length !== width) fail('FEATURES_CORRUPT', `feature row ${row.code} ${row.date} of ${set.name} has ${row.values.length} values, the set defines ${width}`, { code: row.code, date: row.date });
      seen[d * nC + c] = 1;
      for (let j = 0; j < width; j++) panel.values[(d * nC + c) * nF + column + j] = row.values[j] as number;
    }
    // A row needs every set's features: a day without a stored row is not a training example.
    for (let i = 0; i < present.length; i++) if (seen[i] === 0) present[i] = 0;
    column += width;
  }
  for (let d = 0; d < sessions.length; d++) for (let c = 0; c < nC; c++) if (!member(d, codes[c] as string)) present[d * nC + c] = 0;

  // Labels from the adjusted close on the calendar (NaN on days without trading: never filled).
  const labels = createPanel({ dates: sessions, codes, features: [label.name] });
  const priceDates = calendar.slice(from, calendar.indexOf(priceEnd) + 1);
  const priceIndex = new Map(priceDates.map((d, i) => [d, i]));
  for (const [c, code] of codes.entries()) {
    const close = new Float64Array(priceDates.length).fill(NaN);
    for (const bar of await options.market.bars(code, priceDates[0] as string, priceEnd)) {
      const i = priceIndex.get(bar.date);
      if (i !== undefined && bar.traded) close[i] = bar.close * (bar.factor ?? 1);
    }
    const series = computeLabel(close, label.spec);
    for (let d = 0; d < sessions.length; d++) labels.values[d * nC + c] = series[d] as number;
  }

  // Processors learn on the training sessions only, then transform train and valid alike.
  const trainPanel = sliceDates(panel, split.train.start, split.train.end, 'train');
  const validPanel = sliceDates(panel, split.valid.start, split.valid.end, 'valid');
  const pipeline = new ProcessorPipeline(workflow.processors.map(createProcessor)).fit(trainPanel);
  const trainRows = segmentRows(pipeline.apply(trainPanel), sliceDates(labels, split.train.start, split.train.end), present, split.train.start, workflow.labelProcessors, names);
  const validRows = segmentRows(pipeline.apply(validPanel), sliceDates(labels, split.valid.start, split.valid.end), present, split.valid.start, workflow.labelProcessors, names);
  if (trainRows.data.rows === 0) fail('TRAINING_NO_ROWS', `no training row in ${split.train.from}..${split.train.to}: build the features (quant features build) and check the universe`, { from: split.train.from, to: split.train.to });
  if (validRows.data.rows === 0) fail('TRAINING_NO_ROWS', `no validation row in ${split.valid.from}..${split.valid.to}`, { from: split.valid.from, to: split.valid.to });
  const dataHash = datasetHash(trainRows.data);

  const registry = new ModelRegistry(options.store, options.artefactDir);
  await registry.migrate();
  const setName = sets.map((s) => s.name).join('+');
  const setVersion = sets.map((s) => s.version).join('+');
  const summaries: TrainedModelSummary[] = [];
  for (const [i, spec] of workflow.models.entries()) {
    const started = Date.now();
    progress(`training ${spec.name} (${spec.kind}) on ${trainRows.data.rows} rows x ${nF} features`);
    const model = (factories[i] as ModelFactory).create(spec.params);
    const report = await model.fit(trainRows.data, { valid: validRows.data, seed: spec.seed });
    const pred = model.predict(validRows.data.x, validRows.data.rows);
    const metrics = predictionMetrics(pred, validRows.rawLabel, validRows.data.y, validRows.data.group as Int32Array);
    const lineage = {
      workflow: workflow.name ?? null,
      featureSet: setName,
      featureSetVersion: setVersion,
      featureNames: names,
      label: { name: label.name, formula: label.formula, lookahead: label.lookahead, spec: label.spec },
      universe: workflow.universe ?? null,
      train: { from: split.train.from, to: split.train.to, rows: trainRows.data.rows },
      valid: { from: split.valid.from, to: split.valid.to, rows: validRows.data.rows },
      processors: pipeline.toJSON(),
      labelProcessors: workflow.labelProcessors,
      dataHash,
    };
    const registered: RegisteredModel = await registry.register({
      name: spec.name,
      kind: spec.kind,
      featureSet: setName,
      featureSetVersion: setVersion,
      label: label.name,
      trainFrom: split.train.from,
      trainTo: split.train.to,
      validFrom: split.valid.from,
      validTo: split.valid.to,
      params: spec.params,
      seed: spec.seed,
      dataHash,
      metrics: { validIc: metrics.ic, validRankIc: metrics.rankIc, validIcir: metrics.icir, validRankIcir: metrics.rankIcir, validMse: metrics.mse },
      artefact: model.save(),
      onnx: model.toOnnx(),
      metadata: { model: model.metadata(), fit: report, metrics, lineage },
    });
    summaries.push({
      name: registered.name,
      version: registered.version,
      kind: spec.kind,
      stage: registered.stage,
      iterations: report.iterations,
      bestIteration: report.bestIteration,
      valid: metrics,
      dataHash,
      artefactPath: registered.artefactPath,
      onnxPath: registered.onnxPath,
      seconds: (Date.now() - started) / 1000,
    });
  }
  return {
    workflow: workflow.name ?? null,
    featureSet: setName,
    featureSetVersion: setVersion,
    label: label.name,
    features: nF,
    instruments: nC,
    train: { from: split.train.from, to: split.train.to, rows: trainRows.data.rows, purged: split.train.purged },
    valid: { from: split.valid.from, to: split.valid.to, rows: validRows.data.rows },
    models: summaries,
  };
}
