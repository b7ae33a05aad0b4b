import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { QuantError } from '@quant/errors';
import type { BacktestResult, BacktestSignal } from '@quant/evaluation';
import type { FeatureSet } from '@quant/features';
import { FeatureRepository, buildFeatures, storeFeatureLoader } from '@quant/feature-store';
import { canonicalCode } from '@quant/market';
import { MarketDataRepository, createSource, runImportJob } from '@quant/market-data';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { ENSEMBLE_NAME, ModelRegistry, sessionMembers, trainWorkflow } from '@quant/training';
import type { ModelLookup, SegmentPredictions, TrainWorkflowResult, Workflow } from '@quant/training';
import { averageEnsemble } from './ensemble';
import { evaluateSignal, runMetrics } from './run-evaluation';
import type { RunMetrics, SignalEvaluation } from './run-evaluation';
import { METRIC_DEFINITIONS, copyModelFiles, writeMetricsFile, writePredictionsCsv } from './run-outputs';
import type { RunProgress } from './run-progress';
import { renderRunReport } from './run-report';
import { backtestScores, loadBacktestMarket } from './store-backtest.adapter';

export interface RunWorkflowOptions {
  workflow: Workflow;
  /** Shown in the report. */
  workflowPath: string;
  outDir: string;
  store: string;
  /** Registry artefact directory. */
  artefactDir: string;
  /** Promote the trained models to production once the run has evaluated them (what `quant serve` loads). */
  promote: boolean;
  progress: RunProgress;
  models?: ModelLookup;
  featureSets: (name: string) => FeatureSet;
}

export interface RunWorkflowResult {
  outDir: string;
  metricsPath: string;
  predictionsPath: string;
  reportPath: string;
  modelFiles: string[];
  metrics: Record<string, RunMetrics>;
  imported: boolean;
  promoted: string[];
}

function fail(code: string, message: string, details: Record<string, string> = {}): never {
  throw new QuantError(code, message, { details });
}

/** Why the store cannot serve the workflow yet (null when it can): decides the import. */
async function missingData(market: MarketDataRepository, workflow: Workflow, benchmark: string): Promise<string | null> {
  const calendar = await market.calendar(workflow.data.market);
  const test = workflow.segments.test;
  if (calendar.length === 0) return 'the store holds no calendar';
  const first = calendar.find((d) => d >= workflow.segments.train.from);
  if (first === undefined) return `the calendar ends before ${workflow.segments.train.from}`;
  if (test && (calendar.at(-1) as string) < test.from) return `the calendar ends before the test segment ${test.from}`;
  if (workflow.universe !== undefined && (await market.universeOn(workflow.universe, first)).length === 0) return `universe ${workflow.universe} has no member on ${first}`;
  const wanted = [benchmark, ...(workflow.codes?.map(canonicalCode) ?? [])];
  const covered = new Set((await market.coverage(wanted)).map((c) => c.code));
  const lacking = wanted.filter((c) => !covered.has(c));
  return lacking.length > 0 ? `no bars of ${lacking.slice(0, 5).join(', ')}` : null;
}

/** Imports the workflow's source into the store: the universe's or listed instruments, then the benchmark index. */
async function importData(workflow: Workflow, store: string, benchmark: string, progress: RunProgress): Promise<void> {
  const { source, dir } = workflow.data;
  if (source === 'store') fail('STORE_EMPTY', `the store ${store} lacks the workflow's data and data.source is "store": import it first (quant data import)`, { store });
  if (dir === undefined) fail('WORKFLOW_INVALID', `data.dir: the workflow's data.source ${source} needs a directory to import from`, { source });
  const onProgress = (text: string) => progress.detail(text);
  const codes = workflow.codes?.map(canonicalCode);
  await runImportJob({ source: createSource(source, resolve(dir)), store, ...(workflow.universe ? { universe: workflow.universe } : {}), ...(codes ? { codes } : {}), onProgress });
  if (workflow.universe !== undefined || codes !== undefined) await runImportJob({ source: createSource(source, resolve(dir)), store, codes: [benchmark], onProgress });
}

/**
 * Builds each feature set for the instruments whose stored rows stop short of the run's span (or
 * have none); the trainer's loader still fills any gap this coarse check misses.
 */
