export { TrainingModule, createTrainingService, trainingService } from './training.module';
export { TRAINING_DEPS, TrainingEventsHandler } from './training-events.handler';
export type { TrainingDeps } from './training-events.handler';
export { trainingEnv } from './training.config';
export type { TrainingEnv } from './training.config';
export { TRAINING_JOB_MIGRATIONS, TrainingJobRepository } from './training-jobs.repository';
export type { JobState, TrainingJob } from './training-jobs.repository';
export { resolveWorkflow } from './workflow-resolver';
export type { ResolvedWorkflow } from './workflow-resolver';
