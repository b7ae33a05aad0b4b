export { describeServiceContract } from './service-contract';
export type { ServiceContractOptions } from './service-contract';
export { standInFeatureSet } from './stand-in-feature-set';
export { weekdays } from './calendar.fixture';