async function buildMissingFeatures(store: Store, market: MarketDataRepository, workflow: Workflow, sets: readonly FeatureSet[], benchmark: string, progress: RunProgress): Promise<number> {
  const from = workflow.segments.train.from;
  const to = workflow.segments.test?.to ?? workflow.segments.valid.to;
  const calendar = (await market.calendar(workflow.data.market)).filter((d) => d >= from && d <= to);
  const members = new Set<string>();
  if (workflow.universe !== undefined) {
    progress.detail(`universe ${workflow.universe} over ${calendar.length} sessions`);
    for (const c of (await sessionMembers(market, workflow.universe, undefined, calendar)).codes) members.add(c);
  }
  const listed = workflow.codes?.map(canonicalCode);
  const codes = listed ? (workflow.universe === undefined ? listed : listed.filter((c) => members.has(c))) : [...members];
  // The last session of the span: a segment may end on a holiday (Qlib's test ends on a Saturday).
  const lastSession = calendar.at(-1) ?? to;
  const coverage = new Map((await market.coverage(codes)).map((c) => [c.code, c]));
  const repository = new FeatureRepository(store);
  let built = 0;
  for (const set of sets) {
    const last = await repository.lastComputedDates(set.name, set.version, codes);
    const stale = codes.filter((c) => {
      const cov = coverage.get(c);
      if (!cov || cov.to < from) return false;
      const end = cov.to < lastSession ? cov.to : lastSession;
      const done = last.get(c);
      return done === undefined || done < end;
    });
    if (stale.length === 0) continue;
    progress.detail(`building ${set.name}@${set.version} for ${stale.length} instrument(s) over ${from}..${to}`);
    await buildFeatures({ store, market, set, codes: stale, from, to, indexCode: benchmark, onProgress: (text) => progress.detail(text) });
    built += stale.length;
  }
  return built;
}

/** Signals of one score column for the backtest. */
function signals(predictions: SegmentPredictions, scores: Float64Array): BacktestSignal[] {
  const out: BacktestSignal[] = [];
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    if (Number.isFinite(score)) out.push({ date: predictions.dates[predictions.date[i] as number] as string, code: predictions.codes[predictions.code[i] as number] as string, score });
  }
  return out;
}

