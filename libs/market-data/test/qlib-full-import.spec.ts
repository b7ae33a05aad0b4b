// The whole shared Qlib dataset (every instrument, 2010-2022) into the embedded store, with the
// bar counts checked against counts read independently from the .bin files by this test.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQlibSource } from '@quant/data-sources';
import { openStore } from '@quant/storage';
import { MarketDataRepository, runImportJob } from '../src';
import type { RejectRecord } from '../src';

const QLIB = resolve(__dirname, '../../../../shared/data/cn/qlib');
const root = mkdtempSync(join(tmpdir(), 'quant-full-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Rows with a finite close per instrument, straight from the bytes (float32 LE after a 4-byte header). */
function finiteClosesPerInstrument(): Map<string, number> {
  const out = new Map<string, number>();
  for (const code of readdirSync(join(QLIB, 'features'))) {
    const bytes = readFileSync(join(QLIB, 'features', code, 'close.day.bin'));
    let n = 0;
    for (let off = 4; off + 4 <= bytes.length; off += 4) if (Number.isFinite(bytes.readFloatLE(off))) n++;
    out.set(code, n);
  }
  return out;
}

describe.skipIf(!existsSync(QLIB))('full import of ../shared/data/cn/qlib into chdb', () => {
  it('stores one bar per row with a close, minus the rejected ones, and a re-import adds nothing', async () => {
    const expected = finiteClosesPerInstrument();
    const rejectsFile = join(root, 'rejects.jsonl');
    const store = join(root, 'store');
    const report = await runImportJob({ source: createQlibSource(QLIB), store, rejectsFile });

    const rejects = readFileSync(rejectsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RejectRecord);
    // Rows the validator refused (a close exists, so the independent count includes them).
    const refused = new Map<string, number>();
    for (const r of rejects) if (r.code !== null) refused.set(r.code, (refused.get(r.code) ?? 0) + 1);
    expect(rejects.length).toBe(report.rejected);
    expect(refused.size).toBeLessThan(10);

    const s = await openStore(store);
    try {
      const repo = new MarketDataRepository(s);
      const coverage = new Map((await repo.coverage()).map((c) => [c.code, c.bars]));
      expect(coverage.size).toBe(expected.size);
      for (const [code, n] of expected) expect(coverage.get(code), code).toBe(n - (refused.get(code) ?? 0));
      const total = [...expected.values()].reduce((a, b) => a + b, 0) - rejects.filter((r) => r.code !== null).length;
      expect((await repo.counts()).bars).toBe(total);
      expect(report).toMatchObject({ bars: total, stored: total, instruments: expected.size, from: '2010-01-04', to: '2022-12-30' });
    } finally {
      await s.close();
    }

    // Every row with a close now falls on or before its instrument's last stored day: skipped unread.
    const again = await runImportJob({ source: createQlibSource(QLIB), store });
    const rowsWithClose = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(again).toMatchObject({ bars: 0, published: 0, alreadyStored: rowsWithClose });
  }, 300_000);
});
