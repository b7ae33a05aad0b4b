import { QuantError } from '@quant/errors';
import { MAD_TO_STD } from './cross-sectional.processor';
import type { Panel } from './panel';
import { assertTrainingPanel, BaseProcessor, fromJsonNumber, resolveColumns, toJsonNumber } from './processor.port';
import type { FittedColumns, JsonNumber, ProcessorState } from './processor.port';
import { gatherFiniteSorted, madSorted, moments, quantileSorted } from './statistics';

/**
 * Processors whose parameters are statistics of each feature over the whole training segment (every
 * date and instrument in it). Fitted once; apply() only reads the stored numbers, so changing or adding
 * valid/test/live data can never change how anything is normalised.
 */

/** Qlib adds this to a fitted scale so a constant training column does not divide by zero. */
export const SCALE_EPS = 1e-12;

/** Sorted finite training values of one feature, into a reusable buffer. */
function trainingColumn(panel: Panel, f: number, buffer: Float64Array): number {
  const nF = panel.features.length;
  return gatherFiniteSorted(panel.values, f, nF, panel.dates.length * panel.codes.length, buffer);
}

function checkState(kind: string, fitted: FittedColumns, arrays: readonly (readonly JsonNumber[])[]): void {
  for (const a of arrays) {
    if (!Array.isArray(a) || a.length !== fitted.features.length) {
      throw new QuantError('PROCESSOR_STATE_INVALID', `${kind} state has ${Array.isArray(a) ? a.length : 'no'} values for ${fitted.features.length} features`);
    }
  }
}

function forEachFitted(panel: Panel, features: readonly string[], fn: (f: number, j: number) => void): void {
  resolveColumns(panel, features).indices.forEach((f, j) => fn(f, j));
}

function mapColumn(panel: Panel, f: number, map: (x: number) => number): void {
  const v = panel.values;
  const nF = panel.features.length;
  for (let i = f; i < v.length; i += nF) {
    const x = v[i] as number;
    if (!Number.isNaN(x)) v[i] = map(x);
  }
}

/**
 * (x - median) / (1.4826 * MAD + 1e-12), median and MAD of each feature over the training segment
 * (Qlib's RobustZScoreNorm), clipped to [-clip, clip] (default 3, as Qlib's clip_outlier; null: no clip).
 */
export class RobustZScore extends BaseProcessor {
  readonly kind = 'robust-zscore' as const;
  readonly needsFit = true;
  readonly clip: number | null;
  private state: { features: string[]; median: number[]; scale: number[] } | null = null;

  constructor(options: { features?: readonly string[]; clip?: number | null } = {}) {
    super(options.features ?? null);
    this.clip = options.clip === undefined ? 3 : options.clip;
  }

  get isFitted(): boolean {
    return this.state !== null;
  }

  fit(train: Panel): this {
    assertTrainingPanel(train, 'RobustZScore');
    const { names, indices } = resolveColumns(train, this.selected);
    const n = train.dates.length * train.codes.length;
    const sorted = new Float64Array(n);
    const scratch = new Float64Array(n);
    const median: number[] = [];
    const scale: number[] = [];
    for (const f of indices) {
      const count = trainingColumn(train, f, sorted);
      const med = quantileSorted(sorted, count, 0.5);
      median.push(med);
      scale.push(MAD_TO_STD * madSorted(sorted, count, med, scratch));
    }
    this.state = { features: names, median, scale };
    return this;
  }

  transformInPlace(panel: Panel): void {
    this.assertFitted();
    const s = this.state!;
    const clip = this.clip;
    forEachFitted(panel, s.features, (f, j) => {
      const med = s.median[j] as number;
      const scale = (s.scale[j] as number) + SCALE_EPS;
      mapColumn(panel, f, (x) => {
        const z = (x - med) / scale;
        return clip === null ? z : Math.min(clip, Math.max(-clip, z));
      });
    });
  }

  toJSON(): ProcessorState {
    const s = this.state;
    return {
      kind: this.kind,
      features: this.selected ? [...this.selected] : null,
      clip: this.clip,
      fitted: s ? { features: [...s.features], median: s.median.map(toJsonNumber), scale: s.scale.map(toJsonNumber) } : null,
    };
  }

  static fromState(state: Extract<ProcessorState, { kind: 'robust-zscore' }>): RobustZScore {
    const p = new RobustZScore({ ...(state.features ? { features: state.features } : {}), clip: state.clip });
    if (state.fitted) {
      checkState(state.kind, state.fitted, [state.fitted.median, state.fitted.scale]);
      p.state = { features: [...state.fitted.features], median: state.fitted.median.map(fromJsonNumber), scale: state.fitted.scale.map(fromJsonNumber) };
    }
    return p;
  }
}

