export { LinearModel, LINEAR_FACTORIES, LINEAR_KINDS, resolveLinearParams } from './linear-model';
export type { LinearKind, LinearParams } from './linear-model';
export { checkMatrix, checkDataset } from './validate';
export { lbfgs, solveSpd } from './optim';
export type { LbfgsOptions, LbfgsResult } from './optim';
export { SeededRandom } from './rng';
