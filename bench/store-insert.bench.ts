/**
 * Rows inserted per second into embedded chdb and into the ClickHouse server, through the same
 * `Store.insert` the product uses (TabSeparated encoding included in the timing).
 *
 *   npx tsx bench/store-insert.bench.ts [--rows=1000000] [--batch=100000] [--stores=chdb,server]
 *
 * Server: QUANT_CLICKHOUSE_URL (default http://127.0.0.1:8123). Prints one JSON line per store.
 * Rows are daily bars (5,000 codes x trading days), generated per batch outside the timed section.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';

const TARGET_ROWS_PER_SECOND = 200_000;
const CODES = 5_000;

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

const rows = positiveInt('rows', arg('rows', '1000000'));
const batch = positiveInt('batch', arg('batch', '100000'));
const stores = arg('stores', 'chdb,server').split(',').map((s) => s.trim());
const serverUrl = process.env.QUANT_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';

interface BarRow {
  code: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  amount: number | null;
  factor: number;
  traded: boolean;
  source: string;
}

const codes = Array.from({ length: CODES }, (_, i) => (i % 2 === 0 ? 'SH' : 'SZ') + String(600000 + i).padStart(6, '0'));
const day0 = Date.UTC(2020, 0, 1);

/** Rows [from, from + count): row i is code i % CODES on business day floor(i / CODES). */
function makeBatch(from: number, count: number): BarRow[] {
  const out: BarRow[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = from + k;
    const dayIndex = Math.floor(i / CODES);
    // Skip weekends so the dates look like trading days.
    const d = new Date(day0 + (Math.floor(dayIndex / 5) * 7 + (dayIndex % 5)) * 86_400_000);
    const base = 10 + ((i * 7919) % 1000) / 100;
    out[k] = {
      code: codes[i % CODES] as string,
      date: d.toISOString().slice(0, 10),
      open: base,
      high: base * 1.02,
      low: base * 0.98,
      close: base * 1.01,
      volume: 100_000 + (i % 50_000),
      amount: i % 97 === 0 ? null : base * 100_000,
      factor: 1 + (i % 13) / 100,
      traded: i % 211 !== 0,
      source: 'bench',
    };
  }
  return out;
}

const DDL =
  'CREATE TABLE bench_daily_bars (code String, date Date, open Float64, high Float64, low Float64, close Float64, ' +
  'volume Float64, amount Nullable(Float64), factor Float64, traded UInt8, source String) ' +
  'ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (code, date)';

async function run(kind: string, open: () => Promise<Store>, cleanup: () => void): Promise<void> {
  const store = await open();
  const info = await store.info();
  try {
    await store.command('DROP TABLE IF EXISTS bench_daily_bars');
    await store.command(DDL);
    let insertMs = 0;
    const wallStart = performance.now();
    for (let from = 0; from < rows; from += batch) {
      const chunk = makeBatch(from, Math.min(batch, rows - from));
      const t = performance.now();
      await store.insert('bench_daily_bars', chunk);
      insertMs += performance.now() - t;
    }
    const wallMs = performance.now() - wallStart;
    const [{ n } = { n: '0' }] = await store.query<{ n: string }>('SELECT count() AS n FROM bench_daily_bars');
    if (Number(n) !== rows) throw new Error(`${kind}: expected ${rows} rows in the table, found ${n}`);
    const rowsPerSecond = Math.round(rows / (insertMs / 1000));
    console.log(
      JSON.stringify({
        bench: 'store-insert',
        store: kind,
        version: info.version,
        rows,
        batch,
        insertSeconds: Number((insertMs / 1000).toFixed(3)),
        wallSeconds: Number((wallMs / 1000).toFixed(3)),
        rowsPerSecond,
        target: TARGET_ROWS_PER_SECOND,
        meetsTarget: rowsPerSecond >= TARGET_ROWS_PER_SECOND,
        // Context for the number: the machine is often shared (other processes compete for the cores).
        cpus: cpus().length,
        loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      }),
    );
  } finally {
    // The bench database is its own (random on the server): drop it whole, even after a failure.
    await store.command(`DROP DATABASE IF EXISTS ${info.database}`);
    await store.close();
    cleanup();
  }
}

for (const kind of stores) {
  if (kind === 'chdb') {
    const dir = mkdtempSync(join(tmpdir(), 'quant-bench-chdb-'));
    await run('chdb', () => openStore(dir, { database: 'bench' }), () => rmSync(dir, { recursive: true, force: true }));
  } else if (kind === 'server') {
    const database = `bench_${process.pid}_${Date.now()}`;
    await run('server', () => openStore(serverUrl, { database }), () => undefined);
  } else {
    throw new Error(`--stores: unknown store ${JSON.stringify(kind)} (chdb, server)`);
  }
}
