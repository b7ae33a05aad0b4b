// The training service end to end on the in-process bus and a chdb store seeded with a synthetic
// market: a retrain trigger trains through the store (bars -> features -> model), registers a
// candidate with its ONNX file and publishes its lifecycle; redeliveries do not train again; a trigger
// for a model no workflow defines raises an alert and dead-letters nothing.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, ModelLifecycle, RetrainTrigger } from '@quant/contracts';
import { Topics, serdeFor } from '@quant/contracts';
import { featureSet } from '@quant/features';
import { MarketDataRepository } from '@quant/market-data';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { ModelRegistry } from '@quant/training';
import { TrainingEventsHandler } from '../src/training-events.handler';
import { createTrainingService } from '../src/training.module';
import { seedSyntheticMarket, volumeSignalSet, workflowYaml } from './synthetic-market';

const MODEL = 'synthetic-ridge';

function trigger(eventId: string, modelName: string): RetrainTrigger {
  return {
    eventId,
    modelName,
    currentVersion: null,
    reason: 'MANUAL',
    detail: 'test request',
    metric: null,
    observedValue: null,
    threshold: null,
    newSampleCount: null,
    dataUntil: null,
    requestedBy: 'test',
    triggeredAt: Date.UTC(2021, 0, 4),
  };
}

