import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
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
  featureSet as catalogueFeatureSet,
  labelDefinition,
  purgedSplit,
  sliceDates,
} from '@quant/features';
import type { FeatureSet, LabelDefinition, Panel, Processor } from '@quant/features';
import { canonicalCode } from '@quant/market';
import type { Dataset, FitReport, Model, ModelFactory } from '@quant/ml';
import type { Store } from '@quant/storage';
import { calibrationRows, defaultCalibration, forwardReturnSpec } from './calibration';
import type { CalibrationFitter } from './calibration';
import { copyFeatureRow, labelArrays, loadFeaturePanel, maskCells, panelFeatureNames, sessionMembers } from './feature-panel';
import type { FeatureLoader, TrainingMarket } from './feature-panel';
import { predictionMetrics } from './metrics';
import type { PredictionMetrics } from './metrics';
import { defaultModelLookup } from './model-lookup';
import type { ModelLookup } from './model-lookup';
import { ModelRegistry } from './model-registry';
import type { RegisteredModel } from './model-registry';
import { fitModelsInParallel } from './parallel-fit';
import { predictSegment } from './segment-predictions';
import type { SegmentPredictions } from './segment-predictions';
import type { Workflow, WorkflowProcessor } from './workflow';

export type { FeatureLoader, TrainingMarket } from './feature-panel';

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
  /**
   * Score calibration fitted on each model's valid predictions and stored in its metadata under
   * `calibration`; default: @quant/evaluation's `fitScoreCalibration`; `null` skips it.
   */
  calibrate?: CalibrationFitter | null;
  /**
   * Also predict the workflow's test segment with every trained model (features transformed by the
   * pipeline fitted on train; test labels read for evaluation only). `quant run` sets it.
   */
  predictTest?: boolean;
  /**
   * Models of one training matrix fitted at once on worker threads (default: the machine's cores, at
   * most 2); 1 fits them one after another here. A custom `models` lookup always fits here: workers
   * build models through the default lookup.
   */
  parallelism?: number;
  /** Called once training is done and the test segment's prediction starts (progress displays). */
  onPredictTest?: () => void;
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
  /** With `predictTest`: every model's scores on the test segment and the realised labels. */
  test?: SegmentPredictions;
  /** With `predictTest`: each model's gain importance by feature (for reports). */
  importance?: Record<string, Record<string, number>>;
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
  /** Panel cell of each row: date index x codes + code index (within the segment's panel). */
  cells: Int32Array;
}


/**
 * Rows of a processed panel where the instrument is a member that day, a feature row exists and the
 * label is finite (Qlib's DropnaLabel); the target is the label after the per-date label processors.
 * Rows are grouped by date (ranking objectives and per-date metrics need it).
 */
