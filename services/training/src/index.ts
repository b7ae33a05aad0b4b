export { TrainingModule, trainingService } from './training.module';
export { TrainingEventsHandler } from './training-events.handler';
