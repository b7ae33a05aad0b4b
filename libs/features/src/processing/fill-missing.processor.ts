import { QuantError } from '@quant/errors';
import type { Panel } from './panel';
import { assertTrainingPanel, BaseProcessor, fromJsonNumber, resolveColumns, toJsonNumber } from './processor.port';
import type { FillStrategy, ProcessorState } from './processor.port';
import { gatherFiniteSorted, moments, quantileSorted } from './statistics';

const STRATEGIES: readonly FillStrategy[] = ['constant', 'train-mean', 'train-median', 'cross-sectional-median'];

export interface FillMissingOptions {
  features?: readonly string[];
  /** Default 'constant'. */
  strategy?: FillStrategy;
  /** The constant (default 0, as Qlib's Fillna); also the fallback of cross-sectional-median on a date with no finite value. */
  value?: number;
}

/** Replaces NaN (only NaN: +-Infinity is an upstream bug, not a missing value, and is left visible). */
export class FillMissing extends BaseProcessor {
  readonly kind = 'fill-missing' as const;
  readonly strategy: FillStrategy;
  readonly value: number;
  private state: { features: string[]; values: number[] } | null = null;

  constructor(options: FillMissingOptions = {}) {
    super(options.features ?? null);
    this.strategy = options.strategy ?? 'constant';
    this.value = options.value ?? 0;
    if (!STRATEGIES.includes(this.strategy)) {
      throw new QuantError('PROCESSOR_OPTIONS_INVALID', `unknown fill strategy "${String(this.strategy)}" (expected ${STRATEGIES.join(', ')})`);
    }
    if (!Number.isFinite(this.value)) throw new QuantError('PROCESSOR_OPTIONS_INVALID', `fill value must be finite, got ${this.value}`);
  }

  get needsFit(): boolean {
    return this.strategy === 'train-mean' || this.strategy === 'train-median';
  }

  get isFitted(): boolean {
    return !this.needsFit || this.state !== null;
  }

  fit(train: Panel): this {
    if (!this.needsFit) return this;
    assertTrainingPanel(train, `FillMissing(${this.strategy})`);
    const { names, indices } = resolveColumns(train, this.selected);
    const nF = train.features.length;
    const n = train.dates.length * train.codes.length;
    const sorted = this.strategy === 'train-median' ? new Float64Array(n) : null;
    const values = indices.map((f) => {
      if (sorted) return quantileSorted(sorted, gatherFiniteSorted(train.values, f, nF, n, sorted), 0.5);
      return moments(train.values, f, nF, n).mean;
    });
    // A feature with no finite training value falls back to the constant rather than staying missing.
    this.state = { features: names, values: values.map((x) => (Number.isFinite(x) ? x : this.value)) };
    return this;
  }

  transformInPlace(panel: Panel): void {
    this.assertFitted();
    const v = panel.values;
    const nC = panel.codes.length;
    const nF = panel.features.length;
    if (this.strategy === 'cross-sectional-median') {
      const sorted = new Float64Array(nC);
      const { indices } = resolveColumns(panel, this.selected);
      for (let d = 0; d < panel.dates.length; d++) {
        for (const f of indices) {
          const offset = d * nC * nF + f;
          const count = gatherFiniteSorted(v, offset, nF, nC, sorted);
          const fill = count > 0 ? quantileSorted(sorted, count, 0.5) : this.value;
          for (let k = 0; k < nC; k++) if (Number.isNaN(v[offset + k * nF] as number)) v[offset + k * nF] = fill;
        }
      }
      return;
    }
    const state = this.state;
    resolveColumns(panel, state ? state.features : this.selected).indices.forEach((f, j) => {
      const fill = state ? (state.values[j] as number) : this.value;
      for (let i = f; i < v.length; i += nF) if (Number.isNaN(v[i] as number)) v[i] = fill;
    });
  }

  toJSON(): ProcessorState {
    const s = this.state;
    return {
      kind: this.kind,
      features: this.selected ? [...this.selected] : null,
      strategy: this.strategy,
      value: this.value,
      fitted: s ? { features: [...s.features], values: s.values.map(toJsonNumber) } : null,
    };
  }

  static fromState(state: Extract<ProcessorState, { kind: 'fill-missing' }>): FillMissing {
    const p = new FillMissing({ ...(state.features ? { features: state.features } : {}), strategy: state.strategy, value: state.value });
    if (state.fitted) {
      if (state.fitted.values.length !== state.fitted.features.length) {
        throw new QuantError('PROCESSOR_STATE_INVALID', `fill-missing state has ${state.fitted.values.length} values for ${state.fitted.features.length} features`);
      }
      p.state = { features: [...state.fitted.features], values: state.fitted.values.map(fromJsonNumber) };
    }
    return p;
  }
}
