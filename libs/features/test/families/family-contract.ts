import { expect, it } from 'vitest';
import type { SeriesInput } from '../../src/feature.port';
import type { CodedFeatureCalculator } from '../../src/families';
import { dayAt, slice } from './synthetic-series';

const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/**
 * The family calculators' own contract checks (batch == streaming, no look-ahead, replace, warm-up),
 * run until the shared contract test exists and kept as the place for the recursive-warm-up
 * tolerance check, which the shared one need not know about.
 */
export function familyContract(calc: CodedFeatureCalculator, input: SeriesInput, opts: { recursiveTolerance?: number; code?: string } = {}): void {
  const n = input.dates.length;
  const names = calc.definitions.map((d) => d.name);

  it('has unique names and one column per definition', () => {
    expect(new Set(names).size).toBe(names.length);
    const cols = calc.batch(input);
    expect(cols).toHaveLength(names.length);
    for (const c of cols) expect(c).toHaveLength(n);
  });

  it('gives the same numbers in batch and streaming', () => {
    const cols = calc.batch(input);
    const s = calc.stream(opts.code ?? input.code);
    for (let i = 0; i < n; i++) {
      const row = s.add(dayAt(input, i));
      for (let j = 0; j < names.length; j++) {
        if (!same(row[j]!, cols[j]![i]!)) throw new Error(`${names[j]} at ${input.dates[i]}: stream ${row[j]} batch ${cols[j]![i]}`);
      }
    }
  });

  it('never looks ahead: appending sessions leaves past values unchanged', () => {
    const full = calc.batch(input);
    for (const cut of [1, Math.floor(n / 3), n - 7]) {
      const part = calc.batch(slice(input, 0, cut));
      for (let j = 0; j < names.length; j++) {
        for (let i = 0; i < cut; i++) {
          if (!same(part[j]![i]!, full[j]![i]!)) throw new Error(`${names[j]} at ${input.dates[i]} changed when sessions after ${cut} were added`);
        }
      }
    }
  });

  it('replace() of the last session equals adding the corrected one', () => {
    const cols = calc.batch(input);
    const s = calc.stream(opts.code ?? input.code);
    for (let i = 0; i < n; i++) {
      const day = dayAt(input, i);
      if (i % 5 === 3) {
        const wrong = { date: day.date, values: Object.fromEntries(Object.entries(day.values).map(([k, v]) => [k, v * 1.03])) };
        s.add(wrong);
        const row = s.replace(day);
        for (let j = 0; j < names.length; j++) expect(same(row[j]!, cols[j]![i]!), `${names[j]} at ${day.date}`).toBe(true);
      } else s.add(day);
    }
  });

  it('is stable after its warm-up: a stream started mid-history agrees with the full batch', () => {
    const full = calc.batch(input);
    const warm = Math.max(...calc.definitions.map((d) => d.warmup));
    const start = 3;
    const s = calc.stream(opts.code ?? input.code);
    for (let i = start; i < n; i++) {
      const row = s.add(dayAt(input, i));
      expect(s.isStable).toBe(i - start + 1 >= warm);
      for (let j = 0; j < names.length; j++) {
        const w = calc.definitions[j]!.warmup;
        if (i - start + 1 < w) continue;
        const a = row[j]!;
        const b = full[j]![i]!;
        const tol = opts.recursiveTolerance ?? 0;
        const ok = same(a, b) || (tol > 0 && Math.abs(a - b) <= tol * (1 + Math.abs(b)));
        if (!ok) throw new Error(`${names[j]} (warm-up ${w}) at ${input.dates[i]} after ${i - start + 1} sessions: ${a} vs ${b}`);
      }
    }
  });
}
