// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract.
import { describeServiceContract } from '@quant/testing';
import { FeaturesEventsHandler } from '../src/features-events.handler';
import { featuresService } from '../src/features.module';

describeServiceContract(featuresService, { handler: FeaturesEventsHandler, topics: ['dailyBar'] });
