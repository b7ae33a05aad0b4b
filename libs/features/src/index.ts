export type * from './feature.port';
export * from './core';
export * from './alpha';
export * from './families';
export * from './processing';
