// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract.
import { describeServiceContract } from '@quant/testing';
import { InferenceEventsHandler } from '../src/inference-events.handler';
import { createInferenceService } from '../src/inference.module';

describeServiceContract(createInferenceService({ grpcPort: 0 }), { handler: InferenceEventsHandler, topics: ['featuresReady', 'modelLifecycle'] });
