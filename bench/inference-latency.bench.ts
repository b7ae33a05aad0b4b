/**
 * gRPC latency of the inference service (issue 7 targets: Predict for one stock p99 <= 10 ms at 200
 * requests/s; Recommend over 300 stocks p99 <= 30 ms; a model swap under load with zero failed calls).
 *
 * Setup (not timed): a temp chdb store with 300 instruments, 40 sessions of bars and one day of 158
 * synthetic features (Alpha158's width) stored per instrument; a GBDT (LightGBM-like params) trained in the
 * bench on synthetic rows with a planted signal, with Qlib's learn processors for Alpha158 (robust z-score
 * then fill-missing) fitted on a synthetic training panel, registered and promoted in the registry. The
 * real service (Nest app, gRPC server, engine, registry/feature/market adapters) boots in this process on
 * the in-process bus; the load runs in a worker thread with its own gRPC client and event loop. Open loop:
 * requests leave on a fixed schedule whether or not earlier ones returned, and latency is measured from the
 * scheduled send, so queueing counts. The first request of a day builds the day (features read and
 * processed, the day scored once): one warm-up call per phase, reported apart.
 *
 *   npx tsx bench/inference-latency.bench.ts [--seconds 10] [--rate 200] [--recommend-rate 20] [--workers 2] [--compare-in-thread] [--rounds 200] [--repeat 3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Topics, eventExamples } from '@quant/contracts';
import { FeatureRepository } from '@quant/feature-store';
import { FillMissing, ProcessorPipeline, RobustZScore, createPanel } from '@quant/features';
import { InThreadScorer, WorkerPoolScorer } from '@quant/inference';
import { InferenceRuntime, createInferenceClient, createInferenceService } from '@quant/inference-service';
import { MarketDataRepository } from '@quant/market-data';
import type { StoredBar } from '@quant/market-data';
import { modelFactory } from '@quant/ml';
import type { RunningService } from '@quant/runtime';
import { bootstrapService } from '@quant/runtime';
import { openStore } from '@quant/storage';
import type { Store } from '@quant/storage';
import { ModelRegistry } from '@quant/training';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'recommend-rate': { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    'compare-in-thread': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
  },
});
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const RECOMMEND_RATE = Number(args['recommend-rate']);
const N_CODES = 300;
const N_FEATURES = 158;
const SESSIONS = 40;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const calendar: string[] = (() => {
  const out: string[] = [];
  const d = new Date('2024-01-01T00:00:00Z');
  while (out.length < SESSIONS) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
})();
const DAY = calendar[SESSIONS - 2] as string;
const codes = Array.from({ length: N_CODES }, (_, i) => (i % 2 === 0 ? `SH${600000 + i}` : `SZ${String(1 + i).padStart(6, '0')}`));
const names = Array.from({ length: N_FEATURES }, (_, i) => `F${i}`);

/** Synthetic feature row: heavy-tailed columns, a few missing values, the first 5 columns carry the signal. */
function featureRow(rnd: () => number): number[] {
  return names.map((_, j) => (rnd() < 0.01 ? NaN : (rnd() - 0.5) * (1 + (j % 7)) + (rnd() < 0.02 ? 20 : 0)));
}

async function seed(store: Store): Promise<void> {
  const market = new MarketDataRepository(store);
  await market.migrate();
  await market.saveCalendar('CN', calendar, 'bench');
  await market.saveInstruments(codes.map((code) => ({ code, firstDate: calendar[0] as string, lastDate: DAY })), 'bench');
  const bars: StoredBar[] = [];
  for (const [k, code] of codes.entries()) {
    const rnd = lcg(k + 1);
    let close = 10 + k * 0.1;
    for (const date of calendar.slice(0, SESSIONS - 1)) {
      close = Math.round(close * (1 + (rnd() - 0.5) * 0.04) * 100) / 100;
      bars.push({ code, date, open: close, high: close, low: close, close, volume: 1e5, amount: close * 1e5, factor: 1, traded: true, isST: k % 50 === 7, flags: [], source: 'bench', eventId: `bar:bench:${code}:${date}`, ingestedAt: 0 });
    }
  }
  await market.insertBars(bars);
  const features = new FeatureRepository(store);
  await features.migrate();
  await features.saveColumns('synthetic158', 'v1', names);
  const rnd = lcg(7);
  await features.write('synthetic158', 'v1', N_FEATURES, codes.map((code) => ({ code, date: DAY, values: featureRow(rnd) })));
}

