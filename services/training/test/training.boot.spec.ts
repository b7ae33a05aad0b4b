// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract.
import { describeServiceContract } from '@quant/testing';
import { TrainingEventsHandler } from '../src/training-events.handler';
import { trainingService } from '../src/training.module';

describeServiceContract(trainingService, { handler: TrainingEventsHandler, topics: ['retrainTrigger'] });
