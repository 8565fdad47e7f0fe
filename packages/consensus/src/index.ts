export { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from './storage/memory.js';
export type { SnapshotFileStoreOptions } from './storage/snapshot-files.js';
export { CorruptSnapshotError, SnapshotFileStore } from './storage/snapshot-files.js';
export type { SqliteOptions, SqliteStores } from './storage/sqlite.js';
export { openSqliteStores, SqliteLogStore, SqliteStableStore } from './storage/sqlite.js';
export { CorruptLogError, CorruptStateError, LogContiguityError } from './storage/sqlite-errors.js';
export type * from './storage.js';
export type * from './types.js';
