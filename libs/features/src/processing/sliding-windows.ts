import { QuantError } from '@quant/errors';
import { computeLabel, labelDefinition } from './labels';
import type { LabelSpec } from './labels';
import { featureIndexOf } from './panel';
import type { Panel, Segment } from './panel';

/**
 * Samples for sequence models, all in one typed array: x is [count, lookback, features] (window ending
 * at the sample's date T, oldest first), y is [count, labels]. Sample i is (dates[dateIndex[i]],
 * codes[codeIndex[i]]).
 */
export interface WindowSet {
  readonly lookback: number;
  /** Lookahead of the labels (sessions after T they read). */
  readonly horizon: number;
  readonly features: readonly string[];
  readonly labels: readonly string[];
  readonly dates: readonly string[];
  readonly codes: readonly string[];
  readonly count: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly dateIndex: Int32Array;
  readonly codeIndex: Int32Array;
  /** Augmentation runs only on sets marked 'train'. */
  readonly segment?: Segment;
}

export interface SlidingWindowOptions {
  /** Sessions per window, ending at T (default 60). */
  lookback?: number;
  /**
   * Label horizon in sessions (default 5). Without `labels`, the label is the forward return over this
   * horizon, entered at T+1's close (`Ref($close,-1-h)/Ref($close,-1)-1`), from `priceFeature`.
   */
  horizon?: number;
  /** A label panel with the same dates and codes (e.g. from labelPanel), or a label spec computed here. */
  labels?: Panel | LabelSpec;
  /** Price feature for computed labels (default 'close'). */
  priceFeature?: string;
  /** Features to put into x (default: every feature of the panel). */
  features?: readonly string[];
  /** A window is kept when its share of missing cells is at most this (default 0: complete windows only). */
  maxMissingRatio?: number;
  /** Written in place of the missing cells of a kept window (default 0, the mean of normalised features). */
  fillValue?: number;
  /** Only samples whose T lies in `[start, end)` (e.g. a purgedSplit range); windows may reach back before start. */
  range?: { start: number; end: number };
  /** Marks the set; defaults to the panel's segment. */
  segment?: Segment;
}

function isPanel(x: Panel | LabelSpec): x is Panel {
  return (x as Panel).values instanceof Float64Array;
}

/** Label columns [date][code][label] for the panel, plus names and lookahead. */
function resolveLabels(panel: Panel, options: SlidingWindowOptions, horizon: number): { values: Float64Array; names: string[]; lookahead: number } {
  const nD = panel.dates.length;
  const nC = panel.codes.length;
  const given = options.labels;
  if (given && isPanel(given)) {
    if (given.dates.length !== nD || given.codes.length !== nC || given.dates.some((d, i) => d !== panel.dates[i]) || given.codes.some((c, i) => c !== panel.codes[i])) {
      throw new QuantError('WINDOWS_LABELS_MISALIGNED', 'the label panel must have exactly the dates and codes of the feature panel');
    }
    const lookahead = (given as Panel & { lookahead?: number }).lookahead ?? horizon;
    return { values: given.values, names: [...given.features], lookahead };
  }
  const spec: LabelSpec = given ?? { kind: 'forward-return', horizon, entryLag: 1 };
  const def = labelDefinition(spec);
  const nF = panel.features.length;
  const f = featureIndexOf(panel, options.priceFeature ?? 'close');
  const values = new Float64Array(nD * nC);
  const close = new Float64Array(nD);
  for (let c = 0; c < nC; c++) {
    for (let d = 0; d < nD; d++) close[d] = panel.values[(d * nC + c) * nF + f] as number;
    const series = computeLabel(close, def.spec);
    for (let d = 0; d < nD; d++) values[d * nC + c] = series[d] as number;
  }
  return { values, names: [def.name], lookahead: def.lookahead };
}

