// Replication control: safety checks (pure) and the checked operations on MySQL/MariaDB.
export * from './binlog-control.js';
export * from './checks.js';
export * from './coordinates.js';
export * from './detach.js';
export * from './errant.js';
export * from './errant-control.js';
export * from './errors.js';
export * from './gtid-mode.js';
export * from './replication-control.js';
