// The service on the in-process bus and chdb: a registered production model answers gRPC and HTTP,
// a lifecycle event swaps in a new version under load, features-ready publishes predictions and a list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { HEADER } from '@quant/bus';
import type { Prediction, RecommendationList } from '@quant/contracts';
import { Topics, eventExamples, serdeFor } from '@quant/contracts';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import type { InferenceEnv } from '../src/inference.config';
import type { InferenceClient } from '../src/inference.grpc';
import { createInferenceClient } from '../src/inference.grpc';
import { createInferenceService } from '../src/inference.module';
import { InferenceRuntime } from '../src/inference.runtime';
import { codes, registerModel, seedFeatures, seedMarket, weekdays } from './inference-service.fixtures';

const calendar = weekdays(40);
const CODES = codes(30);
const DAY = calendar[30] as string;
let harness: TestService<InferenceEnv>;
let client: InferenceClient;
let artefactDir: string;
const predictions: Prediction[] = [];
const lists: RecommendationList[] = [];
const traceparents: string[] = [];

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${harness.service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  // With no SDK the OpenTelemetry API is a no-op: register what a service's SDK would.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  harness = await bootServiceForTest(createInferenceService({ grpcPort: 0 }), { env: { QUANT_INFERENCE_WORKERS: '1', QUANT_INFERENCE_POLL_MS: '0', QUANT_INFERENCE_TOP_K: '5', QUANT_INFERENCE_N_DROP: '2' } });
  const { store, bus } = harness.service;
  await seedMarket(store, calendar, CODES, 31);
  await seedFeatures(store, 'stand-in', 'v1', CODES, [29, 30], calendar);
  ({ artefactDir } = await registerModel(store, { name: 'gbdt-test', set: 'stand-in', version: 'v1' }));
  const runtime = harness.service.app.get(InferenceRuntime);
  client = createInferenceClient(`127.0.0.1:${runtime.grpcPort}`);
  const predictionSerde = serdeFor(Topics.prediction);
  const listSerde = serdeFor(Topics.recommendation);
  await bus.subscribe({
    groupId: 'test.inference-out',
    topics: [Topics.prediction.name, Topics.recommendation.name],
    fromBeginning: true,
    handler: async (messages) => {
      for (const m of messages) {
        traceparents.push(String(m.headers[HEADER.traceparent] ?? ''));
        if (m.topic === Topics.prediction.name) predictions.push(predictionSerde.decode(m.value));
        else lists.push(listSerde.decode(m.value));
      }
    },
  });
});

afterAll(async () => {
  client?.close();
  await harness?.close();
  propagation.disable();
  context.disable();
  trace.disable();
});

