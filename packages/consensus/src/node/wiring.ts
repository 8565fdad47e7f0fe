// The default storage and transport a RaftNode builds from its config when none are injected.
import { SnapshotFileStore } from '../storage/snapshot-files.js';
import { openSqliteStores } from '../storage/sqlite.js';
import { GrpcTransport } from '../transport/grpc.js';
import type { Transport } from '../transport/transport.js';
import type { InjectedStorage, RaftLogFn, RaftNodeConfig } from './config.js';

/** `<dataDir>/raft.db` (log + stable store) and `<dataDir>/snapshots/`. Throws CorruptLogError on a damaged log. */
export function openDataDir(config: RaftNodeConfig, log: RaftLogFn): InjectedStorage {
  const dataDir = config.dataDir as string;
  const db = openSqliteStores(dataDir);
  const snapshots = new SnapshotFileStore(dataDir, {
    retain: config.snapshotRetain ?? 3,
    onCorrupt: (err) => log('error', err.message, { path: err.path }),
  });
  return {
    log: db.log,
    stable: db.stable,
    snapshots,
    transaction: db.transaction,
    unsyncedTransaction: db.unsyncedTransaction,
    close: db.close,
  };
}

/** A GrpcTransport listening on `bind` (default: the id) with the config's TLS and tuning. */
export function makeGrpcTransport(config: RaftNodeConfig, log: RaftLogFn): Transport {
  return new GrpcTransport({
    ...config.grpc,
    id: config.id,
    ...(config.bind ? { bind: config.bind } : {}),
    ...(config.peerAddresses ? { peers: config.peerAddresses } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
    log: (level, msg, fields) => log(level, msg, fields),
    ...(config.observer?.messageDropped
      ? { onDropped: config.observer.messageDropped.bind(config.observer) }
      : {}),
  });
}
