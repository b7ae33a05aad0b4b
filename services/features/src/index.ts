export { FeaturesModule, featuresService } from './features.module';
export { FeaturesEventsHandler } from './features-events.handler';
