/**
 * Alpha158 in batch for every instrument of the shared Qlib dataset (2010-2022): read through
 * createQlibSource, seriesFromBars (missing-row rule), alpha158Calculator.batch. Prints one JSON line:
 * instruments, rows, cells, seconds (read + compute, wall clock), computeSeconds (batch only) and peak
 * RSS (process maxRSS). Instruments are processed one at a time, so memory stays at one history.
 *
 *   npx tsx bench/alpha158.bench.ts [--dir ../shared/data/cn/qlib] [--limit N]
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createQlibSource } from '@quant/data-sources';
import { alpha158Calculator, seriesFromBars } from '@quant/features';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/cn/qlib') },
    limit: { type: 'string' },
  },
});

const started = performance.now();
const source = createQlibSource(args.dir!);
const calendar = await source.calendar();
const limit = args.limit ? Number(args.limit) : Infinity;
let instruments = 0;
let rows = 0;
let cells = 0;
let finite = 0;
let computeMs = 0;
let problems = 0;
for await (const batch of source.read()) {
  problems += batch.problems.length;
  if (batch.bars.length === 0) continue;
  if (instruments >= limit) break;
  const input = seriesFromBars(batch.bars, calendar);
  const t = performance.now();
  const cols = alpha158Calculator.batch(input);
  computeMs += performance.now() - t;
  instruments++;
  rows += input.dates.length;
  for (const col of cols) {
    cells += col.length;
    for (let i = 0; i < col.length; i++) if (col[i] === col[i]) finite++;
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    bench: 'alpha158-batch',
    instruments,
    rows,
    cells,
    finiteCells: finite,
    sourceProblems: problems,
    seconds: Number(seconds.toFixed(2)),
    computeSeconds: Number((computeMs / 1000).toFixed(2)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    cores: cpus().length,
    load: Number(loadavg()[0]!.toFixed(1)),
    node: process.version,
  }),
);
