export {
  MariaDBKitError,
  MariaDBServer,
  type MariaDBServerSettings,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  SERVER_DEFAULT,
  type StartMariaDBOptions,
  startMariaDB,
  TOPOLOGY_PASSWORD,
  TOPOLOGY_USER,
} from './mariadb.js';
export {
  type Fault,
  type FaultOptions,
  type FlapOptions,
  inHost,
  MAX_FLAP_MS,
  type NetHost,
  NetLab,
  NetLabError,
  type NetLabOptions,
  netLabAvailable,
  netLabProblem,
  ownerPid,
  type PartitionOptions,
  type ProbeResult,
  ROOT,
  removeNetLabLeftovers,
  requireNetLab,
} from './netlab.js';
export { hasOpenssl, makePki } from './pki.js';
export { freePort, freePorts } from './ports.js';
export {
  type ClusterMember,
  ProcessCluster,
  type ProcessClusterOptions,
  ProcessHandle,
  type ProcessSpec,
} from './process.js';
export { cleanupSync, makeTempDir, registryRoot, removeTempDir } from './registry.js';
export {
  DEFAULT_REPLICATION_TIMING,
  type LabTopologyOptions,
  type MasterUseGtid,
  type ReplicateOptions,
  type ReplicationTiming,
  replicateFrom,
  SERVER_DEFAULT_TIMING,
  type SemiSyncOptions,
  startMariaDBTopology,
  Topology,
  type TopologyOptions,
} from './topology.js';
