import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Topics } from '@quant/contracts';
import type { ServiceDefinition } from '@quant/runtime';
import type { InferenceEnv } from './inference.config';
import { inferenceEnv } from './inference.config';
import { InferenceController } from './inference.controller';
import { InferenceEventsHandler } from './inference-events.handler';
import type { InferenceServiceOptions } from './inference.runtime';
import { INFERENCE_OPTIONS, InferenceRuntime } from './inference.runtime';

@Module({})
export class InferenceModule {
  static forRoot(options: InferenceServiceOptions = {}): DynamicModule {
    return {
      module: InferenceModule,
      controllers: [InferenceController],
      providers: [{ provide: INFERENCE_OPTIONS, useValue: options }, InferenceRuntime, InferenceEventsHandler],
      exports: [InferenceRuntime, InferenceEventsHandler],
    };
  }
}

export function createInferenceService(options: InferenceServiceOptions = {}): ServiceDefinition<InferenceEnv> {
  return {
    name: 'inference',
    module: InferenceModule.forRoot(options),
    defaultHttpPort: 3104,
    consumes: [Topics.featuresReady, Topics.modelLifecycle],
    publishes: [Topics.prediction, Topics.recommendation],
    env: inferenceEnv,
  };
}

export const inferenceService = createInferenceService();
