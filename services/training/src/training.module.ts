import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import type { TrainingEnv } from './training.config';
import { trainingEnv } from './training.config';
import type { TrainingDeps } from './training-events.handler';
import { TRAINING_DEPS, TrainingEventsHandler } from './training-events.handler';

@Module({})
export class TrainingModule {
  static forRoot(deps: TrainingDeps = {}): DynamicModule {
    return {
      module: TrainingModule,
      providers: [{ provide: TRAINING_DEPS, useValue: deps }, TrainingEventsHandler],
      exports: [TrainingEventsHandler],
    };
  }
}

/** The training service; tests pass stand-in feature sets and model kinds. */
export function createTrainingService(deps: TrainingDeps = {}): ServiceDefinition<TrainingEnv> {
  return {
    name: 'training',
    module: TrainingModule.forRoot(deps),
    defaultHttpPort: 3103,
    consumes: [Topics.retrainTrigger],
    // Alerts carry failed trainings (ModelLifecycle has no failure stage).
    publishes: [Topics.modelLifecycle, Topics.alert],
    env: trainingEnv,
  };
}

export const trainingService = createTrainingService();
