import { QuantError } from '@quant/errors';

/**
 * Which part of a study a panel (or a set of windows) belongs to. Fitting and augmentation refuse data
 * marked as anything but 'train', so a mistake in wiring shows up as an error instead of leakage.
 */
export type Segment = 'train' | 'valid' | 'test' | 'live';

/**
 * A panel: dates x instruments x features, one Float64Array, row-major [date][code][feature], NaN where
 * missing. Date-major so that a contiguous date range is a contiguous sub-array (cheap segment slicing)
 * and a cross-section (one date, every code) is one contiguous block.
 */
export interface Panel {
  readonly dates: readonly string[];
  readonly codes: readonly string[];
  readonly features: readonly string[];
  readonly values: Float64Array;
  /** Set by the caller or by `selectDates`; absent means unmarked (allowed for fitting, not for augmentation). */
  readonly segment?: Segment;
}

export interface PanelInit {
  dates: readonly string[];
  codes: readonly string[];
  features: readonly string[];
  /** Defaults to a NaN-filled array of the right size. */
  values?: Float64Array;
  segment?: Segment;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const SEGMENTS: readonly Segment[] = ['train', 'valid', 'test', 'live'];

function fail(code: string, message: string, details: Record<string, string | number | boolean | null> = {}): never {
  throw new QuantError(code, message, { details });
}

function assertUnique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) fail('PANEL_INVALID', `duplicate ${kind} "${name}" in panel`, { [kind]: name });
    seen.add(name);
  }
}

/** Dates must be ascending `YYYY-MM-DD` sessions: every "past" and "future" test below relies on it. */
export function assertSessions(dates: readonly string[], what = 'dates'): void {
  for (let i = 0; i < dates.length; i++) {
    const d = dates[i] as string;
    if (!DATE_RE.test(d)) fail('PANEL_INVALID', `${what}[${i}] "${d}" is not a YYYY-MM-DD date`, { index: i, value: d });
    if (i > 0 && d <= (dates[i - 1] as string)) {
      fail('PANEL_INVALID', `${what} must be strictly ascending: "${dates[i - 1]}" then "${d}" at index ${i}`, { index: i, value: d });
    }
  }
}

export function createPanel(init: PanelInit): Panel {
  assertSessions(init.dates);
  assertUnique('code', init.codes);
  assertUnique('feature', init.features);
  if (init.segment !== undefined && !SEGMENTS.includes(init.segment)) {
    fail('PANEL_INVALID', `unknown segment "${String(init.segment)}" (expected one of ${SEGMENTS.join(', ')})`);
  }
  const size = init.dates.length * init.codes.length * init.features.length;
  const values = init.values ?? new Float64Array(size).fill(NaN);
  if (values.length !== size) {
    fail(
      'PANEL_INVALID',
      `panel values have length ${values.length}, expected ${size} = ${init.dates.length} dates x ${init.codes.length} codes x ${init.features.length} features`,
      { length: values.length, expected: size },
    );
  }
  const panel: Panel = { dates: [...init.dates], codes: [...init.codes], features: [...init.features], values };
  return init.segment === undefined ? panel : { ...panel, segment: init.segment };
}

/** Flat offset of a cell. */
export function panelIndex(panel: Panel, dateIndex: number, codeIndex: number, featureIndex: number): number {
  return (dateIndex * panel.codes.length + codeIndex) * panel.features.length + featureIndex;
}

export function featureIndexOf(panel: Panel, feature: string): number {
  const i = panel.features.indexOf(feature);
  if (i < 0) fail('PANEL_FEATURE_UNKNOWN', `panel has no feature "${feature}" (has ${panel.features.slice(0, 8).join(', ')}${panel.features.length > 8 ? ', ...' : ''})`, { feature });
  return i;
}

function indexOfOrFail(list: readonly string[], value: string, kind: string): number {
  const i = list.indexOf(value);
  if (i < 0) fail('PANEL_KEY_UNKNOWN', `panel has no ${kind} "${value}"`, { [kind]: value });
  return i;
}

/** One cell by names. */
export function panelValue(panel: Panel, date: string, code: string, feature: string): number {
  const d = indexOfOrFail(panel.dates, date, 'date');
  const c = indexOfOrFail(panel.codes, code, 'code');
  return panel.values[panelIndex(panel, d, c, featureIndexOf(panel, feature))] as number;
}