/** Trains a GBDT on synthetic processed rows; the returned function registers it (and promotes it unless told not to). */
async function train(seedValue: number): Promise<(store: Store, artefactDir: string, promote?: boolean) => Promise<number>> {
  const rnd = lcg(seedValue);
  const trainDays = 20;
  const raw = new Float64Array(trainDays * N_CODES * N_FEATURES);
  for (let i = 0; i < trainDays * N_CODES; i++) raw.set(featureRow(rnd), i * N_FEATURES);
  const dates = calendar.slice(0, trainDays);
  const panel = createPanel({ dates, codes, features: names, values: raw, segment: 'train' });
  const pipeline = new ProcessorPipeline([new RobustZScore({ clip: 3 }), new FillMissing()]).fit(panel);
  const processed = pipeline.apply(panel).values;
  const rows = trainDays * N_CODES;
  const x = Float32Array.from(processed);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = 0.01 * ((x[i * N_FEATURES] as number) + 0.5 * (x[i * N_FEATURES + 1] as number) - 0.3 * (x[i * N_FEATURES + 2] as number)) + 0.02 * (rnd() - 0.5);
  const model = modelFactory('gbdt').create({ numIterations: Number(args.rounds), numLeaves: 63, learningRate: 0.05, minDataInLeaf: 20, featureFraction: 0.8 });
  const started = Date.now();
  const report = await model.fit({ rows, cols: N_FEATURES, x, y, featureNames: names }, { seed: seedValue });
  console.error(`trained gbdt-bench: ${report.iterations} trees x 63 leaves on ${rows} x ${N_FEATURES} in ${((Date.now() - started) / 1000).toFixed(1)} s (ONNX ${(model.toOnnx().length / 1024).toFixed(0)} KiB)`);
  return async (store, artefactDir, promote = true) => {
    const registry = new ModelRegistry(store, artefactDir);
    await registry.migrate();
    const registered = await registry.register({
      name: 'gbdt-bench',
      kind: 'gbdt',
      featureSet: 'synthetic158',
      featureSetVersion: 'v1',
      label: 'LABEL0',
      trainFrom: dates[0] as string,
      trainTo: dates[trainDays - 1] as string,
      validFrom: dates[trainDays - 1] as string,
      validTo: dates[trainDays - 1] as string,
      params: {},
      seed: seedValue,
      dataHash: 'bench',
      metrics: {},
      artefact: model.save(),
      onnx: model.toOnnx(),
      metadata: { model: model.metadata(), fit: report, lineage: { featureNames: names, processors: pipeline.toJSON(), label: { name: 'LABEL0', lookahead: 2, spec: { kind: 'forward-return', horizon: 1, entryLag: 1 } }, universe: null } },
    });
    if (promote) await registry.promote('gbdt-bench', registered.version, 'production');
    return registered.version;
  };
}

interface LoadResult {
  latencies: number[];
  failures: Array<{ code: number | string; message: string }>;
  versions: Record<string, number>;
  wallSeconds: number;
}

