import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics, eventExamples } from '@quant/contracts';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { TrainingEventsHandler } from '../src/training-events.handler';
import { trainingService } from '../src/training.module';

// The training service on the real Kafka broker and ClickHouse server (see tools/test). A unique
// consumer group and event id keep parallel runs apart on the shared topic.
const brokers = process.env.QUANT_KAFKA_BROKERS ?? `127.0.0.1:${process.env.QUANT_KAFKA_PORT ?? '9092'}`;
const clickhouse = process.env.QUANT_CLICKHOUSE_URL ?? `http://127.0.0.1:${process.env.QUANT_CLICKHOUSE_HTTP_PORT ?? '8123'}`;
const run = randomUUID().slice(0, 8);

describe('training service on Kafka and a ClickHouse server', () => {
  let harness: TestService;

  beforeAll(async () => {
    harness = await bootServiceForTest(trainingService, {
      env: {
        QUANT_BUS: 'kafka',
        QUANT_KAFKA_BROKERS: brokers,
        QUANT_KAFKA_CLIENT_ID: `it-training-${run}`,
        QUANT_CONSUMER_GROUP: `it.training.${run}`,
        QUANT_STORE: clickhouse,
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('reports the broker and the server healthy', async () => {
    expect(harness.service.bus.kind).toBe('kafka');
    expect((await harness.service.store.info()).kind).toBe('server');
    const response = await fetch(`${harness.service.url}/health`);
    expect(await response.json()).toMatchObject({ status: 'ok', checks: { bus: { status: 'up' }, store: { status: 'up' } } });
    expect(response.status).toBe(200);
  });

  it('receives a retrain trigger published on the broker, end to end', async () => {
    const event = { ...eventExamples().retrainTrigger, eventId: `it-${run}` };
    await harness.service.publisher.publish(Topics.retrainTrigger, [event]);
    const handler = harness.service.app.get(TrainingEventsHandler);
    await waitUntil(() => handler.tally.seen(Topics.retrainTrigger.name, event.eventId), 'the trigger reached the handler', 60_000);
  });

  it('leaves the group and disconnects on shutdown', async () => {
    const report = await harness.close();
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
  });
});
