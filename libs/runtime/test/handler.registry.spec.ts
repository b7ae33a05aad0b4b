import { describe, expect, it } from 'vitest';
import type { BusMessage } from '@quant/bus';
import { Topics, eventExamples, serdeFor } from '@quant/contracts';
import { HandlerRegistry } from '../src/handler.registry';

function message(topic: string, value: Buffer, offset = '0'): BusMessage {
  return { topic, partition: 0, offset, key: null, value, headers: {}, timestamp: 0 };
}

describe('HandlerRegistry', () => {
  const signal = new AbortController().signal;

  it('decodes each message and hands it to its topic handler with the delivery context, in order', async () => {
    const registry = new HandlerRegistry('probe');
    const seen: Array<[string, string, string]> = [];
    registry.handle(Topics.alert, async (alert, context) => void seen.push([alert.eventId, context.topic, context.offset]));
    const serde = serdeFor(Topics.alert);
    const first = eventExamples().alert;
    const second = { ...first, eventId: 'alert-2' };
    await registry.dispatch([message(Topics.alert.name, serde.encode(first), '7'), message(Topics.alert.name, serde.encode(second), '8')], { signal });
    expect(seen).toEqual([
      [first.eventId, Topics.alert.name, '7'],
      ['alert-2', Topics.alert.name, '8'],
    ]);
  });

  it('fails a message it cannot decode or has no handler for, with codes the bus dead-letters by', async () => {
    const registry = new HandlerRegistry('probe');
    registry.handle(Topics.alert, async () => undefined);
    await expect(registry.dispatch([message(Topics.alert.name, Buffer.from('junk'))], { signal })).rejects.toMatchObject({
      code: 'EVENT_DECODE_FAILED',
      retriable: false,
    });
    await expect(registry.dispatch([message('quant.other.v1', Buffer.alloc(0))], { signal })).rejects.toMatchObject({ code: 'NO_HANDLER' });
  });

  it('names every missing required topic, then refuses late registrations', () => {
    const registry = new HandlerRegistry('monitoring');
    registry.handle(Topics.alert, async () => undefined);
    expect(() => registry.assertHandles([Topics.alert, Topics.prediction, Topics.modelLifecycle])).toThrow(
      `service monitoring must handle topic(s) ${Topics.prediction.name}, ${Topics.modelLifecycle.name} but no handler is registered for them`,
    );
    registry.assertHandles([Topics.alert]);
    expect(() => registry.handle(Topics.prediction, async () => undefined)).toThrow(expect.objectContaining({ code: 'HANDLER_REGISTERED_TOO_LATE' }));
  });
});
