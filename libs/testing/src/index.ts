export { describeServiceContract } from './service-contract';
export type { ServiceContractOptions } from './service-contract';
