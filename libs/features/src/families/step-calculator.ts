import { QuantError } from '@quant/errors';
import type { DayInput, FeatureCalculator, FeatureDefinition, FeatureSet, FeatureStream, SeriesInput } from '../feature.port';
import type { Undoable } from './window.util';
import { Ema, Ring } from './window.util';

/**
 * One session of computation over a state. The family calculators define each column once, as a
 * step over recent history; batch runs the same step over every session of the input, so batch and
 * streaming give bit-identical numbers by construction (the contract test checks it anyway).
 */
export interface StepModel {
  /** Consumes the next session and writes one value per definition into `out`. */
  step(day: DayInput, out: Float64Array): void;
  /** Takes back the last step (every state part was updated exactly once by it). */
  undo(): void;
}

/** Owner of a model's rings and averages: undoing the model undoes each of them. */
export class StepState implements Undoable {
  private readonly parts: Undoable[] = [];

  ring(capacity: number): Ring {
    const r = new Ring(capacity);
    this.parts.push(r);
    return r;
  }

  ema(alpha: number, seed = NaN): Ema {
    const e = new Ema(alpha, seed);
    this.parts.push(e);
    return e;
  }

  undo(): void {
    for (const p of this.parts) p.undo();
  }
}

export interface StepCalculatorSpec {
  name: string;
  definitions: readonly FeatureDefinition[];
  /** Inputs every session must carry (NaN allowed, absent not). */
  required: readonly string[];
  /** Inputs read when present; absent ones are NaN (their columns are NaN). */
  optional?: readonly string[];
  /** Builds the state of one instrument; `code` is known in batch and when the caller gives it to stream(). */
  model(context: { code: string | undefined }): StepModel;
}

/** A calculator whose streams accept the instrument code (the market family needs the board). */
export interface CodedFeatureCalculator extends FeatureCalculator {
  stream(code?: string): FeatureStream;
}

export function stepCalculator(spec: StepCalculatorSpec): CodedFeatureCalculator {
  const width = spec.definitions.length;
  const warmup = spec.definitions.reduce((m, d) => Math.max(m, d.warmup), 0);
  const fields = [...spec.required, ...(spec.optional ?? [])];

  const readDay = (day: DayInput): DayInput => {
    for (const f of spec.required) {
      if (day.values[f] === undefined) {
        throw new QuantError('FEATURE_INPUT_MISSING', `${spec.name}: session ${day.date} lacks the input "${f}"`, {
          details: { calculator: spec.name, date: day.date, field: f },
        });
      }
    }
    return day;
  };

  return {
    name: spec.name,
    definitions: spec.definitions,
    batch(input: SeriesInput): Float64Array[] {
      const n = input.dates.length;
      const present: string[] = [];
      for (const f of fields) {
        const arr = input.fields[f];
        if (arr === undefined) {
          if (spec.required.includes(f)) {
            throw new QuantError('FEATURE_INPUT_MISSING', `${spec.name}: ${input.code} has no input series "${f}"`, {
              details: { calculator: spec.name, code: input.code, field: f },
            });
          }
          continue;
        }
        if (arr.length !== n) {
          throw new QuantError(
            'FEATURE_INPUT_LENGTH',
            `${spec.name}: ${input.code} input "${f}" has ${arr.length} values for ${n} sessions`,
            { details: { calculator: spec.name, code: input.code, field: f } },
          );
        }
        present.push(f);
      }
      const cols = Array.from({ length: width }, () => new Float64Array(n));
      const model = spec.model({ code: input.code });
      const out = new Float64Array(width);
      const values: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        for (const f of present) values[f] = input.fields[f]![i]!;
        model.step({ date: input.dates[i]!, values }, out);
        for (let j = 0; j < width; j++) cols[j]![i] = out[j]!;
      }
      return cols;
    },
    stream(code?: string): FeatureStream {
      const model = spec.model({ code });
      let length = 0;
      let lastDate: string | undefined;
      const run = (day: DayInput): Float64Array => {
        const out = new Float64Array(width);
        model.step(readDay(day), out);
        lastDate = day.date;
        return out;
      };
      return {
        add(day: DayInput): Float64Array {
          if (lastDate !== undefined && day.date <= lastDate) {
            throw new QuantError('FEATURE_DATE_ORDER', `${spec.name}: session ${day.date} added after ${lastDate}`, {
              details: { calculator: spec.name, date: day.date, last: lastDate },
            });
          }
          const out = run(day);
          length += 1;
          return out;
        },
        replace(day: DayInput): Float64Array {
          if (length === 0) {
            throw new QuantError('FEATURE_NOTHING_TO_REPLACE', `${spec.name}: replace(${day.date}) before any add`);
          }
          if (day.date !== lastDate) {
            throw new QuantError('FEATURE_DATE_ORDER', `${spec.name}: replace(${day.date}) but the last session is ${lastDate}`, {
              details: { calculator: spec.name, date: day.date, last: lastDate ?? null },
            });
          }
          model.undo();
          return run(day);
        },
        get length() {
          return length;
        },
        get isStable() {
          return length >= warmup;
        },
      };
    },
  };
}

/** A feature set over calculators; its version hashes the definitions so any change shows. */
export function familySet(name: string, calculators: readonly FeatureCalculator[]): FeatureSet {
  const defs = calculators.flatMap((c) => c.definitions);
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.name)) throw new QuantError('FEATURE_DUPLICATE_NAME', `feature set ${name}: column ${d.name} defined twice`);
    seen.add(d.name);
  }
  return {
    name,
    version: definitionsHash(defs),
    calculators,
    definitions: () => calculators.flatMap((c) => c.definitions),
  };
}

/** FNV-1a over the definitions' text: short, stable, changes with any edit of a definition. */
export function definitionsHash(defs: readonly FeatureDefinition[]): string {
  let h = 0x811c9dc5;
  const text = defs.map((d) => `${d.name}|${d.family}|${d.formula}|${d.inputs.join(',')}|${d.warmup}`).join('\n');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
