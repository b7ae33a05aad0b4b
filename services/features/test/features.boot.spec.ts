// Boots the real app on the in-process bus and a chdb store in a temp dir; the shared service contract,
// with a stand-in feature set so the contract does not depend on the calculators.
import { describeServiceContract } from '@quant/testing';
import { FeaturesEventsHandler } from '../src/features-events.handler';
import { createFeaturesService } from '../src/features.module';
import { standInFeatureSet as standInSet } from '@quant/testing';

describeServiceContract(createFeaturesService({ resolveSet: () => standInSet }), { handler: FeaturesEventsHandler, topics: ['dailyBar'] });
