import { BaseProcessor, resolveColumns } from './processor.port';
import type { ProcessorState } from './processor.port';
import type { Panel } from './panel';
import { gatherFiniteSorted, madSorted, moments, quantileSorted } from './statistics';

/**
 * Per-date processors. Each value is transformed with statistics of its own date's cross-section only
 * (every instrument's value on that date), all known at that day's close: no fitted state, no look-ahead
 * across dates, and the same code path for training, test and live data.
 */

/** Scale of Qlib's CSRankNorm: a uniform on [-0.5, 0.5] times ~sqrt(12) has unit variance. */
export const CS_RANK_SCALE = 3.46;
/** MAD to standard deviation for normal data. */
export const MAD_TO_STD = 1.4826;

function forEachCrossSection(panel: Panel, indices: readonly number[], fn: (offset: number, stride: number, count: number) => void): void {
  const nC = panel.codes.length;
  const nF = panel.features.length;
  for (let d = 0; d < panel.dates.length; d++) {
    for (const f of indices) fn(d * nC * nF + f, nF, nC);
  }
}

/** (x - mean) / std per date and feature, std with ddof = 1 as pandas (Qlib's CSZScoreNorm). NaN when std is 0 or undefined. */
export class CrossSectionalZScore extends BaseProcessor {
  readonly kind = 'cs-zscore' as const;
  readonly needsFit = false;
  get isFitted(): boolean {
    return true;
  }

  constructor(options: { features?: readonly string[] } = {}) {
    super(options.features ?? null);
  }

  fit(): this {
    return this;
  }

  transformInPlace(panel: Panel): void {
    const v = panel.values;
    forEachCrossSection(panel, resolveColumns(panel, this.selected).indices, (offset, stride, count) => {
      const m = moments(v, offset, stride, count);
      for (let k = 0; k < count; k++) {
        const i = offset + k * stride;
        // Qlib divides by zero here too and gets NaN: a date with no dispersion carries no ranking information.
        v[i] = m.std > 0 ? ((v[i] as number) - m.mean) / m.std : NaN;
      }
    });
  }

  toJSON(): ProcessorState {
    return { kind: this.kind, features: this.selected ? [...this.selected] : null };
  }
}

/**
 * (pct rank - 0.5) * 3.46 per date and feature, as Qlib's CSRankNorm: pct rank = average rank of ties
 * divided by the number of finite values (pandas rank(pct=True)); missing stays missing.
 */
export class CrossSectionalRank extends BaseProcessor {
  readonly kind = 'cs-rank' as const;
  readonly needsFit = false;
  get isFitted(): boolean {
    return true;
  }

  constructor(options: { features?: readonly string[] } = {}) {
    super(options.features ?? null);
  }

  fit(): this {
    return this;
  }

  transformInPlace(panel: Panel): void {
    const v = panel.values;
    const order = new Int32Array(panel.codes.length);
    forEachCrossSection(panel, resolveColumns(panel, this.selected).indices, (offset, stride, count) => {
      let n = 0;
      for (let k = 0; k < count; k++) if (Number.isFinite(v[offset + k * stride] as number)) order[n++] = k;
      const idx = order.subarray(0, n);
      idx.sort((a, b) => (v[offset + a * stride] as number) - (v[offset + b * stride] as number));
      let i = 0;
      while (i < n) {
        const x = v[offset + (idx[i] as number) * stride] as number;
        let j = i;
        while (j + 1 < n && v[offset + (idx[j + 1] as number) * stride] === x) j++;
        // Ranks are 1-based; ties i..j share their average rank.
        const pct = (i + j + 2) / 2 / n;
        for (let t = i; t <= j; t++) v[offset + (idx[t] as number) * stride] = (pct - 0.5) * CS_RANK_SCALE;
        i = j + 1;
      }
      for (let k = 0; k < count; k++) {
        const at = offset + k * stride;
        // +-Infinity is treated as missing, like in every statistic here.
        if (!Number.isFinite(v[at] as number)) v[at] = NaN;
      }
    });
  }

  toJSON(): ProcessorState {
    return { kind: this.kind, features: this.selected ? [...this.selected] : null };
  }
}

/**
 * (x - median) / (1.4826 * MAD) per date and feature, the median and MAD of that date's cross-section,
 * optionally clipped to [-clip, clip]. Contrast with RobustZScore, whose median and MAD are fitted once
 * on the training segment per feature.
 */
export class CrossSectionalRobustZScore extends BaseProcessor {
  readonly kind = 'cs-robust-zscore' as const;
  readonly needsFit = false;
  readonly clip: number | null;
  get isFitted(): boolean {
    return true;
  }

  constructor(options: { features?: readonly string[]; clip?: number | null } = {}) {
    super(options.features ?? null);
    this.clip = options.clip === undefined ? 3 : options.clip;
  }

  fit(): this {
    return this;
  }

  transformInPlace(panel: Panel): void {
    const v = panel.values;
    const sorted = new Float64Array(panel.codes.length);
    const scratch = new Float64Array(panel.codes.length);
    const clip = this.clip;
    forEachCrossSection(panel, resolveColumns(panel, this.selected).indices, (offset, stride, count) => {
      const n = gatherFiniteSorted(v, offset, stride, count, sorted);
      const median = quantileSorted(sorted, n, 0.5);
      const scale = MAD_TO_STD * madSorted(sorted, n, median, scratch);
      for (let k = 0; k < count; k++) {
        const i = offset + k * stride;
        const x = v[i] as number;
        if (Number.isNaN(x)) continue;
        let z = scale > 0 ? (x - median) / scale : NaN;
        if (clip !== null && !Number.isNaN(z)) z = Math.min(clip, Math.max(-clip, z));
        v[i] = z;
      }
    });
  }

  toJSON(): ProcessorState {
    return { kind: this.kind, features: this.selected ? [...this.selected] : null, clip: this.clip };
  }
}
