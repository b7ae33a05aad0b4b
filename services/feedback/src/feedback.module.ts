import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import { FeedbackEventsHandler } from './feedback-events.handler';

@Module({ providers: [FeedbackEventsHandler], exports: [FeedbackEventsHandler] })
export class FeedbackModule {}

export const feedbackService: ServiceDefinition = {
  name: 'feedback',
  module: FeedbackModule,
  defaultHttpPort: 3105,
  consumes: [Topics.feedback, Topics.outcome],
  publishes: [Topics.retrainTrigger],
};