/** One instrument's column of one feature over all dates (a copy). */
export function instrumentSeries(panel: Panel, code: string, feature: string): Float64Array {
  const c = indexOfOrFail(panel.codes, code, 'code');
  const f = featureIndexOf(panel, feature);
  const out = new Float64Array(panel.dates.length);
  for (let d = 0; d < out.length; d++) out[d] = panel.values[panelIndex(panel, d, c, f)] as number;
  return out;
}

/** Per-instrument columns, the shape calculators produce (SeriesInput fields, or batch() outputs by name). */
export interface InstrumentColumns {
  code: string;
  /** Ascending sessions of this instrument; may be a subset of the panel's dates. */
  dates: readonly string[];
  fields: Readonly<Record<string, ArrayLike<number>>>;
}

export interface PanelFromColumnsOptions {
  /** Feature names to take, in order; default: the first instrument's field names. */
  features?: readonly string[];
  /** Panel calendar; default: the sorted union of every instrument's dates. */
  dates?: readonly string[];
  segment?: Segment;
}

/**
 * Builds a panel from per-instrument columns. Dates an instrument lacks (not listed, or listed outside
 * the given calendar) are missing (NaN); a field an instrument lacks is an error, not silently NaN,
 * because that is always a wiring mistake.
 */
export function panelFromColumns(instruments: readonly InstrumentColumns[], options: PanelFromColumnsOptions = {}): Panel {
  const first = instruments[0];
  const features = options.features ?? (first ? Object.keys(first.fields) : []);
  let dates = options.dates;
  if (!dates) {
    const all = new Set<string>();
    for (const inst of instruments) for (const d of inst.dates) all.add(d);
    dates = [...all].sort();
  }
  const panel = createPanel({ dates, codes: instruments.map((i) => i.code), features, ...(options.segment ? { segment: options.segment } : {}) });
  const dateIndex = new Map<string, number>();
  dates.forEach((d, i) => dateIndex.set(d, i));
  const nF = features.length;
  instruments.forEach((inst, c) => {
    assertSessions(inst.dates, `dates of ${inst.code}`);
    features.forEach((name, f) => {
      const column = inst.fields[name];
      if (!column) fail('PANEL_FEATURE_UNKNOWN', `instrument ${inst.code} has no field "${name}"`, { code: inst.code, feature: name });
      if (column.length !== inst.dates.length) {
        fail('PANEL_INVALID', `field "${name}" of ${inst.code} has ${column.length} values for ${inst.dates.length} dates`, { code: inst.code, feature: name });
      }
      for (let i = 0; i < column.length; i++) {
        const d = dateIndex.get(inst.dates[i] as string);
        if (d !== undefined) panel.values[(d * instruments.length + c) * nF + f] = column[i] as number;
      }
    });
  });
  return panel;
}

/** Sessions `[start, end)` by index, copied; marks the result with `segment` when given. */
export function sliceDates(panel: Panel, start: number, end: number, segment?: Segment): Panel {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > panel.dates.length || start > end) {
    fail('PANEL_RANGE_INVALID', `date range [${start}, ${end}) is outside the panel's ${panel.dates.length} dates`, { start, end });
  }
  const block = panel.codes.length * panel.features.length;
  return createPanel({
    dates: panel.dates.slice(start, end),
    codes: panel.codes,
    features: panel.features,
    values: panel.values.slice(start * block, end * block),
    ...(segment ? { segment } : panel.segment ? { segment: panel.segment } : {}),
  });
}

/** Sessions from `from` to `to` inclusive (dates, snapped to the panel's calendar). */
export function selectDates(panel: Panel, from: string, to: string, segment?: Segment): Panel {
  let start = 0;
  while (start < panel.dates.length && (panel.dates[start] as string) < from) start++;
  let end = start;
  while (end < panel.dates.length && (panel.dates[end] as string) <= to) end++;
  return sliceDates(panel, start, end, segment);
}

/** The same data marked with a segment (values shared, not copied). */
export function withSegment(panel: Panel, segment: Segment): Panel {
  return createPanel({ dates: panel.dates, codes: panel.codes, features: panel.features, values: panel.values, segment });
}
