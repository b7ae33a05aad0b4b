export { ALPHA158_DEFINITIONS, ALPHA158_WINDOWS, ALPHA158_ROLLING_OPERATORS } from './alpha158.definitions';
export { alpha158Calculator } from './alpha158.calculator';
export { ALPHA360_DEFINITIONS, alpha360Calculator } from './alpha360.calculator';
export { ALPHA158, ALPHA360, featureSet, featureSetNames } from './feature-sets';
