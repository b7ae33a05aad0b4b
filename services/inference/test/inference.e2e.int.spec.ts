// End to end on the real Kafka broker and ClickHouse server: daily bars in -> the features service (its
// own process, Alpha158) computes and stores the day and publishes features-ready -> the inference service
// scores the day with the production model and publishes a Prediction per instrument and the day's
// recommendation list. A unique database, topic prefix and consumer groups keep parallel runs apart.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER } from '@quant/bus';
import type { DailyBar, Prediction, RecommendationList } from '@quant/contracts';
import { Topics, serdeFor } from '@quant/contracts';
import { featureSet } from '@quant/features';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import type { Store } from '@quant/storage';
import { openStore } from '@quant/storage';
import type { InferenceEnv } from '../src/inference.config';
import { createInferenceService } from '../src/inference.module';
import { InferenceRuntime } from '../src/inference.runtime';
import { codes, registerModel, seedMarket, storedBar, weekdays } from './inference-service.fixtures';

const brokers = process.env.QUANT_KAFKA_BROKERS ?? `127.0.0.1:${process.env.QUANT_KAFKA_PORT ?? '9092'}`;
const clickhouse = process.env.QUANT_CLICKHOUSE_URL ?? `http://127.0.0.1:${process.env.QUANT_CLICKHOUSE_HTTP_PORT ?? '8123'}`;
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const database = `quant_it_inference_${run}`;
const prefix = `it-inference-${run}.`;
const FEATURES_MAIN = fileURLToPath(new URL('../../features/src/main.ts', import.meta.url));

const SESSIONS = 90;
const calendar = weekdays(SESSIONS + 1);
const T = SESSIONS - 1;
const DAY = calendar[T] as string;
const CODES = codes(20);
const alpha158 = featureSet('alpha158');
/** As @quant/evaluation's fitScoreCalibration stores it in metadata.json (two bins). */
const CALIBRATION = { kind: 'percentile-bins', horizon: 1, bins: 2, edges: [0, 0.5, 1], probabilityBeatBenchmark: [0.45, 0.58], expectedReturn: [-0.001, 0.003], expectedExcessReturn: [-0.002, 0.002], rows: 5000, days: 240 };

let store: Store;
let features: ChildProcess | undefined;
let harness: TestService<InferenceEnv>;
const predictions: Prediction[] = [];
const lists: RecommendationList[] = [];
const eventIdHeaders: string[] = [];
const featureLogs: string[] = [];

function barEvent(code: string): DailyBar {
  const b = storedBar(code, calendar, T);
  return { eventId: b.eventId, code, date: b.date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume ?? 0, amount: b.amount, factor: b.factor ?? 1, traded: true, source: 'test', ingestedAt: b.ingestedAt, isST: false, flags: [] };
}

/** The features service as its own process (a service may not import another one), on the same broker and database. */
function startFeaturesService(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', FEATURES_MAIN], {
    env: {
      ...process.env,
      QUANT_BUS: 'kafka',
      QUANT_KAFKA_BROKERS: brokers,
      QUANT_KAFKA_TOPIC_PREFIX: prefix,
      QUANT_KAFKA_CLIENT_ID: `it-features-${run}`,
      QUANT_CONSUMER_GROUP: `it.features.${run}`,
      QUANT_STORE: clickhouse,
      QUANT_STORE_DATABASE: database,
      QUANT_HTTP_HOST: '127.0.0.1',
      QUANT_HTTP_PORT: '0',
      QUANT_FEATURE_SETS: 'alpha158',
      QUANT_FEATURES_READY_QUIET_MS: '2000',
      QUANT_LOG_LEVEL: 'info',
      QUANT_OTEL_EXPORTER: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  features = child;
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      featureLogs.push(line);
      if (line.includes('"service started"')) resolve();
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`features service exited with ${code} before it started:\n${featureLogs.slice(-20).join('\n')}`)));
  });
}