/**
 * The load generator, in its own thread. rate > 0: open loop at `rate`, latency from the scheduled send
 * (queueing counts). rate 0: closed loop, one request at a time (the service time alone). It says when it
 * is ready, so the caller's clock (the swap) starts with the load, not with the thread's start-up.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { tsx, client } = workerData;
import(tsx).then((m) => { m.register(); return import(client); }).then(async ({ createInferenceClient }) => {
  const { address, method, request, rate, count } = workerData;
  const c = createInferenceClient(address);
  const latencies = []; const failures = []; const versions = {};
  const req = (i) => ({ ...request, codes: request.codes ? [request.codes[i % request.codes.length]] : undefined });
  const seen = (r) => { const v = r.model ? r.model.modelVersion : r.modelVersion; versions[v] = (versions[v] || 0) + 1; };
  const finish = (t0) => { c.close(); parentPort.postMessage({ latencies, failures, versions, wallSeconds: (performance.now() - t0) / 1000 }); };
  await c[method](req(0));
  parentPort.postMessage('ready');
  const t0 = performance.now();
  if (rate === 0) {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      try { seen(await c[method](req(i))); latencies.push(performance.now() - t); } catch (e) { failures.push({ code: e.code, message: String(e.details || e.message) }); }
    }
    return finish(t0);
  }
  const interval = 1000 / rate; let done = 0;
  for (let i = 0; i < count; i++) {
    const due = t0 + i * interval;
    setTimeout(() => {
      c[method](req(i)).then((r) => { latencies.push(performance.now() - due); seen(r); },
        (e) => failures.push({ code: e.code, message: String(e.details || e.message) })).finally(() => { if (++done === count) finish(t0); });
    }, Math.max(0, due - performance.now()));
  }
});
`;

interface Load {
  ready: Promise<void>;
  done: Promise<LoadResult>;
}

function startLoad(address: string, method: 'predict' | 'recommend', request: Record<string, unknown>, rate: number, count: number): Load {
  const tsx = new URL('../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href;
  const client = new URL('../services/inference/src/index.ts', import.meta.url).href;
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { tsx, client, address, method, request, rate, count } });
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const done = new Promise<LoadResult>((resolve, reject) => {
    worker.on('message', (m: LoadResult | 'ready') => {
      if (m === 'ready') return ready();
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
  return { ready: readyPromise, done };
}

const runLoad = (...args: Parameters<typeof startLoad>): Promise<LoadResult> => startLoad(...args).done;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function summary(r: LoadResult): string {
  const s = [...r.latencies].sort((a, b) => a - b);
  const rate = `${(r.latencies.length / r.wallSeconds).toFixed(0)}/s`;
  return `n=${r.latencies.length} failed=${r.failures.length} p50=${quantile(s, 0.5).toFixed(2)} ms p90=${quantile(s, 0.9).toFixed(2)} ms p99=${quantile(s, 0.99).toFixed(2)} ms max=${(s[s.length - 1] as number).toFixed(2)} ms achieved=${rate}`;
}

/**
 * The scorers alone, closed loop, one call at a time: what a worker-thread hop costs against running the
 * session on the calling thread, for one row (Predict) and for the cross-section (Recommend).
 */
async function scorerMicroBench(onnx: Uint8Array): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const pool = await WorkerPoolScorer.start(2);
  const local = new InThreadScorer();
  try {
    for (const scorer of [local, pool]) await scorer.load('m', onnx);
    for (const rows of [1, N_CODES]) {
      const x = Float32Array.from({ length: rows * N_FEATURES }, (_, i) => Math.sin(i));
      for (const scorer of [local, pool]) {
        const times: number[] = [];
        const calls = rows === 1 ? 2000 : 300;
        for (let i = 0; i < calls + 50; i++) {
          const t = performance.now();
          await scorer.score('m', x, rows);
          if (i >= 50) times.push((performance.now() - t) * 1000);
        }
        times.sort((a, b) => a - b);
        out[`score ${rows} row(s) ${scorer.kind}`] = `p50=${quantile(times, 0.5).toFixed(0)} us p99=${quantile(times, 0.99).toFixed(0)} us`;
        console.error(`scorer ${scorer.kind}, ${rows} row(s): ${out[`score ${rows} row(s) ${scorer.kind}`]}`);
      }
    }
  } finally {
    await pool.close();
    await local.close();
  }
  return out;
}

async function boot(storePath: string, workers: number, minPoolRows: number): Promise<{ service: RunningService; address: string }> {
  const service = await bootstrapService(createInferenceService({ grpcPort: 0 }), {
    env: { QUANT_BUS: 'in-process', QUANT_STORE: storePath, QUANT_HTTP_HOST: '127.0.0.1', QUANT_HTTP_PORT: '0', QUANT_LOG_LEVEL: 'warn', QUANT_INFERENCE_WORKERS: String(workers), QUANT_INFERENCE_POOL_MIN_ROWS: String(minPoolRows), QUANT_INFERENCE_POLL_MS: '0' },
  });
  return { service, address: `127.0.0.1:${service.app.get(InferenceRuntime).grpcPort}` };
}

