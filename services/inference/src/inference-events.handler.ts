import { Inject, Injectable } from '@nestjs/common';
import type { FeaturesReady, ModelLifecycle } from '@quant/contracts';
import { Topics } from '@quant/contracts';
import { QuantError, describeError } from '@quant/errors';
import type { EventContext, EventPublisher, HandlerRegistry, JsonLogger, ServiceConfig } from '@quant/runtime';
import { EVENT_PUBLISHER, EventTally, HANDLER_REGISTRY, RUNTIME_CONFIG, RUNTIME_LOGGER } from '@quant/runtime';
import type { InferenceEnv } from './inference.config';
import { predictionEvents, recommendationList } from './inference.mapping';
import { InferenceRuntime } from './inference.runtime';

/** Codes that mean "nothing to do for this event" rather than a failure to retry. */
const NOT_FOR_US = new Set(['INFERENCE_NO_MODEL', 'INFERENCE_NO_FEATURES']);

/**
 * Batch inference on the bus. A features-ready event for a set the served models read makes the
 * service forget what it had computed for that day, score the day's universe and publish one
 * Prediction per instrument and the day's recommendation list (the configured strategy, an empty
 * book). A ModelLifecycle event reloads the production set. Redeliveries are dropped by eventId;
 * published events carry the consumer span's trace context (the bus adds it to the headers), and
 * their ids are derived from the model version, day and row count of the event, so a replay publishes
 * the same ids and a republished day (more rows) new ones.
 */
@Injectable()
export class InferenceEventsHandler {
  readonly tally = new EventTally();
  private readonly log: JsonLogger;

  constructor(
    @Inject(HANDLER_REGISTRY) registry: HandlerRegistry,
    @Inject(RUNTIME_LOGGER) logger: JsonLogger,
    @Inject(RUNTIME_CONFIG) private readonly config: ServiceConfig<InferenceEnv>,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(InferenceRuntime) private readonly runtime: InferenceRuntime,
  ) {
    this.log = logger.child(InferenceEventsHandler.name);
    registry.handle(Topics.featuresReady, (event, context) => this.onFeaturesReady(event, context));
    registry.handle(Topics.modelLifecycle, (event, context) => this.onModelLifecycle(event, context));
  }

  private async onFeaturesReady(event: FeaturesReady, context: EventContext): Promise<void> {
    if (!this.tally.record(context.topic, event.eventId)) {
      this.log.info('duplicate delivery ignored', { topic: context.topic, eventId: event.eventId });
      return;
    }
    const { engine, features } = this.runtime;
    const served = engine.describe();
    const reads = (served?.featureSet ?? '').split(/[,+]/);
    if (served === null || !reads.includes(event.featureSet)) {
      this.log.debug('features-ready for a set no served model reads', { featureSet: event.featureSet, serving: engine.serving });
      return;
    }
    engine.invalidate(event.date);
    features.refresh();
    const extra = this.config.extra;
    const universe = extra.QUANT_INFERENCE_UNIVERSE;
    try {
      const requestId = `features-ready:${event.eventId}`;
      const predicted = await engine.predict({ requestId, date: event.date, ...(universe ? { universe } : {}) });
      await this.publisher.publish(Topics.prediction, predictionEvents(predicted, Date.now(), event.instrumentCount));
      const list = await engine.recommend({ requestId, date: event.date, strategy: extra.QUANT_INFERENCE_STRATEGY, topK: extra.QUANT_INFERENCE_TOP_K, nDrop: extra.QUANT_INFERENCE_N_DROP, ...(universe ? { universe } : {}) });
      await this.publisher.publish(Topics.recommendation, [recommendationList(list, `rec:${list.listId}:${event.instrumentCount}`)]);
      this.log.info('day scored and published', { date: event.date, model: `${predicted.model.name}@${predicted.model.version}`, predictions: predicted.predictions.length, listItems: list.items.length });
    } catch (error) {
      const { code, message } = describeError(error);
      if (error instanceof QuantError && NOT_FOR_US.has(code)) {
        this.log.warn('features-ready not scored', { date: event.date, code, message });
        return;
      }
      throw error;
    }
  }

  private async onModelLifecycle(event: ModelLifecycle, context: EventContext): Promise<void> {
    if (!this.tally.record(context.topic, event.eventId)) return;
    // Any stage change can change the production set (a promotion archives the previous version).
    await this.runtime.reload(`lifecycle ${event.modelName}@${event.modelVersion} -> ${event.stage}`);
  }
}
