export * from './commands.js';
export * from './instance.js';
export * from './promotion.js';
export type { TopologyRecoveryRecord } from './recovery.js';
