/**
 * The first Recommend of a day reads the recent bars of the whole cross-section for the tradability
 * checks and the 20-day volatility (`marketSnapshot`). This times that read through the service's store
 * adapter two ways in the same run, alternating: one query per instrument (32 in flight, what a reader
 * without `barsMany` does) and the batched `MarketDataRepository.barsMany` (one bound-parameter query per
 * 1,000 codes). Both must give the same snapshot.
 *
 * Setup (not timed): 300 instruments (or --codes) with 40 sessions of bars, in a temp chdb store or, with
 * --server URL, a throwaway database on a ClickHouse server.
 *
 *   npx tsx bench/inference-snapshot.bench.ts [--codes 300] [--repeat 5] [--server http://127.0.0.1:8123]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import type { MarketReader } from '@quant/inference';
import { marketSnapshot } from '@quant/inference';
import { storeMarketReader } from '@quant/inference-service';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import { openStore } from '@quant/storage';

const { values: args } = parseArgs({
  options: { codes: { type: 'string', default: '300' }, repeat: { type: 'string', default: '5' }, server: { type: 'string' } },
});
const N = Number(args.codes);
const SESSIONS = 40;

const calendar: string[] = [];
for (const d = new Date('2024-01-01T00:00:00Z'); calendar.length < SESSIONS; d.setUTCDate(d.getUTCDate() + 1)) {
  if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) calendar.push(d.toISOString().slice(0, 10));
}
const day = calendar[SESSIONS - 2] as string;
const codes = Array.from({ length: N }, (_, i) => `SH${600000 + i}`);

const dir = mkdtempSync(join(tmpdir(), 'quant-snapshot-bench-'));
const database = `bench_snapshot_${process.pid}`;
const store = await openStore(args.server ? `${args.server}/${database}` : join(dir, 'store'));
try {
  const repo = new MarketDataRepository(store);
  await repo.migrate();
  await repo.saveCalendar('CN', calendar, 'bench');
  await repo.saveInstruments(codes.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: day })), 'bench');
  const bars: StoredBar[] = codes.flatMap((code, k) =>
    calendar.slice(0, SESSIONS - 1).map((date, t) => {
      const close = Math.round((10 + k * 0.1) * (1 + 0.01 * Math.sin(t + k)) * 100) / 100;
      return { code, date, open: close, high: close, low: close, close, volume: 1e5, amount: close * 1e5, factor: 1, traded: true, isST: false, flags: [], source: 'bench', eventId: `bar:bench:${code}:${date}`, ingestedAt: 0 };
    }),
  );
  await repo.insertBars(bars);

  const batched = storeMarketReader(repo, 'CN');
  const { barsMany: _unused, ...perCode } = batched;
  const readers: Array<[string, MarketReader]> = [
    ['one query per instrument', perCode],
    ['barsMany (one query)', batched],
  ];
  await Promise.all([batched.calendar(), batched.instruments()]);
  const times = new Map<string, number[]>(readers.map(([name]) => [name, []]));
  const results = new Map<string, unknown>();
  for (let r = 0; r < Number(args.repeat); r += 1) {
    for (const [name, reader] of r % 2 === 0 ? readers : [...readers].reverse()) {
      const t = performance.now();
      results.set(name, await marketSnapshot(reader, codes, day, calendar[SESSIONS - 1] as string));
      times.get(name)?.push(performance.now() - t);
    }
  }
  const [a, b] = [...results.values()];
  if (!isDeepStrictEqual(a, b)) throw new Error('the two reads gave different snapshots');

  const info = await store.info();
  console.log(`marketSnapshot of ${N} instruments, ${SESSIONS} sessions stored, store ${info.kind} ${info.version}; ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(1)}`);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  for (const [name, xs] of times) console.log(`  ${name.padEnd(26)} median ${median(xs).toFixed(1)} ms  (runs: ${xs.map((x) => x.toFixed(0)).join(', ')} ms)`);
  const [perCodeTimes, batchedTimes] = [...times.values()] as [number[], number[]];
  console.log(`  ratio per-instrument / batched: ${(median(perCodeTimes) / median(batchedTimes)).toFixed(1)}x`);
} finally {
  if (args.server) await store.command(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