describe('training service: retrain triggers to candidate models', () => {
  let dir: string;
  let harness: TestService;
  let handler: TrainingEventsHandler;
  const lifecycle: ModelLifecycle[] = [];
  const alerts: Alert[] = [];
  const deadLetters: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quant-training-svc-'));
    await mkdir(join(dir, 'workflows'));
    harness = await bootServiceForTest(
      createTrainingService({ featureSets: (name) => (name === volumeSignalSet.name ? volumeSignalSet : featureSet(name)) }),
      { env: { QUANT_TRAINING_WORKFLOWS_DIR: join(dir, 'workflows'), QUANT_MODEL_ARTEFACTS_DIR: join(dir, 'models') } },
    );
    handler = harness.service.app.get(TrainingEventsHandler);
    const { codes } = await seedSyntheticMarket(new MarketDataRepository(harness.service.store));
    // Named after the workflow, not the model: the model is found inside it (rule 2 of resolveWorkflow).
    await writeFile(join(dir, 'workflows', 'synthetic.yaml'), workflowYaml(codes, MODEL));
    const { bus } = harness.service;
    const lifecycleSerde = serdeFor(Topics.modelLifecycle);
    const alertSerde = serdeFor(Topics.alert);
    await bus.subscribe({
      groupId: 'test-observer',
      topics: [Topics.modelLifecycle.name, Topics.alert.name, Topics.deadLetter.name],
      handler: async (messages) => {
        for (const m of messages) {
          if (m.topic === Topics.modelLifecycle.name) lifecycle.push(lifecycleSerde.decode(m.value));
          else if (m.topic === Topics.alert.name) alerts.push(alertSerde.decode(m.value));
          else deadLetters.push(m.topic);
        }
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains, registers a candidate with its ONNX file, and publishes its lifecycle once despite a redelivery', async () => {
    const event = trigger('retrain:synthetic:1', MODEL);
    await harness.service.publisher.publish(Topics.retrainTrigger, [event, event]);
    await waitUntil(() => handler.tally.of(Topics.retrainTrigger.name).received === 2, 'both deliveries reached the handler', 30_000);
    await handler.idle();
    await waitUntil(() => lifecycle.length > 0, 'the lifecycle event arrived', 30_000);

    expect(handler.tally.of(Topics.retrainTrigger.name)).toEqual({ received: 2, distinct: 1, duplicates: 1 });
    expect(alerts).toEqual([]);
    expect(lifecycle).toHaveLength(1);
    const [event1] = lifecycle as [ModelLifecycle];
    expect(event1).toMatchObject({
      modelName: MODEL,
      modelVersion: '1',
      stage: 'CANDIDATE',
      previousStage: null,
      parentVersion: null,
      trainingRunId: 'train:retrain:synthetic:1',
      algorithm: 'ridge',
      featureSet: 'volume-signal',
      featureSetVersion: 'v1',
      validEnd: '2020-12-31',
      actor: 'training-service',
    });
    expect(event1.trainStart >= '2020-01-01' && event1.trainEnd <= '2020-08-31').toBe(true);
    // The planted signal is found: validation IC far above what noise gives on 8 instruments.
    expect(event1.metrics['ic']).toBeGreaterThan(0.5);

    const registry = new ModelRegistry(harness.service.store, join(dir, 'models'));
    const versions = await registry.list(MODEL);
    expect(versions.map((v) => [v.version, v.stage])).toEqual([[1, 'candidate']]);
    const onnx = await readFile(fileURLToPath(event1.artifactUri));
    expect(versions[0]?.onnxPath).toBe(fileURLToPath(event1.artifactUri));
    expect(createHash('sha256').update(onnx).digest('hex')).toBe(event1.artifactSha256);
    expect(event1.datasetHash).toBe(`sha256:${versions[0]?.dataHash}`);
    expect((await handler.jobs.get(event.eventId))?.state).toBe('done');
  });

  it('ignores the same trigger delivered again after its training finished', async () => {
    await harness.service.publisher.publish(Topics.retrainTrigger, [trigger('retrain:synthetic:1', MODEL)]);
    await waitUntil(() => handler.tally.of(Topics.retrainTrigger.name).received === 3, 'the redelivery reached the handler');
    await handler.idle();
    expect(lifecycle).toHaveLength(1);
    expect((await new ModelRegistry(harness.service.store, join(dir, 'models')).list(MODEL)).map((v) => v.version)).toEqual([1]);
  });

  it('a new trigger for the model trains version 2, descending from the version the trigger names', async () => {
    await harness.service.publisher.publish(Topics.retrainTrigger, [{ ...trigger('retrain:synthetic:2', MODEL), currentVersion: '1', reason: 'ACCURACY_DROP' }]);
    await waitUntil(() => lifecycle.length === 2, 'the second lifecycle event arrived', 30_000);
    expect(lifecycle[1]).toMatchObject({ modelVersion: '2', parentVersion: '1', stage: 'CANDIDATE', reason: expect.stringContaining('ACCURACY_DROP') });
    // Same data, same seed: the same model bytes.
    expect(lifecycle[1]?.artifactSha256).toBe(lifecycle[0]?.artifactSha256);
  });

  it('a trigger with dataUntil trains on windows rolled to end on that day', async () => {
    await harness.service.publisher.publish(Topics.retrainTrigger, [{ ...trigger('retrain:synthetic:3', MODEL), currentVersion: '2', reason: 'NEW_SAMPLES', newSampleCount: 40, dataUntil: '2020-11-30' }]);
    await waitUntil(() => lifecycle.length === 3, 'the third lifecycle event arrived', 30_000);
    // valid 2020-09-01..12-31 rolled back 31 days: 2020-08-01..11-30, train 2019-12-01..2020-07-31.
    expect(lifecycle[2]).toMatchObject({ modelVersion: '3', validEnd: '2020-11-30' });
    expect((lifecycle[2]!.validStart ?? '') >= '2020-08-01' && lifecycle[2]!.trainEnd <= '2020-07-31').toBe(true);
  });

  it('a trigger for a model no workflow defines raises an alert naming it and dead-letters nothing', async () => {
    const event = trigger('retrain:nobody:1', 'nobody-knows-me');
    await harness.service.publisher.publish(Topics.retrainTrigger, [event]);
    await waitUntil(() => alerts.length > 0, 'the failure alert arrived', 30_000);
    await handler.idle();
    expect(alerts[0]).toMatchObject({
      alertKey: 'training:nobody-knows-me',
      severity: 'CRITICAL',
      status: 'FIRING',
      source: 'training-service',
      labels: { model: 'nobody-knows-me', triggerId: event.eventId, code: 'WORKFLOW_NOT_FOUND' },
      message: expect.stringMatching(/WORKFLOW_NOT_FOUND: no workflow for model nobody-knows-me .*synthetic\.yaml/),
    });
    expect((await handler.jobs.get(event.eventId))?.state).toBe('failed');
    expect(lifecycle).toHaveLength(3);
    expect(deadLetters).toEqual([]);
  });
});