/** (x - mean) / (std + 1e-12), mean and population std of each feature over the training segment (Qlib's ZscoreNorm). */
export class ZScore extends BaseProcessor {
  readonly kind = 'zscore' as const;
  readonly needsFit = true;
  private state: { features: string[]; mean: number[]; std: number[] } | null = null;

  constructor(options: { features?: readonly string[] } = {}) {
    super(options.features ?? null);
  }

  get isFitted(): boolean {
    return this.state !== null;
  }

  fit(train: Panel): this {
    assertTrainingPanel(train, 'ZScore');
    const { names, indices } = resolveColumns(train, this.selected);
    const nF = train.features.length;
    const mean: number[] = [];
    const std: number[] = [];
    for (const f of indices) {
      const m = moments(train.values, f, nF, train.dates.length * train.codes.length);
      mean.push(m.mean);
      std.push(m.count > 1 ? m.std * Math.sqrt((m.count - 1) / m.count) : m.count === 1 ? 0 : NaN);
    }
    this.state = { features: names, mean, std };
    return this;
  }

  transformInPlace(panel: Panel): void {
    this.assertFitted();
    const s = this.state!;
    forEachFitted(panel, s.features, (f, j) => {
      const mean = s.mean[j] as number;
      const std = (s.std[j] as number) + SCALE_EPS;
      mapColumn(panel, f, (x) => (x - mean) / std);
    });
  }

  toJSON(): ProcessorState {
    const s = this.state;
    return {
      kind: this.kind,
      features: this.selected ? [...this.selected] : null,
      fitted: s ? { features: [...s.features], mean: s.mean.map(toJsonNumber), std: s.std.map(toJsonNumber) } : null,
    };
  }

  static fromState(state: Extract<ProcessorState, { kind: 'zscore' }>): ZScore {
    const p = new ZScore(state.features ? { features: state.features } : {});
    if (state.fitted) {
      checkState(state.kind, state.fitted, [state.fitted.mean, state.fitted.std]);
      p.state = { features: [...state.fitted.features], mean: state.fitted.mean.map(fromJsonNumber), std: state.fitted.std.map(fromJsonNumber) };
    }
    return p;
  }
}

/**
 * Clips each feature to its [lower, upper] quantiles over the training segment (linear interpolation,
 * numpy's default). Missing stays missing; a feature with no finite training value is left unchanged.
 */
export class Winsorize extends BaseProcessor {
  readonly kind = 'winsorize' as const;
  readonly needsFit = true;
  readonly lower: number;
  readonly upper: number;
  private state: { features: string[]; low: number[]; high: number[] } | null = null;

  constructor(options: { features?: readonly string[]; lower?: number; upper?: number } = {}) {
    super(options.features ?? null);
    this.lower = options.lower ?? 0.01;
    this.upper = options.upper ?? 0.99;
    if (!(this.lower >= 0 && this.lower < this.upper && this.upper <= 1)) {
      throw new QuantError('PROCESSOR_OPTIONS_INVALID', `winsorize quantiles must satisfy 0 <= lower < upper <= 1, got ${this.lower} and ${this.upper}`);
    }
  }

  get isFitted(): boolean {
    return this.state !== null;
  }

  fit(train: Panel): this {
    assertTrainingPanel(train, 'Winsorize');
    const { names, indices } = resolveColumns(train, this.selected);
    const sorted = new Float64Array(train.dates.length * train.codes.length);
    const low: number[] = [];
    const high: number[] = [];
    for (const f of indices) {
      const count = trainingColumn(train, f, sorted);
      low.push(quantileSorted(sorted, count, this.lower));
      high.push(quantileSorted(sorted, count, this.upper));
    }
    this.state = { features: names, low, high };
    return this;
  }

  transformInPlace(panel: Panel): void {
    this.assertFitted();
    const s = this.state!;
    forEachFitted(panel, s.features, (f, j) => {
      const lo = s.low[j] as number;
      const hi = s.high[j] as number;
      if (Number.isNaN(lo) || Number.isNaN(hi)) return;
      mapColumn(panel, f, (x) => (x < lo ? lo : x > hi ? hi : x));
    });
  }

  toJSON(): ProcessorState {
    const s = this.state;
    return {
      kind: this.kind,
      features: this.selected ? [...this.selected] : null,
      lower: this.lower,
      upper: this.upper,
      fitted: s ? { features: [...s.features], low: s.low.map(toJsonNumber), high: s.high.map(toJsonNumber) } : null,
    };
  }

  static fromState(state: Extract<ProcessorState, { kind: 'winsorize' }>): Winsorize {
    const p = new Winsorize({ ...(state.features ? { features: state.features } : {}), lower: state.lower, upper: state.upper });
    if (state.fitted) {
      checkState(state.kind, state.fitted, [state.fitted.low, state.fitted.high]);
      p.state = { features: [...state.fitted.features], low: state.fitted.low.map(fromJsonNumber), high: state.fitted.high.map(fromJsonNumber) };
    }
    return p;
  }
}
