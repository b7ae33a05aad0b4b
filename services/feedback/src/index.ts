export { FeedbackModule, feedbackService } from './feedback.module';
export { FeedbackEventsHandler } from './feedback-events.handler';
