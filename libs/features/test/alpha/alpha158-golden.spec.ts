import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CellReport } from './golden.util';
import { compareWithGolden, goldenCodes, QLIB_DIR } from './golden.util';

/**
 * Alpha158 parity: our batch calculator, fed through createQlibSource + seriesFromBars on each
 * instrument's full history, against golden files from the independent pandas reference
 * (bench/reference/alpha158_reference.py, 20 stocks, 2016-2018). Every cell must match within 1e-5
 * relative or 1e-7 absolute where both are defined, and missing cells must coincide.
 */
const codes = goldenCodes();

describe.skipIf(!existsSync(QLIB_DIR))('alpha158 against the golden files', () => {
  it('has golden files for at least 20 instruments', () => {
    expect(codes.length).toBeGreaterThanOrEqual(20);
  });

  it('matches every cell of every golden file', async () => {
    const report: CellReport = { compared: 0, bothMissing: 0, maxRel: 0, maxAbs: 0, mismatches: [] };
    for (const code of codes) await compareWithGolden(code, report);
    expect(report.mismatches.slice(0, 20)).toEqual([]);
    // 20 stocks x ~731 sessions x 158 columns, minus missing cells: the comparison really ran.
    expect(report.compared).toBeGreaterThan(1_500_000);
    expect(report.bothMissing).toBeGreaterThan(0);
  });
});