function segmentRows(panel: Panel, labels: Float64Array, present: Uint8Array, labelProcessors: Workflow['labelProcessors']): SegmentRows {
  const nC = panel.codes.length;
  const nF = panel.features.length;
  // First pass: which instruments make a row on each date, so the matrix is allocated once as float32
  // (a CSI300 x Alpha158 training matrix has ~10^8 cells: no intermediate JS arrays of numbers).
  const kept: number[][] = [];
  let total = 0;
  for (let d = 0; d < panel.dates.length; d++) {
    const rows: number[] = [];
    for (let c = 0; c < nC; c++) {
      if (present[d * nC + c] === 1 && Number.isFinite(labels[d * nC + c] as number)) rows.push(c);
    }
    kept.push(rows);
    total += rows.length;
  }
  const x = new Float32Array(total * nF);
  const raw = new Float64Array(total);
  const target = new Float32Array(total);
  const cells = new Int32Array(total);
  const group: number[] = [];
  const dates: string[] = [];
  let r = 0;
  for (let d = 0; d < panel.dates.length; d++) {
    const rows = kept[d] as number[];
    if (rows.length === 0) continue;
    const ys = rows.map((c) => labels[d * nC + c] as number);
    let t = ys;
    for (const lp of labelProcessors) t = lp.kind === 'cs-zscore' ? zscore(t) : rankPct(t);
    for (const [k, c] of rows.entries()) {
      copyFeatureRow(panel, d, c, x, r);
      raw[r] = ys[k] as number;
      target[r] = t[k] as number;
      cells[r] = d * nC + c;
      r++;
    }
    group.push(rows.length);
    dates.push(panel.dates[d] as string);
  }
  return { data: { rows: total, cols: nF, x, y: target, group: Int32Array.from(group), featureNames: [...panel.features] }, rawLabel: raw, dates, cells };
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

interface FittedModel {
  model: Model;
  report: FitReport;
}

/** Tree kinds whose histogram threads would only compete with the other models' workers. */
const THREADED_KINDS = new Set(['gbdt', 'random-forest']);

/**
 * Fits the models of one training matrix: on worker threads when several share it and parallelism
 * allows (each artefact is the bytes an in-thread fit saves, so the registry cannot tell), else here.
 */
async function fitGroup(
  specs: ReadonlyArray<{ spec: Workflow['models'][number]; factory: ModelFactory }>,
  train: Dataset,
  valid: Dataset,
  parallelism: number,
  progress: (text: string) => void,
): Promise<FittedModel[]> {
  if (parallelism > 1 && specs.length > 1) {
    progress(`training ${specs.map(({ spec }) => `${spec.name} (${spec.kind})`).join(', ')} on ${Math.min(parallelism, specs.length)} worker threads`);
    const jobs = specs.map(({ spec }) => ({
      kind: spec.kind,
      params: THREADED_KINDS.has(spec.kind) && spec.params.numThreads === undefined ? { ...spec.params, numThreads: 1 } : spec.params,
      seed: spec.seed,
      train,
      valid,
    }));
    const results = await fitModelsInParallel(jobs, { concurrency: Math.min(parallelism, specs.length) });
    return results.map((r, k) => ({ model: (specs[k] as (typeof specs)[number]).factory.load(r.artefact), report: r.report }));
  }
  const fitted: FittedModel[] = [];
  for (const { spec, factory } of specs) {
    progress(`training ${spec.name} (${spec.kind})`);
    const model = factory.create(spec.params);
    fitted.push({ model, report: await model.fit(train, { valid, seed: spec.seed }) });
  }
  return fitted;
}

/**
 * Trains every model a workflow names: reads (or builds) the features and bars, computes the label,
 * purges the train/valid boundary by the label's lookahead, fits the processors on train only, trains
 * each model with the valid set for early stopping, fits its score calibration on valid, and registers
 * it as a candidate with its lineage, metrics, calibration, artefact and ONNX file. With `predictTest`,
 * the test segment is then predicted through the same fitted pipeline (see segment-predictions.ts).
 */
export async function trainWorkflow(workflow: Workflow, options: TrainWorkflowOptions): Promise<TrainWorkflowResult> {
  const progress = options.onProgress ?? (() => undefined);
  const lookupSet = options.featureSets ?? catalogueFeatureSet;
  const lookupModel = options.models ?? defaultModelLookup;
  const calibrate = options.calibrate === undefined ? defaultCalibration : options.calibrate;
  const sets = workflow.features.map((name) => lookupSet(name));
  // Resolve every model kind before any work: a typo should not cost a data load.
  const factories = workflow.models.map((m) => lookupModel(m.kind));
  const label: LabelDefinition = labelDefinition(workflow.label);
  const forward = forwardReturnSpec(label);
  const { train, valid, test } = workflow.segments;
  if (options.predictTest && test === undefined) fail('WORKFLOW_INVALID', 'segments.test: predicting the test segment needs segments.test { from, to }');

  const calendar = await options.market.calendar(workflow.data.market);
  const from = calendar.findIndex((d) => d >= train.from);
  let end = calendar.findIndex((d) => d > valid.to);
  if (end < 0) end = calendar.length;
  if (from < 0 || from >= end) fail('TRAINING_NO_SESSIONS', `the store's ${workflow.data.market} calendar has no session in ${train.from}..${valid.to}: import the data first`, { from: train.from, to: valid.to });
  // With a test segment in the data, valid is purged before it too: early stopping must not read test prices.
  const withTest = test !== undefined && calendar.some((d) => d >= test.from && d <= test.to);
  if (options.predictTest && !withTest) fail('TRAINING_NO_SESSIONS', `the store's calendar has no session in the test segment ${test?.from}..${test?.to}: import the data first`, { from: test?.from ?? '', to: test?.to ?? '' });
  const span = calendar.slice(from, withTest ? calendar.length : end).filter((d) => d <= (withTest && test ? test.to : valid.to));
  const segments: Record<string, { from: string; to: string }> = withTest && test ? { train, valid, test } : { train, valid };
  const split = purgedSplit(span, segments, label.lookahead) as Record<'train' | 'valid' | 'test', ReturnType<typeof purgedSplit<'train'>>['train']>;
  const sessions = span.slice(0, split.valid.end);
  end = from + sessions.length;
  // Labels read `lookahead` sessions past the last one used.
  const priceEnd = Math.min(calendar.length, end + label.lookahead);

  const listed = workflow.codes?.map((c) => canonicalCode(c));
  const { codes, member } = await sessionMembers(options.market, workflow.universe, listed, sessions);
  if (codes.length === 0) fail('UNIVERSE_EMPTY', `no instrument of ${workflow.universe ?? 'the codes'} in ${train.from}..${valid.to}`, { from: train.from, to: valid.to });
  const nC = codes.length;

  const { panel, present } = await loadFeaturePanel(sets, options.features, codes, sessions, progress);
  const names = panelFeatureNames(sets);
  const nF = names.length;
  for (let d = 0; d < sessions.length; d++) for (let c = 0; c < nC; c++) if (!member(d, codes[c] as string)) present[d * nC + c] = 0;
  maskCells(panel, (d, c) => present[d * nC + c] === 1);

  const priceDates = calendar.slice(from, priceEnd);
  const [labels, forwardReturns] = (await labelArrays(options.market, codes, priceDates, sessions.length, [label.spec, forward])) as [Float64Array, Float64Array];
  const benchmarkCode = canonicalCode(workflow.benchmark);
  const [benchmark] = calibrate ? ((await labelArrays(options.market, [benchmarkCode], priceDates, sessions.length, [forward])) as [Float64Array]) : [new Float64Array(0)];

  // Processors learn on the training sessions only, then transform train and valid alike.
  const block = (a: Float64Array, r: { start: number; end: number }) => a.subarray(r.start * nC, r.end * nC);
  const trainPanel = sliceDates(panel, split.train.start, split.train.end, 'train');
  const validPanel = sliceDates(panel, split.valid.start, split.valid.end, 'valid');
  // Models may name their own processors (a GBDT reads raw features, a linear model needs them scaled):
  // one pipeline and one train/valid matrix per distinct list, fitted on train only.
  const groups = new Map<string, { processors: WorkflowProcessor[]; models: number[] }>();
  for (const [i, spec] of workflow.models.entries()) {
    const processors = spec.processors ?? workflow.processors;
    const key = JSON.stringify(processors);
    const group = groups.get(key) ?? { processors, models: [] };
    group.models.push(i);
    groups.set(key, group);
  }

  const registry = new ModelRegistry(options.store, options.artefactDir);
  await registry.migrate();
  const setName = sets.map((s) => s.name).join('+');
  const setVersion = sets.map((s) => s.version).join('+');
  const summaries: TrainedModelSummary[] = new Array<TrainedModelSummary>(workflow.models.length);
  const trained: Array<{ name: string; model: Model; pipeline: ProcessorPipeline }> = new Array(workflow.models.length);
  let rowCounts = { train: 0, valid: 0 };
  for (const group of groups.values()) {
    const pipeline = new ProcessorPipeline(group.processors.map(createProcessor)).fit(trainPanel);
    const trainRows = segmentRows(pipeline.apply(trainPanel), block(labels, split.train), present.subarray(split.train.start * nC, split.train.end * nC), workflow.labelProcessors);
    const validRows = segmentRows(pipeline.apply(validPanel), block(labels, split.valid), present.subarray(split.valid.start * nC, split.valid.end * nC), workflow.labelProcessors);
    if (trainRows.data.rows === 0) fail('TRAINING_NO_ROWS', `no training row in ${split.train.from}..${split.train.to}: build the features (quant features build) and check the universe`, { from: split.train.from, to: split.train.to });
    if (validRows.data.rows === 0) fail('TRAINING_NO_ROWS', `no validation row in ${split.valid.from}..${split.valid.to}`, { from: split.valid.from, to: split.valid.to });
    rowCounts = { train: trainRows.data.rows, valid: validRows.data.rows };
    const dataHash = datasetHash(trainRows.data);
    const started = Date.now();
    const fits = await fitGroup(
      group.models.map((i) => ({ spec: workflow.models[i] as Workflow['models'][number], factory: factories[i] as ModelFactory })),
      trainRows.data,
      validRows.data,
      options.models === undefined ? (options.parallelism ?? Math.min(2, availableParallelism())) : 1,
      (text) => progress(`${text} on ${trainRows.data.rows} rows x ${nF} features`),
    );
    for (const [k, i] of group.models.entries()) {
      const spec = workflow.models[i] as Workflow['models'][number];
      const { model, report } = fits[k] as FittedModel;
      const pred = model.predict(validRows.data.x, validRows.data.rows);
      const metrics = predictionMetrics(pred, validRows.rawLabel, validRows.data.y, validRows.data.group as Int32Array);
      const calibration = calibrate
        ? calibrate(
            calibrationRows({ cells: validRows.cells, codes: nC, dates: sessions.slice(split.valid.start, split.valid.end), scores: pred, forward: block(forwardReturns, split.valid), benchmark: benchmark.subarray(split.valid.start, split.valid.end) }),
            { horizon: forward.horizon ?? 1 },
          )
        : undefined;
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
        metadata: { model: model.metadata(), fit: report, metrics, lineage, ...(calibration === undefined ? {} : { calibration: { ...calibration, benchmark: calibrationBenchmark(benchmark, benchmarkCode) } }) },
      });
      trained[i] = { name: spec.name, model, pipeline };
      summaries[i] = {
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
        seconds: group.models.length > 1 ? report.seconds : (Date.now() - started) / 1000,
      };
    }
  }
  const result: TrainWorkflowResult = {
    workflow: workflow.name ?? null,
    featureSet: setName,
    featureSetVersion: setVersion,
    label: label.name,
    features: nF,
    instruments: nC,
    train: { from: split.train.from, to: split.train.to, rows: rowCounts.train, purged: split.train.purged },
    valid: { from: split.valid.from, to: split.valid.to, rows: rowCounts.valid },
    models: summaries,
  };
  if (!options.predictTest) return result;
  options.onPredictTest?.();
  const testSessions = span.slice(split.test.start, split.test.end);
  const testEnd = from + split.test.end;
  result.test = await predictSegment({
    market: options.market,
    features: options.features,
    sets,
    universe: workflow.universe,
    listed,
    sessions: testSessions,
    priceDates: calendar.slice(from + split.test.start, Math.min(calendar.length, testEnd + label.lookahead)),
    models: trained,
    label: label.spec,
    progress,
  });
  result.importance = Object.fromEntries(trained.map((t) => [t.name, t.model.importance('gain')]));
  return result;
}

/** Which benchmark the calibration's excess returns are over: the index, or the universe's mean where the store lacks it. */
function calibrationBenchmark(benchmark: Float64Array, code: string): string {
  return benchmark.some((v) => Number.isFinite(v)) ? code : 'universe-mean';
}
