export * from './acks.js';
export * from './candidates.js';
export * from './config.js';
export { formatBinlogPosition } from './coordinates.js';
export * from './engine.js';
export * from './errors.js';
export * from './filters.js';
export * from './gates.js';
export * from './gtid.js';
export * from './hooks.js';
export {
  type ConnectorOptions,
  createSqlConnector,
  type Row,
  type SqlConnector,
} from './mysql/connections.js';
export { createMySQLOperations } from './mysql/create.js';
export * from './mysql/operations.js';
export * from './planner.js';
export * from './planner-intermediate.js';
export * from './pseudo-gtid/index.js';
export * from './resume.js';
export { type RecoveryContext, RecoveryRun, type RunOptions } from './run.js';
export * from './semi-sync.js';
export type * from './types.js';
