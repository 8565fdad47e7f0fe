export {
  CONSUL_DEFAULT_PORT,
  CONSUL_MAX_TXN_OPS,
  DEFAULT_KV_CONFIG,
  type HostPort,
  KEYS_PER_CLUSTER,
  type KVConfig,
  KVConfigError,
  type KVConfigProblem,
  parseEtcdEndpoint,
  parseZkAddress,
  validateKVConfig,
  ZOOKEEPER_DEFAULT_PORT,
} from './config.js';
export { ConsulStore, type ConsulStoreOptions, keyPath, transactionBatches } from './consul.js';
export { EtcdStore, type EtcdStoreOptions } from './etcd.js';
export { type OpenKVStoresOptions, openKVStores } from './open.js';
export {
  clusterGroupOf,
  clusterMasterKey,
  DEFAULT_KV_CLUSTER_MASTER_PREFIX,
  type KVPair,
  type MasterAddresses,
  type MasterKey,
  masterPairs,
} from './pairs.js';
export {
  MasterPublisher,
  type MasterPublisherOptions,
  type PublishMode,
  type PublishReport,
  type Reporter,
} from './publisher.js';
export { type KVStore, KVStoreError, KVTimeoutError, withDeadline } from './store.js';
export { ZooKeeperStore, type ZooKeeperStoreOptions, znodePath } from './zookeeper.js';
