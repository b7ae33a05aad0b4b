import { isAbsolute, relative, resolve } from 'node:path';
import type { FeatureSet } from '@quant/features';
import { DEFAULT_STORE_DIR } from '@quant/storage';
import { ENSEMBLE_NAME, loadWorkflow } from '@quant/training';
import type { ModelLookup } from '@quant/training';
import { createRunProgress } from '../run/run-progress';
import { runWorkflow } from '../run/run-workflow.job';
import type { CommandModule } from './command-module';
import { DEFAULT_ARTEFACT_DIR, workflowFeatureSet } from './train.command';

export interface RunCommandDeps {
  models?: ModelLookup;
  featureSets?: (name: string) => FeatureSet;
  /** Whether stderr is a terminal (live stage lines); default: process.stderr.isTTY. */
  tty?: boolean;
}


const fixed = (v: number | null | undefined, d: number): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const pct = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');

/**
 * `quant run WORKFLOW.yaml --out DIR`: the whole study in one process (data, features, training,
 * test predictions, ensemble, evaluation, backtest, report), stages on stderr, where to look on stdout.
 */
export function createRunCommand(deps: RunCommandDeps = {}): CommandModule {
  return {
    name: 'run',
    register(program, context) {
      program
        .command('run')
        .description('run a workflow end to end: import, features, train, predict the test segment, ensemble, evaluate, backtest, report')
        .argument('<workflow>', 'workflow YAML file (format: examples/workflows/README.md)')
        .requiredOption('--out <dir>', 'output directory: metrics.json, predictions.csv, models/, report.html')
        .option('--store <store>', `chdb directory, or a clickhouse:// or http:// server URL (default: the workflow's data.store, else ${DEFAULT_STORE_DIR})`)
        .option('--artefacts <dir>', 'model registry artefact directory', DEFAULT_ARTEFACT_DIR)
        .option('--no-promote', 'leave the trained models as candidates instead of promoting them to production')
        .action(async (file: string, flags: { out: string; store?: string; artefacts: string; promote: boolean }) => {
          const workflow = await loadWorkflow(resolve(file));
          const store = flags.store ?? workflow.data.store ?? DEFAULT_STORE_DIR;
          const tty = deps.tty ?? Boolean(process.stderr.isTTY);
          const progress = createRunProgress({ write: (text) => context.io.err(text), tty, ...(tty && process.stderr.columns ? { columns: process.stderr.columns } : {}) });
          const started = Date.now();
          const result = await runWorkflow({
            workflow,
            workflowPath: file,
            outDir: flags.out,
            store,
            artefactDir: flags.artefacts,
            promote: flags.promote,
            progress,
            ...(deps.models ? { models: deps.models } : {}),
            featureSets: deps.featureSets ?? workflowFeatureSet,
          });
          // Paths inside the working directory print short; anything outside prints absolute.
          const show = (p: string): string => {
            const rel = relative(process.cwd(), p);
            return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(p) : rel;
          };
          const width = Math.max(5, ...Object.keys(result.metrics).map((n) => n.length));
          const lines = [
            `quant run: ${workflow.name ?? file} finished in ${((Date.now() - started) / 1000).toFixed(0)} s`,
            '',
            `  ${'model'.padEnd(width)} ${'IC'.padStart(7)} ${'ICIR'.padStart(7)} ${'rank IC'.padStart(8)} ${'ann. excess'.padStart(11)} ${'IR'.padStart(6)} ${'max DD'.padStart(7)}`,
            ...Object.entries(result.metrics).map(
              ([name, m]) =>
                `  ${name.padEnd(width)} ${fixed(m.ic, 4).padStart(7)} ${fixed(m.icir, 3).padStart(7)} ${fixed(m.rank_ic, 4).padStart(8)} ${pct(m.annualized_excess_return).padStart(11)} ${fixed(m.information_ratio, 2).padStart(6)} ${pct(m.max_drawdown).padStart(7)}`,
            ),
            '',
            `  report       ${show(result.reportPath)}`,
            `  metrics      ${show(result.metricsPath)}`,
            `  predictions  ${show(result.predictionsPath)} (model "${ENSEMBLE_NAME}" is the average of the models)`,
            `  models       ${show(resolve(flags.out, 'models'))}/<name>/model.onnx + metadata.json`,
            result.promoted.length > 0
              ? `  serve        npx quant serve${flags.store ? ` --store ${flags.store}` : ''}   (production: ${result.promoted.join(', ')})`
              : `  serve        promote a model (ModelRegistry.promote), then npx quant serve${flags.store ? ` --store ${flags.store}` : ''}`,
          ];
          context.io.out(`${lines.join('\n')}\n`);
        });
    },
  };
}

export const runCommand: CommandModule = createRunCommand();
