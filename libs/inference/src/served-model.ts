import { QuantError } from '@quant/errors';
import { ProcessorPipeline } from '@quant/features';
import type { ScoreCalibration } from '@quant/evaluation';
import type { ModelDescriptor } from './inference.ports';

/** What serving needs of a registered model, read from its metadata.json. */
export interface ServedModelSpec extends ModelDescriptor {
  /** Columns the model takes, in order (`set:name` when it was trained on several sets). */
  featureNames: string[];
  /** The processors fitted at training time, applied to the stored features exactly as then; null when none. */
  pipeline: ProcessorPipeline | null;
  /** Trading days the score looks ahead (the label's horizon). */
  horizonDays: number;
  calibration: ScoreCalibration | null;
  /** Universe the model was trained on (its default for ranking), or null. */
  universe: string | null;
}

function invalid(model: ModelDescriptor, message: string): never {
  throw new QuantError('MODEL_METADATA_INVALID', `model ${model.name} version ${model.version}: ${message}`, {
    details: { name: model.name, version: model.version },
  });
}

const record = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function calibrationOf(model: ModelDescriptor, value: unknown): ScoreCalibration | null {
  const c = record(value);
  if (c === null) return null;
  const arrays = ['edges', 'probabilityBeatBenchmark', 'expectedReturn', 'expectedExcessReturn'] as const;
  const bins = c['bins'];
  if (c['kind'] !== 'percentile-bins' || typeof bins !== 'number' || !Number.isInteger(bins) || bins < 1) invalid(model, 'calibration must be {kind: "percentile-bins", bins >= 1, ...}');
  for (const key of arrays) {
    const a = c[key];
    const want = key === 'edges' ? bins + 1 : bins;
    if (!Array.isArray(a) || a.length !== want || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) invalid(model, `calibration.${key} must hold ${want} finite numbers`);
  }
  return c as unknown as ScoreCalibration;
}

/**
 * Reads the serving spec from a model's metadata.json (written by trainWorkflow: `lineage.featureNames`,
 * `lineage.processors`, `lineage.label`, `lineage.universe`; `calibration` when the run fitted one).
 * Anything missing that scoring needs is an error naming the key; a missing calibration is not (the
 * calibrated fields are then null).
 */
export function servedModelSpec(model: ModelDescriptor, metadata: Record<string, unknown>): ServedModelSpec {
  const lineage = record(metadata['lineage']) ?? {};
  const names = lineage['featureNames'] ?? record(metadata['model'])?.['featureNames'];
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) invalid(model, 'metadata.json has no lineage.featureNames (a non-empty list of strings)');
  let pipeline: ProcessorPipeline | null = null;
  if (lineage['processors'] !== undefined && lineage['processors'] !== null) {
    try {
      pipeline = ProcessorPipeline.fromJSON(lineage['processors']);
    } catch (cause) {
      throw new QuantError('MODEL_METADATA_INVALID', `model ${model.name} version ${model.version}: lineage.processors: ${(cause as Error).message}`, {
        cause,
        details: { name: model.name, version: model.version },
      });
    }
    if (pipeline.steps.length === 0) pipeline = null;
  }
  const calibration = calibrationOf(model, metadata['calibration']);
  const label = record(lineage['label']);
  const spec = record(label?.['spec']);
  const horizon = calibration?.horizon ?? spec?.['horizon'] ?? label?.['lookahead'] ?? 1;
  if (typeof horizon !== 'number' || !Number.isInteger(horizon) || horizon < 1) invalid(model, `label horizon must be a positive integer, got ${String(horizon)}`);
  const universe = typeof lineage['universe'] === 'string' && lineage['universe'] !== '' ? lineage['universe'] : null;
  return { ...model, featureNames: names as string[], pipeline, horizonDays: horizon, calibration, universe };
}
