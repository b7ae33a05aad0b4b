import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { HandlerRegistry, JsonLogger } from '@quant/runtime';
import { EventTally, HANDLER_REGISTRY, RUNTIME_LOGGER, countingHandler } from '@quant/runtime';

/**
 * Placeholder handlers for the topics the training service must consume. They count deliveries and
 * drop redeliveries by eventId; training and exporting models arrives with a later issue.
 */
@Injectable()
export class TrainingEventsHandler {
  readonly tally = new EventTally();

  constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry, @Inject(RUNTIME_LOGGER) logger: JsonLogger) {
    const log = logger.child(TrainingEventsHandler.name);
    registry.handle(Topics.retrainTrigger, countingHandler(this.tally, log));
  }
}
