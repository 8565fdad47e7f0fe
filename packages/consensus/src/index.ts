export type { CoreConfig, CoreEvent, ProposalPosition, RawNodeApi } from './core/api.js';
export { decodeConfChange, encodeConfChange } from './core/confchange.js';
export { ConfChangeInProgressError, NotLeaderError, ProposalDroppedError } from './core/errors.js';
export { RawNode } from './core/rawnode.js';
export type { InjectedStorage, RaftLogFn, RaftNodeConfig, StateMachine } from './node/config.js';
export { DEFAULTS as RAFT_NODE_DEFAULTS, validateConfig as validateRaftNodeConfig } from './node/config.js';
export {
  ProposalLostError,
  RaftConfigError,
  RaftStoppedError,
  RaftStorageError,
  RaftStorageFaultError,
  RaftTimeoutError,
  StateMachineUnavailableError,
} from './node/errors.js';
export type { DropReason, RaftObserver } from './node/observer.js';
export type {
  RaftFootprint,
  RaftNodeStatus,
  RaftPeerProgress,
  RaftStorageFault,
} from './node/raft-node.js';
export { RaftNode } from './node/raft-node.js';
export type { CoreOverrides, HarnessNode } from './sim/harness.js';
export { Harness, standalone } from './sim/harness.js';
export { mulberry32, Rng } from './sim/prng.js';
export type { SimOptions, SimResult, SimStats } from './sim/simulator.js';
export { runSimulation } from './sim/simulator.js';
export { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from './storage/memory.js';
export type { SnapshotFileStoreOptions } from './storage/snapshot-files.js';
export { CorruptSnapshotError, SnapshotFileStore } from './storage/snapshot-files.js';
export type { SqliteOptions, SqliteStores } from './storage/sqlite.js';
export { openSqliteStores, SqliteLogStore, SqliteStableStore } from './storage/sqlite.js';
export { CorruptLogError, CorruptStateError, LogContiguityError } from './storage/sqlite-errors.js';
export type * from './storage.js';
export type { GrpcTransportOptions, TransportLog } from './transport/grpc.js';
export { GrpcTransport } from './transport/grpc.js';
export { MemoryNetwork, MemoryTransport } from './transport/memory.js';
export { SingleNodeTransport } from './transport/single-node.js';
export type { TlsOptions } from './transport/tls.js';
export type { Transport, TransportHandler } from './transport/transport.js';
export { TransportError } from './transport/transport.js';
export type * from './types.js';
