// The behaviour every service shares, written once and applied to each (one contract, many
// implementations): it boots on the in-process bus and a chdb store in a temp dir, answers /health,
// hands each required topic's event to its handler once (a redelivery is counted, not applied twice),
// and shuts down in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicKey } from '@quant/contracts';
import { Topics, eventExamples } from '@quant/contracts';
import type { EventTally, ServiceDefinition, TestService } from '@quant/runtime';
import { bootServiceForTest, waitUntil } from '@quant/runtime';

export interface ServiceContractOptions {
  /** The provider whose tally counts what the placeholder handlers received. */
  handler: abstract new (...args: never[]) => { readonly tally: EventTally };
  /** Topics (by registry key) the service must handle. */
  topics: readonly TopicKey[];
}

export function describeServiceContract(definition: ServiceDefinition, options: ServiceContractOptions): void {
  describe(`${definition.name} service`, () => {
    let harness: TestService;

    beforeAll(async () => {
      harness = await bootServiceForTest(definition);
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('answers GET /health with 200 and the bus and store up', async () => {
      const response = await fetch(`${harness.service.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        service: definition.name,
        checks: { bus: { status: 'up' }, store: { status: 'up' } },
      });
    });

    it('subscribes to exactly the topics it must handle', () => {
      expect([...harness.service.registry.topicNames()].sort()).toEqual(options.topics.map((k) => Topics[k].name).sort());
    });

    it.each(options.topics)('hands a published %s event to its handler once, ignoring a redelivery', async (key) => {
      const topic = Topics[key];
      const handler = harness.service.app.get(options.handler);
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
}
