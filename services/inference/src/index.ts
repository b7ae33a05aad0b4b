export { InferenceModule, createInferenceService, inferenceService } from './inference.module';
export { InferenceEventsHandler } from './inference-events.handler';
export { INFERENCE_OPTIONS, InferenceRuntime } from './inference.runtime';
export type { InferenceServiceOptions } from './inference.runtime';
export { inferenceEnv } from './inference.config';
export type { InferenceEnv } from './inference.config';
export { createInferenceClient, grpcStatusOf, inferenceGrpcDefinition, startInferenceGrpcServer } from './inference.grpc';
export type { GrpcServerOptions, InferenceClient, RunningGrpcServer } from './inference.grpc';
export { registryModelSource, storeFeatureReader, storeMarketReader } from './store.adapters';
