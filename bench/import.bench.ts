/**
 * Full import of the shared Qlib dataset (every instrument, 2010-2022): source -> validation -> Avro
 * events -> store consumer -> ClickHouse. Prints one JSON line per target with seconds and peak RSS.
 *
 *   npx tsx bench/import.bench.ts [--target chdb|kafka-server] [--dir ../shared/data/cn/qlib]
 *   chdb: the one-process path (in-process bus, embedded store in a temp dir).
 *   kafka-server: the service path (Kafka at QUANT_KAFKA_BROKERS, ClickHouse at QUANT_CLICKHOUSE_URL,
 *   a fresh database dropped afterwards, and topics of its own through a per-run topic prefix).
 * Peak RSS is the process's maxRSS (it includes chdb's native memory). Run each target in its own
 * process: maxRSS never goes down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafkaBus } from '@quant/bus';
import { deadLetterCodec } from '@quant/contracts';
import { createQlibSource } from '@quant/data-sources';
import { runImportJob } from '@quant/market-data';
import { openStore } from '@quant/storage';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'chdb' },
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/cn/qlib') },
  },
});

const started = Date.now();
let line: Record<string, unknown> = {};
if (args.target === 'chdb') {
  const dir = mkdtempSync(join(tmpdir(), 'quant-import-bench-'));
  try {
    const report = await runImportJob({ source: createQlibSource(args.dir!), store: join(dir, 'store') });
    line = { target: 'chdb', bars: report.bars, rejected: report.rejected, instruments: report.instruments, seconds: report.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (args.target === 'kafka-server') {
  const brokers = (process.env['QUANT_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const server = process.env['QUANT_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:8123';
  const database = `import_bench_${Date.now()}`;
  // Topics of its own (a prefix per run), so the run starts from empty topics as on a fresh broker.
  // The store writer handles several partitions at once so that its group commit gathers large inserts.
  const bus = createKafkaBus({
    brokers,
    clientId: database,
    deadLetterCodec,
    logLevel: 'error',
    topicPrefix: `${database}.`,
    consumer: { partitionsConsumedConcurrently: 6, maxBytesPerPartition: 4 * 1_048_576 },
  });
  try {
    const jobStarted = Date.now();
    const report = await runImportJob({ source: createQlibSource(args.dir!), store: `${server}/${database}`, bus, groupId: `${database}.store` });
    line = {
      target: 'kafka-server',
      bars: report.bars,
      rejected: report.rejected,
      instruments: report.instruments,
      seconds: report.seconds,
      // Stopping the consumers and closing the store after the last event was stored.
      teardownSeconds: (Date.now() - jobStarted) / 1000 - report.seconds,
    };
  } finally {
    const cleanup = Date.now();
    await bus.close();
    const store = await openStore(`${server}/${database}`);
    await store.command(`DROP DATABASE IF EXISTS ${database}`);
    await store.close();
    line = { ...line!, cleanupSeconds: (Date.now() - cleanup) / 1000 };
  }
} else {
  throw new Error(`--target must be chdb or kafka-server, got ${String(args.target)}`);
}
console.log(
  JSON.stringify({
    ...line,
    wallSeconds: (Date.now() - started) / 1000,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    cpus: cpus().length,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  }),
);
