import { QuantError } from '@quant/errors';
import { createPanel, featureIndexOf } from './panel';
import type { Panel } from './panel';

/**
 * A processor learns its parameters once, from the training segment only (`fit`), and then transforms
 * any panel with those same parameters (`apply`), never refitting: valid, test and live data are
 * normalised exactly as the model saw its training data. The state is plain JSON so a model artefact
 * can carry its normalisation (see ProcessorPipeline.toJSON/fromJSON).
 */
export interface Processor {
  readonly kind: ProcessorState['kind'];
  /** False for per-date (cross-sectional) processors, which use only the cross-section of each date. */
  readonly needsFit: boolean;
  readonly isFitted: boolean;
  /** Learns parameters from a training panel; refuses a panel marked valid/test/live. */
  fit(train: Panel): this;
  /** A transformed copy; the input is never modified. */
  apply(panel: Panel): Panel;
  /** Transforms `panel.values` in place (the pipeline copies once and chains steps). */
  transformInPlace(panel: Panel): void;
  toJSON(): ProcessorState;
}

/** JSON has no NaN: a statistic that could not be computed (no finite training value) is stored as null. */
export type JsonNumber = number | null;

export interface FittedColumns {
  features: string[];
}

export type ProcessorState =
  | { kind: 'cs-zscore'; features: string[] | null }
  | { kind: 'cs-rank'; features: string[] | null }
  | { kind: 'cs-robust-zscore'; features: string[] | null; clip: number | null }
  | { kind: 'robust-zscore'; features: string[] | null; clip: number | null; fitted: (FittedColumns & { median: JsonNumber[]; scale: JsonNumber[] }) | null }
  | { kind: 'zscore'; features: string[] | null; fitted: (FittedColumns & { mean: JsonNumber[]; std: JsonNumber[] }) | null }
  | { kind: 'winsorize'; features: string[] | null; lower: number; upper: number; fitted: (FittedColumns & { low: JsonNumber[]; high: JsonNumber[] }) | null }
  | {
      kind: 'fill-missing';
      features: string[] | null;
      strategy: FillStrategy;
      value: number;
      fitted: (FittedColumns & { values: JsonNumber[] }) | null;
    };

/**
 * - constant: a fixed value (Qlib's Fillna uses 0);
 * - train-mean / train-median: each feature's mean or median over the whole training segment (fitted);
 * - cross-sectional-median: the median of that date's cross-section (no fitted state; known at the close).
 */
export type FillStrategy = 'constant' | 'train-mean' | 'train-median' | 'cross-sectional-median';

export function toJsonNumber(x: number): JsonNumber {
  return Number.isFinite(x) ? x : null;
}

export function fromJsonNumber(x: JsonNumber | undefined): number {
  return typeof x === 'number' ? x : NaN;
}

/** Refuses to learn from data marked as anything but training: the guard against normalisation leakage. */
export function assertTrainingPanel(panel: Panel, what: string): void {
  if (panel.segment !== undefined && panel.segment !== 'train') {
    throw new QuantError('FIT_ON_NON_TRAINING_SEGMENT', `${what} must be fitted on the training segment only, got a panel marked "${panel.segment}"`, {
      details: { segment: panel.segment },
    });
  }
}

export function copyPanel(panel: Panel): Panel {
  return createPanel({
    dates: panel.dates,
    codes: panel.codes,
    features: panel.features,
    values: panel.values.slice(),
    ...(panel.segment ? { segment: panel.segment } : {}),
  });
}

/** Feature indices of `names` in the panel (all features when names is null), with a clear error for unknown ones. */
export function resolveColumns(panel: Panel, names: readonly string[] | null): { names: string[]; indices: number[] } {
  const list = names ?? panel.features;
  return { names: [...list], indices: list.map((n) => featureIndexOf(panel, n)) };
}

export abstract class BaseProcessor implements Processor {
  abstract readonly kind: ProcessorState['kind'];
  abstract readonly needsFit: boolean;
  abstract get isFitted(): boolean;

  protected constructor(protected readonly selected: readonly string[] | null) {}

  abstract fit(train: Panel): this;
  abstract transformInPlace(panel: Panel): void;
  abstract toJSON(): ProcessorState;

  apply(panel: Panel): Panel {
    const out = copyPanel(panel);
    this.transformInPlace(out);
    return out;
  }

  protected assertFitted(): void {
    if (!this.isFitted) throw new QuantError('PROCESSOR_NOT_FITTED', `processor ${this.kind} must be fitted on the training segment before apply()`);
  }
}
