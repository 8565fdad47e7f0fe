export * from './commands.js';
export * from './instance.js';
export * from './problems.js';
export * from './promotion.js';
export type { TopologyRecoveryRecord } from './recovery.js';
