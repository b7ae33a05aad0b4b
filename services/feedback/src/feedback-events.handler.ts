import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { HandlerRegistry, JsonLogger } from '@quant/runtime';
import { EventTally, HANDLER_REGISTRY, RUNTIME_LOGGER, countingHandler } from '@quant/runtime';

/**
 * Placeholder handlers for the topics the feedback service must consume. They count deliveries and
 * drop redeliveries by eventId; joining feedback and outcomes to predictions arrives with a later issue.
 */
@Injectable()
export class FeedbackEventsHandler {
  readonly tally = new EventTally();

  constructor(@Inject(HANDLER_REGISTRY) registry: HandlerRegistry, @Inject(RUNTIME_LOGGER) logger: JsonLogger) {
    const log = logger.child(FeedbackEventsHandler.name);
    registry.handle(Topics.feedback, countingHandler(this.tally, log));
    registry.handle(Topics.outcome, countingHandler(this.tally, log));
  }
}
