export * from './instance.js';
export type { TopologyRecoveryRecord } from './recovery.js';