export function slidingWindows(panel: Panel, options: SlidingWindowOptions = {}): WindowSet {
  const lookback = options.lookback ?? 60;
  const horizon = options.horizon ?? 5;
  const maxMissing = options.maxMissingRatio ?? 0;
  const fillValue = options.fillValue ?? 0;
  if (!Number.isInteger(lookback) || lookback < 1) throw new QuantError('WINDOWS_OPTIONS_INVALID', `lookback must be a positive integer, got ${lookback}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new QuantError('WINDOWS_OPTIONS_INVALID', `horizon must be a positive integer, got ${horizon}`);
  if (!(maxMissing >= 0 && maxMissing <= 1)) throw new QuantError('WINDOWS_OPTIONS_INVALID', `maxMissingRatio must be in [0, 1], got ${maxMissing}`);
  const nD = panel.dates.length;
  const nC = panel.codes.length;
  const nF = panel.features.length;
  const cols = (options.features ?? panel.features).map((name) => featureIndexOf(panel, name));
  const k = cols.length;
  const range = options.range ?? { start: 0, end: nD };
  if (!(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end <= nD && range.start <= range.end)) {
    throw new QuantError('WINDOWS_OPTIONS_INVALID', `range [${range.start}, ${range.end}) is outside the panel's ${nD} dates`);
  }
  const labels = resolveLabels(panel, options, horizon);
  const nL = labels.names.length;

  // Missing cells per (date, code) among the chosen features, then a running sum over each code's
  // dates, so deciding every window costs O(dates x codes), not O(samples x lookback x features).
  const missing = new Int32Array(nD * nC);
  for (let d = 0; d < nD; d++) {
    for (let c = 0; c < nC; c++) {
      const base = (d * nC + c) * nF;
      let m = 0;
      for (const f of cols) if (Number.isNaN(panel.values[base + f] as number)) m++;
      missing[d * nC + c] = m;
    }
  }
  const allowed = Math.floor(maxMissing * lookback * k + 1e-9);
  // First pass: count, so x is allocated once at its final size.
  const keep = new Uint8Array(nD * nC);
  let count = 0;
  const first = Math.max(range.start, lookback - 1);
  for (let c = 0; c < nC; c++) {
    let inWindow = 0;
    for (let d = 0; d < nD; d++) {
      inWindow += missing[d * nC + c] as number;
      if (d >= lookback) inWindow -= missing[(d - lookback) * nC + c] as number;
      if (d < first || d >= range.end || inWindow > allowed) continue;
      let labelOk = true;
      for (let j = 0; j < nL; j++) if (Number.isNaN(labels.values[(d * nC + c) * nL + j] as number)) labelOk = false;
      if (!labelOk) continue;
      keep[d * nC + c] = 1;
      count++;
    }
  }
  const x = new Float32Array(count * lookback * k);
  const y = new Float32Array(count * nL);
  const dateIndex = new Int32Array(count);
  const codeIndex = new Int32Array(count);
  // Date-major sample order: all instruments of a date together, dates ascending, as Qlib's (datetime, instrument) index.
  let i = 0;
  for (let d = 0; d < nD; d++) {
    for (let c = 0; c < nC; c++) {
      if (!keep[d * nC + c]) continue;
      dateIndex[i] = d;
      codeIndex[i] = c;
      let o = i * lookback * k;
      for (let t = d - lookback + 1; t <= d; t++) {
        const base = (t * nC + c) * nF;
        for (const f of cols) {
          const v = panel.values[base + f] as number;
          x[o++] = Number.isNaN(v) ? fillValue : v;
        }
      }
      for (let j = 0; j < nL; j++) y[i * nL + j] = labels.values[(d * nC + c) * nL + j] as number;
      i++;
    }
  }
  const segment = options.segment ?? panel.segment;
  return {
    lookback,
    horizon: labels.lookahead,
    features: cols.map((f) => panel.features[f] as string),
    labels: labels.names,
    dates: panel.dates,
    codes: panel.codes,
    count,
    x,
    y,
    dateIndex,
    codeIndex,
    ...(segment ? { segment } : {}),
  };
}

/** The (date, code) of sample i. */
export function sampleId(set: WindowSet, i: number): { date: string; code: string } {
  if (!(i >= 0 && i < set.count)) throw new QuantError('WINDOWS_INDEX_INVALID', `sample ${i} is outside 0..${set.count - 1}`);
  return { date: set.dates[set.dateIndex[i] as number] as string, code: set.codes[set.codeIndex[i] as number] as string };
}
