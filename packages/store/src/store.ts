// openStore: the backend, migrated schema, DAOs, FSM and snapshots of one node, composed.
import { openBackend } from './backend/open.js';
import type { Backend } from './backend/types.js';
import { countWrites } from './backend/write-counter.js';
import { type StoreConfig, type Timings, timingsFrom } from './config.js';
import { createInstanceDao } from './dao/instances.js';
import { createAuditDao, createFsmMetaDao, createNodeHealthDao } from './dao/node.js';
import {
  createCandidateDao,
  createClusterAliasDao,
  createDowntimeDao,
  createGlobalRecoveryDao,
  createHostnameUnresolveDao,
  createKvDao,
  createMaintenanceDao,
  createPoolDao,
  createTagDao,
} from './dao/operator.js';
import { createRecoveryDao } from './dao/recovery.js';
import { createFsm } from './fsm/fsm.js';
import { migrate } from './schema/migrations.js';
import { type RestoreResult, restoreSnapshot } from './snapshot/restore.js';
import { snapshot, snapshotWithIndex, writeSnapshot } from './snapshot/writer.js';
import { type Clock, systemClock } from './time.js';

export interface StoreOptions {
  /** Time source for local writes and read-time derived fields (never used by the FSM). */
  clock?: Clock;
  /** This node's identity, recorded on local maintenance locks. */
  node?: { hostname: string; token: string };
}

export async function createStore(raw: Backend, config: StoreConfig = {}, options: StoreOptions = {}) {
  const { backend, version } = countWrites(raw);
  const clock = options.clock ?? systemClock;
  const timings: Timings = timingsFrom(config);
  await migrate(backend, clock);
  const fsm = createFsm(backend, timings);
  return {
    backend,
    timings,
    fsm,
    /**
     * Grows with every write to this node's backend (probe results, applied commands, local
     * bookkeeping): a cache of reads is valid while this number has not changed.
     */
    dataVersion: version,
    applyCommand: fsm.applyCommand,
    applyEntry: fsm.applyEntry,
    instances: createInstanceDao(backend, clock, timings),
    downtime: createDowntimeDao(backend, clock),
    candidates: createCandidateDao(backend, clock),
    maintenance: createMaintenanceDao(backend, clock, timings, options.node ?? { hostname: '', token: '' }),
    recoveries: createRecoveryDao(backend, clock, timings),
    tags: createTagDao(backend),
    pools: createPoolDao(backend),
    hostnameUnresolve: createHostnameUnresolveDao(backend),
    clusterAliases: createClusterAliasDao(backend, clock),
    kv: createKvDao(backend),
    globalRecovery: createGlobalRecoveryDao(backend),
    nodeHealth: createNodeHealthDao(backend, clock),
    audit: createAuditDao(backend, clock),
    fsmMeta: createFsmMetaDao(backend),
    /** gzip JSON of the replicated tables (reference §1.6 format). */
    snapshot: () => snapshot(backend),
    /** The same, with the raft index it covers (raft_fsm_meta.AppliedIndex in the same read view). */
    snapshotWithIndex: () => snapshotWithIndex(backend),
    /** The same, chunk by chunk; resolves with the raft index it covers. */
    writeSnapshot: (onChunk: (chunk: Buffer) => void | Promise<void>) => writeSnapshot(backend, onChunk),
    restore: (input: Buffer | AsyncIterable<Uint8Array>): Promise<RestoreResult> =>
      restoreSnapshot(backend, input),
    close: () => backend.close(),
  };
}

export type Store = Awaited<ReturnType<typeof createStore>>;

/** Opens the configured backend, migrates it, and returns the store. */
export async function openStore(config: StoreConfig, options: StoreOptions = {}): Promise<Store> {
  const backend = await openBackend(config);
  try {
    return await createStore(backend, config, options);
  } catch (err) {
    await backend.close();
    throw err;
  }
}