const tmp = mkdtempSync(join(tmpdir(), 'quant-inference-bench-'));
const storePath = join(tmp, 'store');
const artefactDir = join(tmp, 'models');
try {
  const store = await openStore(storePath);
  await seed(store);
  await (await train(11))(store, artefactDir);
  const [first] = await new ModelRegistry(store, artefactDir).list('gbdt-bench');
  const micro = await scorerMicroBench(new Uint8Array(readFileSync(first?.onnxPath as string)));
  // The swap's second version is trained now (training in the serving process would stall it) and
  // registered as a candidate; swaps then alternate the production version between 1 and 2.
  await (await train(23))(store, artefactDir, false);
  await store.close();

  const results: Record<string, string[]> = {};
  const record = (key: string, line: string) => {
    (results[key] ??= []).push(line);
    console.error(`${key}: ${line} (load ${loadavg()[0]?.toFixed(1)})`);
  };
  for (const [k, v] of Object.entries(micro)) record(k, v);
  // The service default (hybrid: batches of >= 64 rows in the pool), then the alternatives it was chosen
  // over; the configurations take turns in each repetition so the machine's noise falls on all of them.
  const workers = Number(args.workers);
  const configs = [
    { label: `hybrid (${workers} workers for >= 64 rows)`, workers, minPoolRows: 64 },
    ...(args['compare-in-thread'] ? [{ label: `pool only (${workers} workers)`, workers, minPoolRows: 1 }, { label: 'in-thread only', workers: 0, minPoolRows: 64 }] : []),
  ];
  let production = 1;
  for (let rep = 0; rep < Number(args.repeat); rep++) {
    for (const { label, workers, minPoolRows } of configs) {
      const { service, address } = await boot(storePath, workers, minPoolRows);
      try {
        const client = createInferenceClient(address);
        const t = performance.now();
        await client.predict({ date: DAY, codes: [codes[0] as string] });
        const firstDay = performance.now() - t;
        const t2 = performance.now();
        await client.recommend({ date: DAY, topK: 50 });
        const firstRecommend = performance.now() - t2;
        client.close();
        record(`first calls ${label}`, `Predict (builds the day: read, process, score 300) ${firstDay.toFixed(0)} ms, Recommend (market snapshot of 300) ${firstRecommend.toFixed(0)} ms`);
        record(`predict ${label}`, summary(await runLoad(address, 'predict', { date: DAY, codes }, RATE, RATE * SECONDS)));
        record(`recommend ${label}`, summary(await runLoad(address, 'recommend', { date: DAY, topK: 50, strategy: 'topk-dropout' }, RECOMMEND_RATE, RECOMMEND_RATE * SECONDS)));
        record(`predict closed loop ${label}`, summary(await runLoad(address, 'predict', { date: DAY, codes }, 0, 1000)));
        record(`recommend closed loop ${label}`, summary(await runLoad(address, 'recommend', { date: DAY, topK: 50, strategy: 'topk-dropout' }, 0, 200)));
        if (label === configs[0]?.label) {
          // Swap under load: Predict at RATE for SECONDS; a third of the way in the other version is
          // promoted in the registry and announced with a ModelLifecycle event on the bus.
          const load = startLoad(address, 'predict', { date: DAY, codes }, RATE, RATE * SECONDS);
          await load.ready;
          await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 3));
          production = 3 - production;
          await new ModelRegistry(service.store, artefactDir).promote('gbdt-bench', production, 'production');
          const runtime = service.app.get(InferenceRuntime);
          const swapStarted = performance.now();
          await service.publisher.publish(Topics.modelLifecycle, [{ ...eventExamples().modelLifecycle, eventId: `bench:${rep}`, modelName: 'gbdt-bench', modelVersion: String(production) }]);
          while (runtime.engine.serving !== `gbdt-bench@${production}`) await new Promise((resolve) => setTimeout(resolve, 5));
          const swapMs = performance.now() - swapStarted;
          const swap = await load.done;
          record('swap under load', `${summary(swap)} versions=${JSON.stringify(swap.versions)}, swap ${swapMs.toFixed(0)} ms from event to new set served`);
          if (swap.failures.length > 0) console.error('failures:', swap.failures.slice(0, 5));
        }
      } finally {
        await service.close('bench done');
      }
    }
  }
  console.log(JSON.stringify({ date: new Date().toISOString().slice(0, 10), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, load1: loadavg()[0]?.toFixed(1), rate: RATE, recommendRate: RECOMMEND_RATE, seconds: SECONDS, results }, null, 2));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
