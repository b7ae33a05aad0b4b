import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { HandlerRegistry, JsonLogger } from '@quant/runtime';
import { EventTally, HANDLER_REGISTRY, RUNTIME_LOGGER, countingHandler } from '@quant/runtime';

/**
 * Placeholder handlers for the topics the features service must consume. They count deliveries and
 * drop redeliveries by eventId; computing features from bars arrives with a later issue.
 */
@Injectable()
export class FeaturesEventsHandler {
  readonly tally = new EventTally();

  constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry, @Inject(RUNTIME_LOGGER) logger: JsonLogger) {
    const log = logger.child(FeaturesEventsHandler.name);
    registry.handle(Topics.dailyBar, countingHandler(this.tally, log));
  }
}
