import { z } from 'zod';

const directory = (fallback: string, what: string) => z.string().trim().min(1, { error: `a directory of ${what}` }).default(fallback);

/** Variables of the training service, validated at boot with the runtime's (see README). */
export const trainingEnv = {
  /**
   * Directory of workflow YAML files (the format of `quant train`); a trigger's model name selects one
   * (rule: resolveWorkflow in workflow-resolver.ts). Read per trigger, so a file added later is found.
   */
  QUANT_TRAINING_WORKFLOWS_DIR: directory('./workflows', 'workflow YAML files'),
  /** Model artefact directory of the registry (`<dir>/<name>/<version>/model.onnx`); `quant train --artefacts`. */
  QUANT_MODEL_ARTEFACTS_DIR: directory('./.quant/models', 'model artefacts'),
};

export type TrainingEnv = typeof trainingEnv;
