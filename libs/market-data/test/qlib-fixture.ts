import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes one Qlib `.day.bin`: float32 LE, element 0 = calendar index of the first value. */
export function writeBin(file: string, start: number, values: readonly number[]): void {
  const a = new Float32Array(values.length + 1);
  a[0] = start;
  a.set(values, 1);
  writeFileSync(file, Buffer.from(a.buffer));
}

export interface FixtureInstrument {
  code: string;
  start: number;
  /** Raw closes; open/high/low are derived around them. NaN makes a missing row. */
  closes: readonly number[];
  volumes?: readonly number[];
  factor?: number;
}

/** A small Qlib layout: calendar, instruments/all.txt, and features per instrument. */
export function writeQlibFixture(dir: string, calendar: readonly string[], instruments: readonly FixtureInstrument[]): void {
  mkdirSync(join(dir, 'calendars'), { recursive: true });
  mkdirSync(join(dir, 'instruments'), { recursive: true });
  writeFileSync(join(dir, 'calendars', 'day.txt'), `${calendar.join('\n')}\n`);
  const lines: string[] = [];
  for (const inst of instruments) {
    const f = join(dir, 'features', inst.code);
    mkdirSync(f, { recursive: true });
    const factor = inst.factor ?? 1;
    const adj = (k: number) => inst.closes.map((c) => c * k * factor);
    writeBin(join(f, 'close.day.bin'), inst.start, adj(1));
    writeBin(join(f, 'open.day.bin'), inst.start, adj(1));
    writeBin(join(f, 'high.day.bin'), inst.start, adj(1.01));
    writeBin(join(f, 'low.day.bin'), inst.start, adj(0.99));
    writeBin(join(f, 'factor.day.bin'), inst.start, inst.closes.map(() => factor));
    writeBin(join(f, 'volume.day.bin'), inst.start, inst.volumes ?? inst.closes.map(() => 1000));
    const last = inst.start + inst.closes.length - 1;
    lines.push(`${inst.code}\t${calendar[inst.start]}\t${calendar[last]}`);
  }
  writeFileSync(join(dir, 'instruments', 'all.txt'), `${lines.join('\n')}\n`);
}

/** Ten weekdays of January 2021. */
export const CALENDAR = ['2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08', '2021-01-11', '2021-01-12', '2021-01-13', '2021-01-14', '2021-01-15'];
