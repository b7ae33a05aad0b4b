import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function bin(file: string, start: number, values: readonly number[]): void {
  const a = new Float32Array(values.length + 1);
  a[0] = start;
  a.set(values, 1);
  writeFileSync(file, Buffer.from(a.buffer));
}

/** A one-instrument Qlib layout (factor 1, volume 1000, high/low around the close). */
function layout(dir: string, calendar: readonly string[], code: string, closes: readonly number[]): void {
  mkdirSync(join(dir, 'calendars'), { recursive: true });
  mkdirSync(join(dir, 'instruments'), { recursive: true });
  mkdirSync(join(dir, 'features', code), { recursive: true });
  writeFileSync(join(dir, 'calendars', 'day.txt'), `${calendar.join('\n')}\n`);
  writeFileSync(join(dir, 'instruments', 'all.txt'), `${code}\t${calendar[0]}\t${calendar[calendar.length - 1]}\n`);
  const f = (name: string) => join(dir, 'features', code, `${name}.day.bin`);
  bin(f('close'), 0, closes);
  bin(f('open'), 0, closes);
  bin(f('high'), 0, closes.map((c) => c * 1.01));
  bin(f('low'), 0, closes.map((c) => c * 0.99));
  bin(f('factor'), 0, closes.map(() => 1));
  bin(f('volume'), 0, closes.map(() => 1000));
}

export const writeBin = Object.assign(bin, { layout });
