export type * from './storage.js';
export type * from './types.js';
