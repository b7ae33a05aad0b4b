import { LinearModel } from '../../src/linear';
import { describeModelContract, syntheticData } from '../model-contract';

describeModelContract('logistic-regression', () => new LinearModel('logistic-regression'), (seed) => syntheticData({ seed, objective: 'binary' }));

describeModelContract('ridge', () => new LinearModel('ridge', { l2: 0.01 }), (seed) => syntheticData({ seed, objective: 'regression' }));

describeModelContract('linear-svm', () => new LinearModel('linear-svm'), (seed) => syntheticData({ seed, objective: 'binary' }));

describeModelContract(
  'linear-svm with an RBF kernel through random Fourier features',
  () => new LinearModel('linear-svm', { kernel: 'rbf', components: 128, gamma: 0.2 }),
  (seed) => syntheticData({ seed, objective: 'binary' }),
);
