import { describe, expect, it } from 'vitest';
import type { DayInput, FeatureCalculator, FeatureFamily, SeriesInput } from '../src';

/**
 * The one contract every feature calculator passes (applied by each calculator's spec):
 * - definitions: unique names, documented formula, inputs and warm-up;
 * - batch and streaming give the same value in every cell (same NaN pattern, 1e-9 relative);
 * - warm-up: a stream started anywhere equals the full-history batch once it has seen `warmup` days;
 * - no look-ahead: batch on a prefix equals the prefix of batch on the whole series;
 * - replace() of the last day equals a fresh stream fed the corrected day.
 * `makeInput` returns a history long enough for the largest warm-up, with some NaN rows.
 */
const FAMILIES: readonly FeatureFamily[] = ['technical', 'fundamental', 'market', 'temporal', 'sentiment'];
const REL = 1e-9;

export function dayAt(input: SeriesInput, i: number): DayInput {
  const values: Record<string, number> = {};
  for (const [k, col] of Object.entries(input.fields)) values[k] = col[i]!;
  return { date: input.dates[i]!, values };
}

export function sliceSeries(input: SeriesInput, from: number, to: number): SeriesInput {
  const fields: Record<string, Float64Array> = {};
  for (const [k, col] of Object.entries(input.fields)) fields[k] = col.slice(from, to);
  return { code: input.code, dates: input.dates.slice(from, to), fields };
}

export function sameValue(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b));
}

/** First differing cells, as readable lines (empty when all agree). */
function differences(
  calculator: FeatureCalculator,
  input: SeriesInput,
  rows: Iterable<number>,
  expected: (f: number, i: number) => number,
  actual: (f: number, i: number) => number,
  fromRow: (f: number) => number = () => 0,
): string[] {
  const out: string[] = [];
  for (const i of rows) {
    calculator.definitions.forEach((d, f) => {
      if (i < fromRow(f) || out.length >= 10) return;
      const e = expected(f, i);
      const a = actual(f, i);
      if (!sameValue(e, a)) out.push(`${d.name} ${input.dates[i]}: expected ${e}, got ${a}`);
    });
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

export function describeCalculatorContract(name: string, calculator: FeatureCalculator, makeInput: () => SeriesInput): void {
  describe(`feature calculator contract: ${name}`, () => {
    const input = makeInput();
    const n = input.dates.length;
    const width = calculator.definitions.length;
    const full = calculator.batch(input);
    const maxWarmup = calculator.definitions.reduce((m, d) => Math.max(m, d.warmup), 0);

    it('documents every definition once: unique name, family, formula, inputs, warm-up', () => {
      expect(width).toBeGreaterThan(0);
      const names = calculator.definitions.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
      for (const d of calculator.definitions) {
        expect(d.name, 'name').toMatch(/^\S+$/);
        expect(FAMILIES, `${d.name} family`).toContain(d.family);
        expect(d.formula.trim().length, `${d.name} formula`).toBeGreaterThan(0);
        expect(d.inputs.length, `${d.name} inputs`).toBeGreaterThan(0);
        expect(Number.isInteger(d.warmup) && d.warmup >= 1, `${d.name} warmup ${d.warmup}`).toBe(true);
      }
      expect(n, 'the contract input must be longer than the largest warm-up').toBeGreaterThan(2 * maxWarmup);
    });

    it('batch returns one column per definition, one value per date, with some finite values', () => {
      expect(full).toHaveLength(width);
      for (const col of full) expect(col).toHaveLength(n);
      const finite = full.filter((col) => col.some((x) => Number.isFinite(x))).length;
      expect(finite).toBeGreaterThan(0);
    });

    it('streaming gives the batch values in every cell', () => {
      const stream = calculator.stream();
      const rows: Float64Array[] = [];
      for (let i = 0; i < n; i++) {
        rows.push(stream.add(dayAt(input, i)));
        expect(stream.length).toBe(i + 1);
      }
      expect(rows[0]).toHaveLength(width);
      expect(differences(calculator, input, range(0, n), (f, i) => full[f]![i]!, (f, i) => rows[i]![f]!)).toEqual([]);
    });

    it('after `warmup` days a stream started mid-history equals the full-history batch', () => {
      for (const start of [1, Math.floor(n / 3), n - maxWarmup - 5].filter((s) => s > 0 && s < n)) {
        const stream = calculator.stream();
        const rows = new Map<number, Float64Array>();
        for (let i = start; i < n; i++) {
          rows.set(i, stream.add(dayAt(input, i)));
          expect(stream.isStable, `isStable after ${i - start + 1} days`).toBe(i - start + 1 >= maxWarmup);
        }
        const diff = differences(
          calculator,
          input,
          range(start, n),
          (f, i) => full[f]![i]!,
          (f, i) => rows.get(i)![f]!,
          (f) => start + calculator.definitions[f]!.warmup - 1,
        );
        expect(diff, `stream started at ${input.dates[start]}`).toEqual([]);
      }
    });

    it('has no look-ahead: appending days never changes earlier values', () => {
      for (const cut of [1, 2, maxWarmup, Math.floor(n / 2), n - 1]) {
        if (cut < 1 || cut > n) continue;
        const part = calculator.batch(sliceSeries(input, 0, cut));
        expect(differences(calculator, input, range(0, cut), (f, i) => full[f]![i]!, (f, i) => part[f]![i]!), `prefix of ${cut} days`).toEqual([]);
      }
    });

    it('replace() of the last day equals a fresh stream fed the corrected day', () => {
      const t = Math.min(n - 1, maxWarmup + 3);
      const wrong = dayAt(input, t);
      const perturbed: Record<string, number> = {};
      for (const [k, v] of Object.entries(wrong.values)) perturbed[k] = Number.isFinite(v) ? v * 1.07 + 0.5 : v;
      const corrected = calculator.stream();
      const fresh = calculator.stream();
      for (let i = 0; i < t; i++) {
        corrected.add(dayAt(input, i));
        fresh.add(dayAt(input, i));
      }
      corrected.add({ date: wrong.date, values: perturbed });
      const replaced = corrected.replace(dayAt(input, t));
      const expected = fresh.add(dayAt(input, t));
      expect(corrected.length).toBe(t + 1);
      expect(Array.from(replaced, (x, f) => (sameValue(x, expected[f]!) ? 'ok' : `${calculator.definitions[f]!.name}: ${x} vs ${expected[f]}`)).filter((s) => s !== 'ok')).toEqual([]);
      // and the stream carries on exactly as the fresh one
      if (t + 1 < n) {
        const a = corrected.add(dayAt(input, t + 1));
        const b = fresh.add(dayAt(input, t + 1));
        expect(Array.from(a).every((x, f) => sameValue(x, b[f]!))).toBe(true);
      }
    });

    it('refuses days out of order and a replace() of another day', () => {
      const stream = calculator.stream();
      stream.add(dayAt(input, 1));
      expect(() => stream.add(dayAt(input, 0))).toThrow(/order|after|before/i);
      expect(() => stream.replace(dayAt(input, 2))).toThrow();
    });
  });
}