describe('inference service', () => {
  it('loads a model promoted after boot when a ModelLifecycle event says so', async () => {
    const runtime = harness.service.app.get(InferenceRuntime);
    expect(runtime.engine.serving).toBeNull();
    await harness.service.publisher.publish(Topics.modelLifecycle, [{ ...eventExamples().modelLifecycle, eventId: 'lifecycle:gbdt-test@1', modelName: 'gbdt-test', modelVersion: '1' }]);
    await waitUntil(() => runtime.engine.serving === 'gbdt-test@1', 'the promoted model is served');
  });

  it('answers gRPC Predict for codes on a day, with the skipped ones and their reason', async () => {
    const response = await client.predict({ requestId: 'r-1', date: DAY, codes: ['SH600003', 'SZ000001'] });
    expect(response).toMatchObject({ requestId: 'r-1', date: DAY, model: { modelName: 'gbdt-test', modelVersion: '1' }, universeSize: 30, horizonDays: 1 });
    const [p] = response['predictions'] as Prediction[];
    expect(p).toMatchObject({ code: 'SH600003', date: DAY, horizonDays: 1, modelName: 'gbdt-test', modelVersion: '1', featureSet: 'stand-in', featureSetVersion: 'v1', requestId: 'r-1' });
    expect(p?.rank).toBeGreaterThanOrEqual(1);
    expect(response['skipped']).toEqual([{ code: 'SZ000001', reason: `no stored features on ${DAY} within the listed instruments` }]);
    // The model has no calibration: the outlook has the percentile and no invented probability.
    const [outlook] = response['outlooks'] as Array<Record<string, unknown>>;
    expect(outlook?.['code']).toBe('SH600003');
    expect(outlook?.['percentile']).toBeCloseTo((30 - (p?.rank as number) + 1) / 30, 12);
    expect(outlook?.['probabilityBeatBenchmark']).toBeUndefined();
  });

  it('answers the same over HTTP/JSON', async () => {
    const grpcAnswer = await client.predict({ date: DAY, codes: ['SH600003'] });
    const http = await post('/v1/predict', { date: DAY, codes: ['SH600003'] });
    expect(http.status).toBe(200);
    expect((http.body['predictions'] as Prediction[])[0]?.score).toBeCloseTo((grpcAnswer['predictions'] as Prediction[])[0]?.score as number, 6);
    expect((await fetch(`${harness.service.url}/v1/models`).then((r) => r.json())) as unknown).toMatchObject({ serving: 'gbdt-test@1' });
  });

  it('recommends top-K for T+1 over gRPC and HTTP, with the outlook and tradability as fields', async () => {
    const rpc = await client.recommend({ date: DAY, topK: 5, strategy: 'topk', holdings: [{ code: 'SH600000', shares: 100, openedOn: calendar[31] as string }] });
    expect(rpc).toMatchObject({ date: DAY, tradeDate: calendar[31], strategy: 'topk', modelName: 'gbdt-test', modelVersion: '1', excluded: [] });
    const items = rpc['items'] as Array<Record<string, unknown> & { code: string; action: string }>;
    expect(items.every((i) => i.action.startsWith('RECOMMENDATION_ACTION_'))).toBe(true);
    // Opened on T+1 itself: whatever its rank, it is held (it cannot be sold that day).
    expect(items.find((i) => i.code === 'SH600000')?.action).toBe('RECOMMENDATION_ACTION_HOLD');
    // With one slot it falls out of the list, yet cannot be sold: untradable, and the reason is a field.
    const one = await client.recommend({ date: DAY, topK: 1, strategy: 'topk', holdings: [{ code: 'SH600000', shares: 100, openedOn: calendar[31] as string }] });
    const stuck = (one['items'] as Array<Record<string, unknown>>).find((i) => i['code'] === 'SH600000');
    expect(stuck).toMatchObject({ action: 'RECOMMENDATION_ACTION_HOLD', tradable: false, exclusionReason: `to sell, but opened on ${calendar[31]}: cannot be sold on ${calendar[31]} (T+1)` });
    const buy = items.find((i) => i.action === 'RECOMMENDATION_ACTION_BUY');
    // No calibration: percentile and volatility as fields, no invented probability (absent, proto3 optional).
    expect(buy).toMatchObject({ tradable: true, flags: [] });
    expect(buy?.['percentile']).toBeGreaterThan(0.8);
    expect(buy?.['volatility20d']).toBeGreaterThan(0);
    expect(buy?.['probabilityBeatBenchmark']).toBeUndefined();
    expect(buy?.['exclusionReason']).toBeUndefined();

    const http = await post('/v1/recommend', { date: DAY, topK: 5, strategy: 'topk' });
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({ excluded: [], topK: 5 });
    const first = (http.body['items'] as Array<Record<string, unknown>>)[0];
    expect(first).toMatchObject({ action: 'RECOMMENDATION_ACTION_BUY', tradable: true, flags: [], probabilityBeatBenchmark: null, exclusionReason: null });
    expect(first?.['volatility20d']).toBeGreaterThan(0);
  });

  it('maps bad input to INVALID_ARGUMENT / 400 and an unknown model to NOT_FOUND / 404', async () => {
    await expect(client.predict({ date: '02/01/2024' })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(client.predict({ date: DAY, horizonDays: 5 })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(client.predict({ model: { modelName: 'nope' } })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    expect((await post('/v1/recommend', { strategy: 'momentum' })).status).toBe(400);
    expect((await post('/v1/predict', { model: { modelName: 'gbdt-test', modelVersion: '7' } })).body).toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('swaps to a newly promoted version under load without a failed call', async () => {
    const runtime = harness.service.app.get(InferenceRuntime);
    const seen = new Set<string>();
    const failures: unknown[] = [];
    let stop = false;
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await client.predict({ date: DAY, codes: ['SH600001'] });
          seen.add((r['model'] as { modelVersion: string }).modelVersion);
        } catch (error) {
          failures.push(error);
        }
      }
    });
    await registerModel(harness.service.store, { name: 'gbdt-test', set: 'stand-in', version: 'v1', rounds: 5, artefactDir });
    await harness.service.publisher.publish(Topics.modelLifecycle, [{ ...eventExamples().modelLifecycle, eventId: 'lifecycle:gbdt-test@2', modelName: 'gbdt-test', modelVersion: '2' }]);
    await waitUntil(() => runtime.engine.serving === 'gbdt-test@2', 'version 2 is served', 10_000);
    await waitUntil(() => seen.has('2'), 'a call answered by version 2', 10_000);
    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect([...seen].sort()).toEqual(['1', '2']);
  });

  it('publishes a Prediction per instrument and the list when features are ready, once per event', async () => {
    const ready = { ...eventExamples().featuresReady, eventId: `features-ready:stand-in:v1:${DAY}:30`, featureSet: 'stand-in', featureSetVersion: 'v1', date: DAY, instrumentCount: 30 };
    await harness.service.publisher.publish(Topics.featuresReady, [ready, ready]);
    await waitUntil(() => lists.length >= 1 && predictions.length >= 30, 'predictions and a list on the bus');
    expect(predictions).toHaveLength(30);
    expect(new Set(predictions.map((p) => p.code)).size).toBe(30);
    expect(predictions.every((p) => p.date === DAY && p.modelVersion === '2' && p.rank !== null && p.probabilityUp === null)).toBe(true);
    expect(predictions.find((p) => p.code === 'SH600001')?.eventId).toBe(`pred:gbdt-test@2:SH600001:${DAY}:h1:n30`);
    const [list] = lists;
    expect(list).toMatchObject({ date: DAY, tradeDate: calendar[31], strategy: 'topk-dropout', modelName: 'gbdt-test', modelVersion: '2' });
    expect(list?.items.filter((i) => i.action === 'BUY')).toHaveLength(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lists).toHaveLength(1);
  });
});
