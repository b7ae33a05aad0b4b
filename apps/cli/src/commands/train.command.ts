import { resolve } from 'node:path';
import { QuantError } from '@quant/errors';
import type { FeatureSet } from '@quant/features';
import { featureSet, featureSetNames } from '@quant/features';
import { FeatureRepository, storeFeatureLoader } from '@quant/feature-store';
import { canonicalCode } from '@quant/market';
import { MarketDataRepository } from '@quant/market-data';
import { DEFAULT_STORE_DIR, openStore } from '@quant/storage';
import { defaultModelLookup, loadWorkflow, trainWorkflow } from '@quant/training';
import type { ModelLookup } from '@quant/training';
import type { CommandModule } from './command-module';

/** Where `quant train` writes model artefacts unless `--artefacts` says otherwise. */
export const DEFAULT_ARTEFACT_DIR = './.quant/models';

export interface TrainCommandDeps {
  /** Model factories by kind (default: @quant/ml's). */
  models?: ModelLookup;
  /** Feature sets by name (default: the catalogue of @quant/features). */
  featureSets?: (name: string) => FeatureSet;
}

/** A catalogue feature set by name; an unknown name is a workflow error listing the known sets. */
export const workflowFeatureSet = (name: string): FeatureSet => {
  const names = featureSetNames();
  if (!names.includes(name)) throw new QuantError('WORKFLOW_INVALID', `features: "${name}" is not a feature set; known sets: ${names.join(', ')}`, { details: { set: name } });
  return featureSet(name);
};


/**
 * `quant train WORKFLOW.yaml`: trains every model the workflow names on the store's data, registers
 * each as a candidate (ClickHouse `models` table + artefact directory) and prints a JSON summary.
 */
export function createTrainCommand(deps: TrainCommandDeps = {}): CommandModule {
  return {
    name: 'train',
    register(program, context) {
      program
        .command('train')
        .description('train the models of a workflow file, register them as candidates and write their ONNX files (prints a JSON summary)')
        .argument('<workflow>', 'workflow YAML file (format: examples/workflows/README.md)')
        .option('--store <store>', `chdb directory, or a clickhouse:// or http:// server URL (default: the workflow's data.store, else ${DEFAULT_STORE_DIR})`)
        .option('--artefacts <dir>', 'model artefact directory', DEFAULT_ARTEFACT_DIR)
        .action(async (file: string, flags: { store?: string; artefacts: string }) => {
          const workflow = await loadWorkflow(resolve(file));
          const location = flags.store ?? workflow.data.store ?? DEFAULT_STORE_DIR;
          const store = await openStore(location);
          try {
            const market = new MarketDataRepository(store);
            await market.migrate();
            await new FeatureRepository(store).migrate();
            if ((await market.calendar(workflow.data.market)).length === 0) {
              const hint = workflow.data.dir ? `quant data import --source ${workflow.data.source} --dir ${workflow.data.dir}` : 'quant data import';
              throw new QuantError('STORE_EMPTY', `the store ${location} holds no market data; run "${hint}" first`, { details: { store: location } });
            }
            const result = await trainWorkflow(workflow, {
              store,
              artefactDir: resolve(flags.artefacts),
              market,
              features: storeFeatureLoader(store, market, {
                indexCode: canonicalCode(workflow.benchmark),
                onProgress: (text) => context.io.err(`quant train: ${text}\n`),
              }),
              models: deps.models ?? defaultModelLookup,
              featureSets: deps.featureSets ?? workflowFeatureSet,
              onProgress: (text) => context.io.err(`quant train: ${text}\n`),
            });
            context.io.out(`${JSON.stringify({ store: location, ...result })}\n`);
          } finally {
            await store.close();
          }
        });
    },
  };
}

export const trainCommand: CommandModule = createTrainCommand();
