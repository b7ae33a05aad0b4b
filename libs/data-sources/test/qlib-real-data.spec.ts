import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createQlibSource } from '../src/index';

// The shared development dataset (read-only, not part of the repository); the tests skip without it.
const QLIB_DIR = process.env['QUANT_QLIB_DIR'] ?? fileURLToPath(new URL('../../../../shared/data/cn/qlib', import.meta.url));
const present = existsSync(join(QLIB_DIR, 'calendars', 'day.txt'));

/** Reads one float32 the slow, obvious way: an independent check of the adapter's typed-array views. */
const f32 = (buf: Buffer, i: number): number => buf.readFloatLE(i * 4);

describe.skipIf(!present)('Qlib source on the real dataset', () => {
  const calendar = present ? readFileSync(join(QLIB_DIR, 'calendars', 'day.txt'), 'utf8').split('\n').filter(Boolean) : [];

  it('SH600000 first row equals what the bytes say, and SH000300 opens 2010 at the published 3535.229', async () => {
    const dir = join(QLIB_DIR, 'features', 'SH600000');
    const close = readFileSync(join(dir, 'close.day.bin'));
    const factor = readFileSync(join(dir, 'factor.day.bin'));
    const volume = readFileSync(join(dir, 'volume.day.bin'));
    const firstDate = calendar[f32(close, 0)]!;

    const src = createQlibSource(QLIB_DIR);
    const bars = [];
    for await (const b of src.read({ codes: ['SH600000', 'SH000300'], to: firstDate })) bars.push(...b.bars);
    const sh600000 = bars.find((b) => b.code === 'SH600000')!;
    expect(sh600000.date).toBe(firstDate);
    expect(sh600000.close).toBe(f32(close, 1) / f32(factor, 1));
    expect(sh600000.factor).toBe(f32(factor, 1));
    expect(sh600000.volume).toBe(f32(volume, 1));
    const csi300 = bars.find((b) => b.code === 'SH000300')!;
    expect(csi300.date).toBe('2010-01-04');
    expect(csi300.close).toBeCloseTo(3535.229, 2);
    expect(csi300.factor).toBe(1);
  });

  it('reads every instrument; bar counts equal counts taken independently from the files', async () => {
    const expected = new Map<string, number>();
    for (const code of readdirSync(join(QLIB_DIR, 'features')).sort()) {
      const read = (f: string) => readFileSync(join(QLIB_DIR, 'features', code, `${f}.day.bin`));
      const [c, o, h, l, fa] = ['close', 'open', 'high', 'low', 'factor'].map(read) as [Buffer, Buffer, Buffer, Buffer, Buffer];
      const start = f32(c, 0);
      let n = 0;
      // All fields of this dataset share start and length (checked by the provenance notes).
      for (let i = 1; i < c.length / 4 && start + i - 1 < calendar.length; i++) {
        const fv = f32(fa, i);
        if ([f32(c, i), f32(o, i), f32(h, i), f32(l, i)].every(Number.isFinite) && fv > 0) n++;
      }
      expected.set(code, n);
    }

    const t0 = performance.now();
    const got = new Map<string, number>();
    const problems: Record<string, number> = {};
    for await (const b of createQlibSource(QLIB_DIR).read()) {
      for (const bar of b.bars) got.set(bar.code, (got.get(bar.code) ?? 0) + 1);
      for (const p of b.problems) problems[p.code] = (problems[p.code] ?? 0) + 1;
    }
    const ms = performance.now() - t0;
    console.info(`qlib full read: ${got.size} instruments, ${[...got.values()].reduce((a, b) => a + b, 0)} bars in ${Math.round(ms)} ms; problems ${JSON.stringify(problems)}`);

    for (const [code, n] of expected) expect(got.get(code) ?? 0, code).toBe(n);
    expect(got.size).toBe(expected.size);
    // Only NaN closes inside a series are problems in this dataset (SH000852 2011, three on 2012-09-10).
    expect(Object.keys(problems)).toEqual(['BIN_NAN_CLOSE']);
  });
});
