/**
 * One new day for every instrument through the features service (issue 4 target: <= 2 s).
 *
 * The shared Qlib data is imported into a temporary chdb store up to the day before its last session
 * (runImportJob, ~40 s), the service boots on the in-process bus, every instrument's streaming state is
 * warmed from the stored bars (not timed), then the last day's bars are published as DailyBar events and
 * the clock runs until the service has published `featuresReady` for that day (every row stored). A
 * sample of instruments is then checked against a batch computation over the same history.
 *
 *   npx tsx bench/feature-service.bench.ts [--dir ../shared/data/cn/qlib] [--set alpha158] [--check 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DailyBar, FeaturesReady } from '@quant/contracts';
import { Topics, serdeFor } from '@quant/contracts';
import { createQlibSource } from '@quant/data-sources';
import { FeatureRepository, barsToSeries, warmupStart } from '@quant/feature-store';
import type { BarRecord } from '@quant/feature-store';
import { FeaturesEventsHandler, featuresService } from '@quant/features-service';
import { barEventId, runImportJob } from '@quant/market-data';
import { bootstrapService } from '@quant/runtime';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/cn/qlib') },
    set: { type: 'string', default: 'alpha158' },
    check: { type: 'string', default: '20' },
  },
});

const tmp = mkdtempSync(join(tmpdir(), 'quant-feature-service-bench-'));
const storePath = join(tmp, 'store');
const source = createQlibSource(args.dir!);
const calendar = await source.calendar();
const day = calendar[calendar.length - 1] as string;
const previous = calendar[calendar.length - 2] as string;

try {
  const importStarted = Date.now();
  const imported = await runImportJob({ source, store: storePath, to: previous });
  const importSeconds = (Date.now() - importStarted) / 1000;

  // The held-back day, as the ingestion service would publish it (rows the validator would reject are left out).
  const events: DailyBar[] = [];
  for await (const batch of source.read({ from: day, to: day })) {
    for (const b of batch.bars) {
      if (![b.open, b.high, b.low, b.close].every((v) => Number.isFinite(v) && v > 0)) continue;
      const traded = b.volume !== null && b.volume > 0;
      events.push({
        eventId: barEventId(source.name, b.code, b.date), code: b.code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close,
        volume: b.volume === null ? 0 : Math.round(b.volume), amount: b.amount, factor: b.factor ?? 1, traded, source: source.name,
        ingestedAt: Date.now(), isST: b.isST ?? null, flags: [],
      });
    }
  }

  const service = await bootstrapService(featuresService, {
    env: {
      QUANT_BUS: 'in-process', QUANT_STORE: storePath, QUANT_HTTP_HOST: '127.0.0.1', QUANT_HTTP_PORT: '0', QUANT_OTEL_EXPORTER: 'none',
      QUANT_LOG_LEVEL: 'warn', QUANT_FEATURE_SETS: args.set!, QUANT_FEATURES_READY_QUIET_MS: '10000',
    },
    logSink: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const handler = service.app.get(FeaturesEventsHandler);
    const pipeline = handler.pipelines[0];
    if (pipeline === undefined) throw new Error('the service loaded no feature set');
    const warmStarted = Date.now();
    for (const e of events) await pipeline.engine.warm(e.code, day);
    const warmSeconds = (Date.now() - warmStarted) / 1000;

    const serde = serdeFor(Topics.featuresReady);
    let ready: FeaturesReady | undefined;
    let readyAt = 0;
    await service.bus.subscribe({
      groupId: 'bench.features-ready',
      topics: [Topics.featuresReady.name],
      handler: async (messages) => {
        for (const m of messages) {
          const e = serde.decode(m.value);
          if (e.date === day && ready === undefined) {
            ready = e;
            readyAt = Date.now();
          }
        }
      },
    });

    const started = Date.now();
    await service.publisher.publish(Topics.dailyBar, events);
    while (ready === undefined && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 2));
    const seconds = (readyAt - started) / 1000;
    if (ready === undefined) throw new Error('no features-ready event within 60 s');

    // Spot check: the streamed rows equal a batch over the same stored history plus the new day.
    const set = pipeline.set;
    const stored = new Map((await new FeatureRepository(service.store).read(set.name, set.version, events.map((e) => e.code), day, day)).map((r) => [r.code, r.values]));
    const storeCalendar = [...calendar];
    const start = warmupStart(storeCalendar, day, pipeline.engine.warmup);
    let maxAbsDiff = 0;
    let mismatchedMissing = 0;
    const sample = events.filter((_, i) => i % Math.max(1, Math.floor(events.length / Number(args.check))) === 0).slice(0, Number(args.check));
    const market = new (await import('@quant/market-data')).MarketDataRepository(service.store);
    for (const e of sample) {
      const bars: BarRecord[] = [...(await market.bars(e.code, start, previous)), { ...e, volume: e.volume }];
      const series = barsToSeries(e.code, bars, storeCalendar);
      const columns = set.calculators.flatMap((c) => c.batch(series));
      const row = stored.get(e.code);
      if (row === undefined) throw new Error(`no stored row for ${e.code}`);
      columns.forEach((col, j) => {
        const want = Math.fround(col[col.length - 1] as number);
        const got = row[j] as number;
        if (Number.isNaN(want) !== Number.isNaN(got)) mismatchedMissing++;
        else if (!Number.isNaN(want)) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(want - got) / Math.max(1, Math.abs(want)));
      });
    }

    console.log(
      JSON.stringify({
        bench: 'feature-service',
        set: `${set.name}@${set.version}`,
        columns: set.definitions().length,
        day,
        events: events.length,
        readyInstrumentCount: ready.instrumentCount,
        seconds,
        eventsPerSecond: Math.round(events.length / seconds),
        warmSeconds,
        importSeconds,
        importedBars: imported.bars,
        checked: sample.length,
        maxRelDiffVsBatch: maxAbsDiff,
        mismatchedMissing,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        load1: Number(loadavg()[0]?.toFixed(1)),
        node: process.version,
      }),
    );
  } finally {
    await service.close('bench finished');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
