import type { EventTally } from './event.tally';
import type { EventHandler } from './handler.registry';
import type { JsonLogger, LogFields } from './json.logger';

/**
 * The honest stand-in for a handler whose domain logic a later issue brings: it records the
 * delivery in the tally, logs new events at debug and redeliveries at info, and does nothing else.
 */
export function countingHandler<T extends { eventId: string }>(
  tally: EventTally,
  log: JsonLogger,
  summary: (event: T) => LogFields = () => ({}),
): EventHandler<T> {
  return async (event, context) => {
    const fields = { topic: context.topic, eventId: event.eventId, partition: context.partition, offset: context.offset };
    if (tally.record(context.topic, event.eventId)) {
      log.debug('event received (placeholder handler: counted, not processed)', { ...fields, ...summary(event) });
    } else {
      log.info('duplicate delivery ignored', fields);
    }
  };
}
