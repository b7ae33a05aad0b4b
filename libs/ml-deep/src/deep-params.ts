/**
 * Parameters of the deep models, with defaults and checks. Unknown keys are errors (a typo must not
 * silently train a default model).
 */
import { QuantError } from '@quant/errors';

export type DeepKind = 'mlp' | 'lstm' | 'gru' | 'tcn' | 'transformer';
export const DEEP_KINDS: readonly DeepKind[] = ['mlp', 'lstm', 'gru', 'tcn', 'transformer'];

/**
 * How a flat row becomes a sequence of `steps` time steps of `fields` values, oldest first.
 * 'field-major': x[field * steps + t] (Alpha360: CLOSE59..CLOSE0, OPEN59..OPEN0, ...);
 * 'time-major': x[t * fields + field].
 */
export interface SequenceSpec {
  steps: number;
  fields: number;
  layout: 'field-major' | 'time-major';
}

export interface CommonParams {
  objective: 'regression' | 'binary';
  /** Maximum epochs. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Decoupled (AdamW) weight decay on weight matrices, not on biases or layer-norm parameters. */
  weightDecay: number;
  lrSchedule: 'constant' | 'step' | 'cosine';
  /** step schedule: multiply the rate by lrGamma every lrStepSize epochs. */
  lrStepSize: number;
  lrGamma: number;
  /** Stop when the validation loss has not improved for this many epochs and keep the best epoch (0: off). */
  earlyStoppingRounds: number;
  /**
   * What early stopping and the kept epoch watch on the validation set: `auto` is the training loss
   * (MSE, log loss); `ic` is minus the mean per-date Pearson correlation of score and label (needs the
   * validation set's date groups).
   */
  metric: 'auto' | 'ic';
  dropout: number;
  /** Clip each gradient value to [-clipValue, clipValue] (0: off). */
  clipValue: number;
  /** Standardise each column with the training mean and deviation; NaN becomes 0 afterwards (the mean). */
  standardize: boolean;
}

export interface DeepParams extends CommonParams {
  sequence: SequenceSpec | null;
  /** mlp */
  hiddenSizes: number[];
  /** lstm, gru */
  hiddenSize: number;
  numLayers: number;
  /** tcn: channels per layer, dilation 2^layer */
  channels: number[];
  kernelSize: number;
  /** transformer */
  dModel: number;
  heads: number;
  ffnSize: number;
}

const COMMON: CommonParams = {
  objective: 'regression',
  epochs: 100,
  batchSize: 256,
  learningRate: 1e-3,
  weightDecay: 0,
  lrSchedule: 'constant',
  lrStepSize: 10,
  lrGamma: 0.5,
  earlyStoppingRounds: 10,
  metric: 'auto',
  dropout: 0,
  clipValue: 3,
  standardize: true,
};

const SPECIFIC: Record<DeepKind, Record<string, unknown>> = {
  mlp: { hiddenSizes: [64, 32] },
  lstm: { sequence: null, hiddenSize: 64, numLayers: 2 },
  gru: { sequence: null, hiddenSize: 64, numLayers: 2 },
  tcn: { sequence: null, channels: [32, 32], kernelSize: 3 },
  transformer: { sequence: null, dModel: 32, heads: 2, numLayers: 1, ffnSize: 64 },
};

function bad(kind: string, message: string): QuantError {
  return new QuantError('ML_BAD_PARAMS', `${kind}: ${message}`, { details: { kind } });
}

/** The parameters a kind uses, defaults filled in, every value checked. */
export function resolveDeepParams(kind: DeepKind, raw: Record<string, unknown>): Record<string, unknown> & Partial<DeepParams> & CommonParams {
  const defaults = { ...COMMON, ...SPECIFIC[kind] };
  for (const key of Object.keys(raw)) {
    if (!(key in defaults)) throw bad(kind, `unknown parameter ${key}; known: ${Object.keys(defaults).join(', ')}`);
  }
  const p = { ...defaults, ...raw } as Record<string, unknown>;
  const num = (name: string, opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean }): void => {
    const v = p[name];
    const lo = opts.min ?? 0;
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (opts.exclusiveMin ? v > lo : v >= lo) && (opts.max === undefined || v <= opts.max) && (!opts.integer || Number.isInteger(v));
    if (!ok) throw bad(kind, `${name} must be ${opts.integer ? 'an integer' : 'a number'} ${opts.exclusiveMin ? '>' : '>='} ${lo}${opts.max === undefined ? '' : ` and <= ${opts.max}`}, got ${JSON.stringify(v)}`);
  };
  const oneOf = (name: string, values: readonly unknown[]): void => {
    if (!values.includes(p[name])) throw bad(kind, `${name} must be one of ${values.join(', ')}, got ${JSON.stringify(p[name])}`);
  };
  const sizes = (name: string): void => {
    const v = p[name];
    if (!Array.isArray(v) || v.length === 0 || v.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 1)) {
      throw bad(kind, `${name} must be a non-empty list of positive integers, got ${JSON.stringify(v)}`);
    }
  };
  oneOf('objective', ['regression', 'binary']);
  num('epochs', { integer: true, min: 1 });
  num('batchSize', { integer: true, min: 1 });
  num('learningRate', { min: 0, exclusiveMin: true });
  num('weightDecay', { min: 0 });
  oneOf('lrSchedule', ['constant', 'step', 'cosine']);
  num('lrStepSize', { integer: true, min: 1 });
  num('lrGamma', { min: 0, max: 1, exclusiveMin: true });
  num('earlyStoppingRounds', { integer: true, min: 0 });
  oneOf('metric', ['auto', 'ic']);
  num('dropout', { min: 0, max: 0.95 });
  num('clipValue', { min: 0 });
  oneOf('standardize', [true, false]);
  if (kind === 'mlp') sizes('hiddenSizes');
  if (kind === 'lstm' || kind === 'gru') {
    num('hiddenSize', { integer: true, min: 1 });
    num('numLayers', { integer: true, min: 1 });
  }
  if (kind === 'tcn') {
    sizes('channels');
    num('kernelSize', { integer: true, min: 1 });
  }
  if (kind === 'transformer') {
    num('dModel', { integer: true, min: 1 });
    num('heads', { integer: true, min: 1 });
    num('numLayers', { integer: true, min: 1 });
    num('ffnSize', { integer: true, min: 1 });
    if ((p['dModel'] as number) % (p['heads'] as number) !== 0) throw bad(kind, `dModel ${String(p['dModel'])} must be a multiple of heads ${String(p['heads'])}`);
  }
  if (kind !== 'mlp') {
    const s = p['sequence'] as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object') {
      throw bad(kind, "sequence is required: { steps, fields, layout: 'field-major' | 'time-major' } (Alpha360: { steps: 60, fields: 6, layout: field-major })");
    }
    for (const key of Object.keys(s)) if (!['steps', 'fields', 'layout'].includes(key)) throw bad(kind, `sequence: unknown key ${key} (steps, fields, layout)`);
    const seq = { layout: 'field-major', ...s } as Record<string, unknown>;
    for (const key of ['steps', 'fields']) {
      const v = seq[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(kind, `sequence.${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    if (seq['layout'] !== 'field-major' && seq['layout'] !== 'time-major') throw bad(kind, `sequence.layout must be field-major or time-major, got ${JSON.stringify(seq['layout'])}`);
    p['sequence'] = { steps: seq['steps'], fields: seq['fields'], layout: seq['layout'] };
  }
  return p as Record<string, unknown> & Partial<DeepParams> & CommonParams;
}
