export type * from './storage.js';
export type * from './types.js';
export { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from './storage/memory.js';
