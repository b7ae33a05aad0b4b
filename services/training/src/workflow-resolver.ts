import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { QuantError } from '@quant/errors';
import type { Workflow } from '@quant/training';
import { loadWorkflow } from '@quant/training';

export interface ResolvedWorkflow {
  /** The file the workflow came from. */
  file: string;
  /** The workflow, its models narrowed to those the trigger asks for. */
  workflow: Workflow;
}

const YAML = /\.ya?ml$/i;

/**
 * Which workflow a retrain trigger for `name` runs, in `dir`:
 * 1. `<name>.yaml` (or `.yml`) when it exists: if it defines a model called `name`, only that model is
 *    trained; otherwise `name` names the workflow and every model in it is trained (a manual request
 *    for a whole workflow).
 * 2. Otherwise the one workflow file that defines a model called `name` (files in name order), and only
 *    that model is trained. Two files defining it is an error (WORKFLOW_AMBIGUOUS): a retrain must not
 *    depend on directory order.
 * 3. Otherwise WORKFLOW_NOT_FOUND, naming the directory and the files looked at.
 * An invalid file named by rule 1 fails the trigger; invalid other files are skipped in rule 2 (one
 * broken file must not stop every other model's retraining) and named in the not-found message.
 */
export async function resolveWorkflow(dir: string, name: string): Promise<ResolvedWorkflow> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => YAML.test(f)).sort();
  } catch (error) {
    throw new QuantError('WORKFLOW_NOT_FOUND', `cannot read the workflows directory ${dir} (QUANT_TRAINING_WORKFLOWS_DIR): ${(error as Error).message}`, { details: { dir, model: name } });
  }
  const own = files.find((f) => f === `${name}.yaml`) ?? files.find((f) => f === `${name}.yml`);
  if (own !== undefined) {
    const workflow = await loadWorkflow(join(dir, own));
    const models = workflow.models.filter((m) => m.name === name);
    return { file: join(dir, own), workflow: models.length > 0 ? { ...workflow, models } : workflow };
  }
  const matches: ResolvedWorkflow[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    let workflow: Workflow;
    try {
      workflow = await loadWorkflow(join(dir, f));
    } catch {
      skipped.push(f);
      continue;
    }
    const models = workflow.models.filter((m) => m.name === name);
    if (models.length > 0) matches.push({ file: join(dir, f), workflow: { ...workflow, models } });
  }
  if (matches.length > 1) {
    throw new QuantError('WORKFLOW_AMBIGUOUS', `model ${name} is defined by ${matches.length} workflows in ${dir}: ${matches.map((m) => m.file).join(', ')}; keep one, or name a file ${name}.yaml`, {
      details: { dir, model: name },
    });
  }
  const [match] = matches;
  if (match === undefined) {
    const looked = files.length === 0 ? 'it holds no .yaml file' : `looked at ${files.join(', ')}${skipped.length > 0 ? ` (invalid, skipped: ${skipped.join(', ')})` : ''}`;
    throw new QuantError('WORKFLOW_NOT_FOUND', `no workflow for model ${name} in ${dir}: expected ${name}.yaml or a workflow with a model named ${name}; ${looked}`, { details: { dir, model: name } });
  }
  return match;
}
