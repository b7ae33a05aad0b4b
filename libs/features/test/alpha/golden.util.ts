import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
// The parity test reads the instruments exactly as the product does (Qlib adapter -> seriesFromBars);
// an adapter in a domain lib's test is the one exception to the boundaries, confined to this file.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createQlibSource } from '@quant/data-sources';
import { alpha158Calculator, seriesFromBars } from '../../src';
import type { SeriesInput } from '../../src';

export const QLIB_DIR = resolve(import.meta.dirname, '../../../../../shared/data/cn/qlib');
export const GOLDEN_DIR = resolve(import.meta.dirname, '../fixtures/alpha158');
export const REL_TOL = 1e-5;
export const ABS_TOL = 1e-7;

export interface GoldenTable {
  code: string;
  columns: string[];
  dates: string[];
  /** rows x columns, NaN where the reference has no value. */
  values: Float64Array[];
}

export function goldenCodes(): string[] {
  return existsSync(GOLDEN_DIR)
    ? readdirSync(GOLDEN_DIR)
        .filter((f) => f.endsWith('.csv.gz'))
        .map((f) => f.slice(0, -'.csv.gz'.length))
        .sort()
    : [];
}

export function readGolden(code: string): GoldenTable {
  const text = gunzipSync(readFileSync(join(GOLDEN_DIR, `${code}.csv.gz`))).toString('utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  const columns = lines[0]!.split(',').slice(1);
  const dates: string[] = [];
  const values: Float64Array[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    dates.push(cells[0]!);
    values.push(Float64Array.from(cells.slice(1), (c) => (c === '' ? NaN : c === 'inf' ? Infinity : c === '-inf' ? -Infinity : Number(c))));
  }
  return { code, columns, dates, values };
}

export async function qlibSeries(code: string): Promise<SeriesInput> {
  const source = createQlibSource(QLIB_DIR);
  const calendar = await source.calendar();
  const bars = [];
  for await (const batch of source.read({ codes: [code] })) bars.push(...batch.bars);
  return seriesFromBars(bars, calendar, code);
}

export interface CellReport {
  compared: number;
  bothMissing: number;
  /** Largest relative error over cells whose reference magnitude is at least 1e-6. */
  maxRel: number;
  maxAbs: number;
  mismatches: string[];
}

/** Compares our batch Alpha158 with a golden table on every cell of the golden dates. */
export async function compareWithGolden(code: string, report: CellReport): Promise<void> {
  const golden = readGolden(code);
  const input = await qlibSeries(code);
  const ours = alpha158Calculator.batch(input);
  const names = alpha158Calculator.definitions.map((d) => d.name);
  if (names.join(',') !== golden.columns.join(',')) {
    report.mismatches.push(`${code}: columns differ from the golden file`);
    return;
  }
  const rowOf = new Map(input.dates.map((d, i) => [d, i]));
  golden.dates.forEach((date, r) => {
    const i = rowOf.get(date);
    if (i === undefined) {
      report.mismatches.push(`${code} ${date}: not in our series`);
      return;
    }
    const expected = golden.values[r]!;
    for (let f = 0; f < names.length; f++) {
      const want = expected[f]!;
      const got = ours[f]![i]!;
      const wantMissing = Number.isNaN(want);
      const gotMissing = Number.isNaN(got);
      if (wantMissing || gotMissing) {
        if (wantMissing && gotMissing) report.bothMissing++;
        else report.mismatches.push(`${code} ${date} ${names[f]}: ours ${got}, reference ${want}`);
        continue;
      }
      report.compared++;
      const abs = Math.abs(got - want);
      const rel = abs / Math.max(Math.abs(want), Number.MIN_VALUE);
      if (Math.abs(want) >= 1e-6) report.maxRel = Math.max(report.maxRel, rel);
      report.maxAbs = Math.max(report.maxAbs, abs);
      if (!(abs <= ABS_TOL || rel <= REL_TOL)) report.mismatches.push(`${code} ${date} ${names[f]}: ours ${got}, reference ${want} (rel ${rel.toExponential(2)})`);
    }
  });
}
