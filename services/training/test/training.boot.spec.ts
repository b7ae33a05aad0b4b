import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics, eventExamples } from '@quant/contracts';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { TrainingEventsHandler } from '../src/training-events.handler';
import { trainingService } from '../src/training.module';

// Boots the real app on the in-process bus and a chdb store in a temp dir.
describe('training service', () => {
  let harness: TestService;

  beforeAll(async () => {
    harness = await bootServiceForTest(trainingService);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers GET /health with 200 and the bus and store up', async () => {
    const response = await fetch(`${harness.service.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      service: 'training',
      checks: { bus: { status: 'up' }, store: { status: 'up' } },
    });
  });

  it.each(['retrainTrigger'] as const)('hands a published %s event to its handler once, ignoring a redelivery', async (key) => {
    const topic = Topics[key];
    const handler = harness.service.app.get(TrainingEventsHandler);
    const event = eventExamples()[key];
    await harness.service.publisher.publish(topic, [event, event]);
    await waitUntil(() => handler.tally.of(topic.name).received === 2, `both deliveries on ${topic.name} reached the handler`);
    expect(handler.tally.of(topic.name)).toEqual({ received: 2, distinct: 1, duplicates: 1 });
    expect(handler.tally.seen(topic.name, event.eventId)).toBe(true);
  });

  it('shuts down gracefully: stops consuming, closes app, bus, store, telemetry in that order', async () => {
    const { url } = harness.service;
    const report = await harness.close();
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.step)).toEqual(['stop consuming', 'close app', 'close bus', 'close store', 'shut down telemetry']);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
