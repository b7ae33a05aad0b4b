import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { HandlerRegistry, JsonLogger } from '@quant/runtime';
import { EventTally, HANDLER_REGISTRY, RUNTIME_LOGGER, countingHandler } from '@quant/runtime';

/**
 * Placeholder handlers for the topics the monitoring service must consume. They count deliveries and
 * drop redeliveries by eventId; drift, quality and lifecycle monitoring arrives with a later issue.
 */
@Injectable()
export class MonitoringEventsHandler {
  readonly tally = new EventTally();

  constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry, @Inject(RUNTIME_LOGGER) logger: JsonLogger) {
    const log = logger.child(MonitoringEventsHandler.name);
    registry.handle(Topics.prediction, countingHandler(this.tally, log));
    registry.handle(Topics.alert, countingHandler(this.tally, log));
    registry.handle(Topics.modelLifecycle, countingHandler(this.tally, log));
  }
}