const pct = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
const num = (v: number | null | undefined, d = 4): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/**
 * `quant run`: data (import when the store lacks it) -> features (build what is missing) -> train the
 * workflow's models -> predict the test segment -> average ensemble -> evaluate -> backtest -> report.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
  const { workflow, progress } = options;
  if (!workflow.segments.test) fail('WORKFLOW_INVALID', 'segments.test: quant run evaluates the test segment; add segments.test { from, to }');
  const sets = workflow.features.map((name) => options.featureSets(name));
  const benchmark = canonicalCode(workflow.backtest.benchmark ?? workflow.benchmark);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });

  progress.stage('data');
  let store = await openStore(options.store);
  let imported = false;
  try {
    let market = new MarketDataRepository(store);
    await market.migrate();
    const missing = await missingData(market, workflow, benchmark);
    if (missing !== null) {
      progress.detail(`importing ${workflow.data.source} ${workflow.data.dir ?? ''}: ${missing}`);
      await store.close();
      await importData(workflow, options.store, benchmark, progress);
      store = await openStore(options.store);
      market = new MarketDataRepository(store);
      imported = true;
      const still = await missingData(market, workflow, benchmark);
      if (still !== null) fail('STORE_INCOMPLETE', `after importing ${workflow.data.dir}, ${still}: check the workflow's data, universe and segments`, { store: options.store });
    }
    progress.done(imported ? 'imported' : 'already in the store');

    progress.stage('features');
    await new FeatureRepository(store).migrate();
    const built = await buildMissingFeatures(store, market, workflow, sets, benchmark, progress);
    progress.done(built > 0 ? `built for ${built} instrument(s)` : 'already in the store');

    progress.stage('train');
    const trained: TrainWorkflowResult = await trainWorkflow(workflow, {
      store,
      artefactDir: resolve(options.artefactDir),
      market,
      features: storeFeatureLoader(store, market, { indexCode: benchmark, onProgress: (text) => progress.detail(text) }),
      ...(options.models ? { models: options.models } : {}),
      featureSets: options.featureSets,
      predictTest: true,
      onProgress: (text) => progress.detail(text),
      onPredictTest: () => {
        progress.done();
        progress.stage('predict');
      },
    });
    const predictions = trained.test as SegmentPredictions;
    progress.done(`${predictions.date.length} rows; valid IC ${trained.models.map((m) => `${m.name} ${num(m.valid.ic)}`).join(', ')}`);

    progress.stage('evaluate');
    const ensemble = averageEnsemble(predictions);
    const columns: Array<[string, Float64Array]> = [...Object.entries(predictions.scores), [ENSEMBLE_NAME, ensemble]];
    const evaluations = new Map<string, SignalEvaluation>();
    for (const [name, scores] of columns) {
      progress.detail(`signal and classification metrics of ${name}`);
      evaluations.set(name, evaluateSignal(predictions, scores));
    }
    progress.done(`ensemble IC ${num(evaluations.get(ENSEMBLE_NAME)?.ic)}`);

    progress.stage('backtest');
    progress.detail(`loading bars of ${predictions.codes.length} instruments and ${benchmark}`);
    const btMarket = await loadBacktestMarket(market, { market: workflow.data.market, codes: predictions.codes, benchmark, from: predictions.from, to: predictions.to });
    const backtests = new Map<string, BacktestResult>();
    for (const [name, scores] of columns) {
      progress.detail(`${workflow.backtest.strategy} top ${workflow.backtest.topk} of ${name}`);
      backtests.set(name, backtestScores(btMarket, signals(predictions, scores), workflow.backtest, predictions.from, predictions.to));
    }
    const metrics: Record<string, RunMetrics> = {};
    for (const [name] of columns) metrics[name] = runMetrics(evaluations.get(name) as SignalEvaluation, (backtests.get(name) as BacktestResult).days);
    const ens = metrics[ENSEMBLE_NAME] as RunMetrics;
    progress.done(`ensemble excess ${pct(ens.annualized_excess_return)}/yr, IR ${num(ens.information_ratio, 2)}`);

    progress.stage('report');
    const metricsPath = join(outDir, 'metrics.json');
    const predictionsPath = join(outDir, 'predictions.csv');
    const reportPath = join(outDir, 'report.html');
    const b = workflow.backtest;
    const setup: Array<[string, string]> = [
      ['workflow', `${workflow.name ?? '(unnamed)'} (${options.workflowPath})`],
      ['data', `${workflow.data.source}${workflow.data.dir ? ` ${workflow.data.dir}` : ''}, store ${options.store}`],
      ['universe', workflow.universe ?? (workflow.codes ?? []).join(', ')],
      ['features', `${trained.featureSet}@${trained.featureSetVersion} (${trained.features} columns)`],
      ['label', trained.label],
      ['train', `${trained.train.from}..${trained.train.to} (${trained.train.rows} rows, ${trained.train.purged} sessions purged)`],
      ['valid', `${trained.valid.from}..${trained.valid.to} (${trained.valid.rows} rows)`],
      ['test', `${predictions.from}..${predictions.to} (${predictions.date.length} rows, ${predictions.dates.length} sessions)`],
      ['models', trained.models.map((m) => `${m.name} (${m.kind} v${m.version}, ${m.bestIteration} iterations)`).join('; ') + `; ${ENSEMBLE_NAME}: mean of daily z-scored scores`],
      ['backtest', `${b.strategy} topk ${b.topk}${b.strategy === 'topk-dropout' ? ` n_drop ${b.nDrop}` : ''}, deal at ${b.dealPrice}, cash ${b.initialCash}, costs ${b.costs.model}, benchmark ${benchmark}`],
    ];
    await writeMetricsFile(metricsPath, {
      workflow: workflow.name ?? null,
      test: { from: predictions.from, to: predictions.to, days: predictions.dates.length, rows: predictions.date.length },
      models: Object.fromEntries(Object.entries(metrics).filter(([n]) => n !== ENSEMBLE_NAME)),
      ensemble: ens,
      definitions: METRIC_DEFINITIONS,
      setup: Object.fromEntries(setup),
      valid: Object.fromEntries(trained.models.map((m) => [m.name, { ic: m.valid.ic, rank_ic: m.valid.rankIc, icir: m.valid.icir, rank_icir: m.valid.rankIcir, best_iteration: m.bestIteration }])),
    });
    progress.detail('predictions.csv');
    await writePredictionsCsv(predictionsPath, predictions, columns);
    const modelFiles = await copyModelFiles(outDir, trained.models);
    const ensembleBacktest = backtests.get(ENSEMBLE_NAME) as BacktestResult;
    await writeFile(
      reportPath,
      renderRunReport({
        title: `quant run: ${workflow.name ?? options.workflowPath}`,
        generatedAt: new Date().toISOString(),
        setup,
        metrics,
        focus: ENSEMBLE_NAME,
        daily: ensembleBacktest.days,
        dailyIc: (evaluations.get(ENSEMBLE_NAME) as SignalEvaluation).daily,
        importance: trained.importance ?? {},
      }),
    );
    const promoted: string[] = [];
    if (options.promote) {
      const registry = new ModelRegistry(store, resolve(options.artefactDir));
      for (const m of trained.models) {
        await registry.promote(m.name, m.version, 'production');
        promoted.push(`${m.name} v${m.version}`);
      }
    }
    progress.done(promoted.length > 0 ? `promoted ${promoted.join(', ')} to production` : '');
    return { outDir, metricsPath, predictionsPath, reportPath, modelFiles, metrics, imported, promoted };
  } catch (error) {
    progress.fail();
    throw error;
  } finally {
    await store.close();
  }
}
