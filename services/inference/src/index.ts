export { InferenceModule, inferenceService } from './inference.module';
export { InferenceEventsHandler } from './inference-events.handler';
