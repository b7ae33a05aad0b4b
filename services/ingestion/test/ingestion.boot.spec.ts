import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '@quant/bus';
import type { DailyBar } from '@quant/contracts';
import { Topics, eventExamples, serdeFor } from '@quant/contracts';
import type { TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';
import { DailyBarPublisher } from '../src/daily-bar.publisher';
import { ingestionService } from '../src/ingestion.module';

// Ingestion consumes nothing yet; what it must do is publish bars others can decode.
describe('ingestion service', () => {
  let harness: TestService;

  beforeAll(async () => {
    harness = await bootServiceForTest(ingestionService);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers GET /health with 200 and the bus and store up', async () => {
    const response = await fetch(`${harness.service.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      service: 'ingestion',
      checks: { bus: { status: 'up' }, store: { status: 'up' } },
    });
  });

  it('subscribes to nothing', () => {
    expect(harness.service.registry.topicNames()).toEqual([]);
  });

  it('publishes daily bars as Avro keyed by instrument code, with the event id header', async () => {
    const received: BusMessage[] = [];
    const subscription = await harness.service.bus.subscribe({
      groupId: 'test.ingestion-reader',
      topics: [Topics.dailyBar.name],
      handler: async (messages) => {
        received.push(...messages);
      },
    });
    const bar: DailyBar = eventExamples().dailyBar;
    await harness.service.app.get(DailyBarPublisher).publish([bar]);
    await waitUntil(() => received.length === 1, 'the bar reached a reader');
    await subscription.stop();
    const [message] = received;
    expect(message?.key).toBe(bar.code);
    expect(message?.headers['quant-event-id']).toBe(bar.eventId);
    expect(serdeFor(Topics.dailyBar).decode(message!.value)).toEqual(bar);
  });

  it('shuts down gracefully', async () => {
    const report = await harness.close();
    expect(report.ok).toBe(true);
    // Nothing to stop consuming: the step is skipped.
    expect(report.steps.map((s) => s.step)).toEqual(['close app', 'close bus', 'close store', 'shut down telemetry']);
  });
});
