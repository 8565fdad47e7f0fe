export {
  MariaDBKitError,
  MariaDBServer,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  type StartMariaDBOptions,
  startMariaDB,
  TOPOLOGY_PASSWORD,
  TOPOLOGY_USER,
} from './mariadb.js';
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
export { replicateFrom, startMariaDBTopology, Topology, type TopologyOptions } from './topology.js';
