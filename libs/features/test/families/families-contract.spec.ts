import { describe } from 'vitest';
import type { FeatureCalculator } from '../../src/feature.port';
import type { CodedFeatureCalculator } from '../../src/families';
import {
  marketBreadth,
  createFundamentalCalculator,
  createMarketCalculator,
  createSentimentCalculator,
  createTechnicalCalculator,
  createTemporalCalculator,
} from '../../src/families';
import { describeCalculatorContract } from '../feature-contract';
import { familyContract } from './family-contract';
import { slice, syntheticSeries } from './synthetic-series';

const suspended = [40, 41, 42, 200, 333];
const long = syntheticSeries({ n: 1100, seed: 11, suspended });
const short = syntheticSeries({ n: 560, seed: 5, suspended });

describe('technical calculator contract', () => {
  familyContract(createTechnicalCalculator(), long);
});
describe('fundamental calculator contract', () => {
  familyContract(createFundamentalCalculator(), short);
});
describe('market calculator contract', () => {
  familyContract(createMarketCalculator(), short);
});
describe('market calculator contract on a ChiNext stock', () => {
  familyContract(createMarketCalculator(), syntheticSeries({ n: 300, seed: 9, code: 'SZ300750', from: '2020-06-01' }));
});
describe('temporal calculator contract with the calendar', () => {
  familyContract(createTemporalCalculator({ calendar: long.dates }), long);
});
describe('temporal calculator contract without a calendar', () => {
  familyContract(createTemporalCalculator(), short);
});
describe('sentiment calculator contract', () => {
  familyContract(createSentimentCalculator(), short);
});

// The shared contract (helper A's), applied to each family calculator. Streams of the market family
// need the instrument's code for its board's price limits: the adapter gives it.
const withCode = (calc: CodedFeatureCalculator, code: string): FeatureCalculator => ({
  name: calc.name,
  definitions: calc.definitions,
  batch: (input) => calc.batch(input),
  stream: () => calc.stream(code),
});
describeCalculatorContract('technical', createTechnicalCalculator(), () => long);
describeCalculatorContract('fundamental', createFundamentalCalculator(), () => short);
describeCalculatorContract('market', withCode(createMarketCalculator(), short.code), () => short);
describeCalculatorContract('market with breadth inputs', withCode(createMarketCalculator(), short.code), () => {
  const peer = syntheticSeries({ n: 560, seed: 6, code: 'SZ000002' });
  const br = marketBreadth([short, peer]);
  return { ...short, fields: { ...short.fields, ...br.fields } };
});
describeCalculatorContract('temporal with calendar', createTemporalCalculator({ calendar: long.dates }), () => slice(long, 0, 700));
describeCalculatorContract('temporal without calendar', createTemporalCalculator(), () => slice(long, 0, 700));
describeCalculatorContract('sentiment', createSentimentCalculator(), () => short);
