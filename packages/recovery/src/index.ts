export * from './candidates.js';
export * from './config.js';
export * from './errors.js';
export * from './filters.js';
export * from './gates.js';
export * from './gtid.js';
export * from './planner.js';
export type * from './types.js';
