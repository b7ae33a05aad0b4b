import { QuantError } from '@quant/errors';
import type { DayInput, FeatureCalculator, FeatureDefinition, FeatureStream, SeriesInput } from '../feature.port';
import { HistoryBuffer } from './history.buffer';

/**
 * A calculator written once as a function of one row and the rows before it. Batch runs it over every
 * row of a history; streaming keeps the last `lookback` rows in a {@link HistoryBuffer} and runs it on
 * the newest one. The row function reads the same values in the same order either way, so batch and
 * streaming agree bit for bit, and a value at row i can only depend on rows <= i (no look-ahead by
 * construction).
 */
export interface RowSpec {
  name: string;
  definitions: readonly FeatureDefinition[];
  /** Input fields, in the order of the first columns the row functions receive. */
  inputs: readonly string[];
  /** Inputs that may be absent from the input (a NaN column), e.g. vwap. */
  optional?: readonly string[];
  /** Extra columns computed per row from the inputs (returns, log volume ...), after the inputs. */
  derivedCount?: number;
  /** Writes the derived columns of row `i`; `available` rows of history end at i (i included). */
  derive?(cols: Float64Array[], i: number, available: number): void;
  /** Rows of history (row i included) the row functions read. */
  lookback: number;
  /** Writes the value of definition f at `out[f * stride + row]`. */
  compute(cols: Float64Array[], i: number, available: number, out: Float64Array, stride: number, row: number): void;
}

export function createRowCalculator(spec: RowSpec): FeatureCalculator {
  return new RowCalculator(spec);
}

class RowCalculator implements FeatureCalculator {
  readonly name: string;
  readonly definitions: readonly FeatureDefinition[];

  constructor(private readonly spec: RowSpec) {
    this.name = spec.name;
    this.definitions = spec.definitions;
  }

  batch(input: SeriesInput): Float64Array[] {
    const n = checkSeries(input, this.name);
    const { spec } = this;
    const cols: Float64Array[] = spec.inputs.map((field) => seriesField(input, field, this.name, spec.optional?.includes(field) ?? false, n));
    for (let k = 0; k < (spec.derivedCount ?? 0); k++) cols.push(new Float64Array(n));
    const width = spec.definitions.length;
    const out = new Float64Array(width * n);
    for (let i = 0; i < n; i++) {
      spec.derive?.(cols, i, i + 1);
      spec.compute(cols, i, i + 1, out, n, i);
    }
    return spec.definitions.map((_, f) => out.subarray(f * n, (f + 1) * n));
  }

  stream(): FeatureStream {
    return new RowStream(this.spec);
  }
}

class RowStream implements FeatureStream {
  private readonly buf: HistoryBuffer;
  private readonly warmup: number;
  private lastDate: string | undefined;

  constructor(private readonly spec: RowSpec) {
    this.buf = new HistoryBuffer(spec.inputs.length + (spec.derivedCount ?? 0), spec.lookback);
    this.warmup = spec.definitions.reduce((m, d) => Math.max(m, d.warmup), 0);
  }

  get length(): number {
    return this.buf.total;
  }

  get isStable(): boolean {
    return this.buf.total >= this.warmup;
  }

  add(day: DayInput): Float64Array {
    if (this.lastDate !== undefined && !(day.date > this.lastDate)) {
      throw new QuantError('FEATURE_DAY_OUT_OF_ORDER', `${this.spec.name}: day ${day.date} added after ${this.lastDate}; days must be added in ascending order (use replace() to correct the last one)`, {
        details: { calculator: this.spec.name, date: day.date, last: this.lastDate },
      });
    }
    const i = this.buf.append();
    this.lastDate = day.date;
    return this.fill(day, i);
  }

  replace(day: DayInput): Float64Array {
    if (this.lastDate === undefined || day.date !== this.lastDate) {
      throw new QuantError('FEATURE_REPLACE_MISMATCH', `${this.spec.name}: replace() got ${day.date} but the last day added is ${this.lastDate ?? 'none'}`, {
        details: { calculator: this.spec.name, date: day.date, last: this.lastDate ?? null },
      });
    }
    return this.fill(day, this.buf.last);
  }

  private fill(day: DayInput, i: number): Float64Array {
    const { spec } = this;
    const cols = this.buf.columns;
    spec.inputs.forEach((field, k) => {
      const v = day.values[field];
      if (v === undefined && !(spec.optional?.includes(field) ?? false)) {
        throw new QuantError('FEATURE_INPUT_MISSING', `${spec.name}: day ${day.date} has no "${field}" (give NaN for a day the instrument did not trade)`, {
          details: { calculator: spec.name, date: day.date, field },
        });
      }
      cols[k]![i] = v ?? NaN;
    });
    const available = this.buf.total;
    spec.derive?.(cols, i, available);
    const out = new Float64Array(spec.definitions.length);
    spec.compute(cols, i, available, out, 1, 0);
    return out;
  }
}

/** Validates a SeriesInput's shape and returns its length. */
export function checkSeries(input: SeriesInput, calculator: string): number {
  const n = input.dates.length;
  for (let i = 1; i < n; i++) {
    if (!(input.dates[i]! > input.dates[i - 1]!)) {
      throw new QuantError('FEATURE_INPUT_INVALID', `${calculator}: ${input.code} dates are not ascending at index ${i} (${input.dates[i - 1]} then ${input.dates[i]})`, {
        details: { calculator, code: input.code, index: i },
      });
    }
  }
  return n;
}

/** A field of the input with the right length; a NaN column when absent and optional. */
export function seriesField(input: SeriesInput, field: string, calculator: string, optional: boolean, n = input.dates.length): Float64Array {
  const col = input.fields[field];
  if (col === undefined) {
    if (optional) return new Float64Array(n).fill(NaN);
    throw new QuantError('FEATURE_INPUT_MISSING', `${calculator}: ${input.code} has no field "${field}" (fields: ${Object.keys(input.fields).join(', ') || 'none'})`, {
      details: { calculator, code: input.code, field },
    });
  }
  if (col.length !== n) {
    throw new QuantError('FEATURE_INPUT_INVALID', `${calculator}: ${input.code} field "${field}" has ${col.length} values for ${n} dates`, {
      details: { calculator, code: input.code, field },
    });
  }
  return col;
}
