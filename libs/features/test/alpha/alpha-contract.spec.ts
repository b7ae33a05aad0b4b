import { alpha158Calculator, alpha360Calculator } from '../../src';
import { describeCalculatorContract } from '../feature-contract';
import { syntheticSeries } from '../fixtures/synthetic-series';

describeCalculatorContract('alpha158', alpha158Calculator, () => syntheticSeries({ days: 300, seed: 11 }));
describeCalculatorContract('alpha158 without vwap', alpha158Calculator, () => syntheticSeries({ days: 200, seed: 5, vwap: false }));
describeCalculatorContract('alpha360', alpha360Calculator, () => syntheticSeries({ days: 200, seed: 3 }));
