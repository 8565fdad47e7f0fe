export { mysqlDialect, sqliteDialect, upsertRows } from './backend/dialect.js';
export { parseMyCnfClient, readMyCnfClient } from './backend/mycnf.js';
export { type MysqlOptions, mapMysqlError, openMysql } from './backend/mysql.js';
export { isSqlite, openBackend } from './backend/open.js';
export { openSqlite, type SqliteOptions } from './backend/sqlite.js';
export type { Backend, BackendKind, Dialect, ExecResult, Params, Queryable, Row } from './backend/types.js';
export { type StoreConfig, storeDefaults, type Timings, timingsFrom } from './config.js';
export type { InstanceDao } from './dao/instances.js';
export type { AuditEntry, NodeHealth } from './dao/node.js';
export type { Candidate, Downtime, Maintenance } from './dao/operator.js';
export type {
  BlockedRecovery,
  FailureDetectionRecord,
  RecoveryQuery,
  RecoveryStep,
  TopologyRecoveryRecord,
} from './dao/recovery.js';
export {
  BackendError,
  FsmError,
  type FsmErrorCode,
  SchemaVersionError,
  StoreError,
  type StoreErrorCode,
} from './errors.js';
export * from './fsm/commands.js';
export { type ApplyOptions, type ApplyOutcome, createFsm, type Fsm } from './fsm/fsm.js';
export * from './model/instance.js';
export {
  currentSchemaVersion,
  type Migration,
  migrate,
  migrations,
  schemaVersion,
} from './schema/migrations.js';
export { allTables, fsmOwnedTables, mergedSnapshotTables, snapshotTables } from './schema/tables.js';
export type { RestoreResult } from './snapshot/restore.js';
export { type SnapshotEvent, SnapshotScanner } from './snapshot/scanner.js';
export { createStore, openStore, type Store, type StoreOptions } from './store.js';
export { type Clock, dbTime, fromDbTime, systemClock, toDbTime } from './time.js';