beforeAll(async () => {
  store = await openStore(clickhouse, { database });
  // Bars up to T are stored (the ingestion service's job); T's also arrive as events for the features service.
  await seedMarket(store, calendar, CODES, SESSIONS);
  await registerModel(store, { name: 'gbdt-alpha158-it', set: alpha158.name, version: alpha158.version, featureNames: alpha158.definitions().map((d) => d.name), calibration: CALIBRATION });
  await startFeaturesService();
  harness = await bootServiceForTest(createInferenceService({ grpcPort: 0 }), {
    env: {
      QUANT_BUS: 'kafka',
      QUANT_KAFKA_BROKERS: brokers,
      QUANT_KAFKA_TOPIC_PREFIX: prefix,
      QUANT_KAFKA_CLIENT_ID: `it-inference-${run}`,
      QUANT_CONSUMER_GROUP: `it.inference.${run}`,
      QUANT_STORE: clickhouse,
      QUANT_STORE_DATABASE: database,
      QUANT_INFERENCE_WORKERS: '1',
      QUANT_INFERENCE_TOP_K: '5',
      QUANT_INFERENCE_N_DROP: '2',
    },
  });
  const predictionSerde = serdeFor(Topics.prediction);
  const listSerde = serdeFor(Topics.recommendation);
  await harness.service.bus.subscribe({
    groupId: `it.observer.${run}`,
    topics: [Topics.prediction.name, Topics.recommendation.name],
    fromBeginning: true,
    handler: async (messages) => {
      for (const m of messages) {
        eventIdHeaders.push(String(m.headers[HEADER.eventId] ?? ''));
        if (m.topic.endsWith(Topics.prediction.name)) predictions.push(predictionSerde.decode(m.value));
        else lists.push(listSerde.decode(m.value));
      }
    },
  });
});

afterAll(async () => {
  const child = features;
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      setTimeout(resolve, 15_000).unref();
    });
    child.kill('SIGTERM');
    await exited;
  }
  await harness?.close();
  if (store) {
    await store.command(`DROP DATABASE IF EXISTS ${database}`);
    await store.close();
  }
});

describe('bars in -> features -> predictions and a recommendation list on Kafka', () => {
  it('serves the production model on the broker and the server', async () => {
    expect(harness.service.bus.kind).toBe('kafka');
    expect((await harness.service.store.info()).kind).toBe('server');
    expect(harness.service.app.get(InferenceRuntime).engine.serving).toBe('gbdt-alpha158-it@1');
  });

  it('publishes one Prediction per instrument and the day\'s list after the day\'s bars arrive', async () => {
    await harness.service.publisher.publish(Topics.dailyBar, CODES.map(barEvent));
    await waitUntil(() => predictions.length >= CODES.length && lists.length >= 1, 'predictions and a recommendation list on Kafka', 100_000);
    expect(new Set(predictions.map((p) => p.code))).toEqual(new Set(CODES));
    for (const p of predictions) {
      expect(p).toMatchObject({ date: DAY, horizonDays: 1, modelName: 'gbdt-alpha158-it', modelVersion: '1', featureSet: 'alpha158', featureSetVersion: alpha158.version, universe: null });
      expect(Number.isFinite(p.score)).toBe(true);
    }
    expect(predictions.map((p) => p.rank).sort((a, b) => (a as number) - (b as number))[0]).toBe(1);
    const [list] = lists;
    expect(list).toMatchObject({ date: DAY, tradeDate: calendar[T + 1], strategy: 'topk-dropout', modelName: 'gbdt-alpha158-it', modelVersion: '1' });
    const buys = list?.items.filter((i) => i.action === 'BUY') ?? [];
    expect(buys).toHaveLength(5);
    // The top 5 of 20 are in the upper bin of the model's calibration.
    expect(buys.every((i) => i.tradable && Math.abs(i.targetWeight - 0.2) < 1e-12 && i.expectedReturn === 0.003)).toBe(true);
    // The outlook and tradability arrive as fields of the event (RecommendationList r2), the note keeps a readable summary.
    for (const b of buys) {
      expect(b).toMatchObject({ probabilityBeatBenchmark: 0.58, expectedExcessReturn: 0.002, flags: [], exclusionReason: null });
      expect(b.percentile).toBeGreaterThanOrEqual(0.8);
      expect(b.volatility20d).toBeGreaterThan(0);
      expect(b.note).toContain('P(beat benchmark)=0.580');
    }
    expect(list?.excluded).toEqual([]);
    expect(predictions.filter((p) => (p.rank as number) <= 10).every((p) => p.expectedReturn === 0.003)).toBe(true);
    expect(eventIdHeaders.filter((h) => h.startsWith('pred:gbdt-alpha158-it@1:'))).toHaveLength(CODES.length);
  });
});
