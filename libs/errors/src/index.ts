export { QuantError, isRetriable, describeError } from './quant-error';
export type { QuantErrorOptions } from './quant-error';
