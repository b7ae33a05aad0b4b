// The model contract applied to the tree models, as to every other model.
import { GbdtModel, RandomForestModel } from '../../src/gbdt';
import { describeModelContract, syntheticData } from '../model-contract';

const small = { numIterations: 30, numLeaves: 15, minDataInLeaf: 10, learningRate: 0.1 };

describeModelContract('gbdt regression', () => new GbdtModel({ ...small, objective: 'regression' }), (seed) => syntheticData({ seed, objective: 'regression' }));

describeModelContract('gbdt binary', () => new GbdtModel({ ...small, objective: 'binary' }), (seed) => syntheticData({ seed, objective: 'binary' }));

describeModelContract('gbdt lambdarank', () => new GbdtModel({ ...small, objective: 'lambdarank' }), (seed) => syntheticData({ seed, objective: 'lambdarank' }));

describeModelContract(
  'random forest',
  () => new RandomForestModel({ numIterations: 20, numLeaves: 15, minDataInLeaf: 10, baggingFraction: 0.8, baggingFreq: 1, featureFraction: 0.8 }),
  (seed) => syntheticData({ seed, objective: 'regression' }),
);
