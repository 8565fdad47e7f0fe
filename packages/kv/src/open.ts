// openKVStores: the configured stores, built from the config keys. Nothing connects here: each
// store loads its client library and dials on its first write, so a daemon without KV stores (or
// before its first publish) pays nothing for them.

import {
  consulHostPort,
  DEFAULT_KV_CONFIG,
  type KVConfig,
  KVConfigError,
  parseEtcdEndpoint,
  parseZkAddress,
  validateKVConfig,
} from './config.js';
import { ConsulStore } from './consul.js';
import { EtcdStore } from './etcd.js';
import type { KVStore } from './store.js';
import { ZooKeeperStore } from './zookeeper.js';

export interface OpenKVStoresOptions {
  /** Bound on each store operation (connecting included). Default 5 000 ms. */
  operationTimeoutMs?: number;
}

/** ZooKeeper, then etcd, then Consul, for those configured. Throws KVConfigError naming bad keys. */
export function openKVStores(config: Partial<KVConfig>, options: OpenKVStoresOptions = {}): KVStore[] {
  const c: KVConfig = { ...DEFAULT_KV_CONFIG, ...config };
  const problems = validateKVConfig(c);
  if (problems.length > 0) throw new KVConfigError(problems);
  const timeoutMs = options.operationTimeoutMs ?? 5000;
  const stores: KVStore[] = [];
  if (c.ZkAddress.trim() !== '') {
    const zk = parseZkAddress(c.ZkAddress.trim());
    if ('servers' in zk)
      stores.push(new ZooKeeperStore({ servers: zk.servers, operationTimeoutMs: timeoutMs }));
  }
  if (c.EtcdEndpoints.length > 0) {
    const endpoints = c.EtcdEndpoints.map((e) => {
      const parsed = parseEtcdEndpoint(e);
      return 'url' in parsed ? parsed.url : e;
    });
    stores.push(new EtcdStore({ endpoints, operationTimeoutMs: timeoutMs }));
  }
  if (c.ConsulAddress.trim() !== '') {
    stores.push(
      new ConsulStore({
        address: consulHostPort(c.ConsulAddress),
        scheme: c.ConsulScheme as 'http' | 'https',
        aclToken: c.ConsulAclToken,
        provider: c.ConsulKVStoreProvider as 'consul' | 'consul-txn',
        crossDataCenter: c.ConsulCrossDataCenterDistribution,
        maxKVsPerTransaction: c.ConsulMaxKVsPerTransaction,
        prefix: c.KVClusterMasterPrefix,
        requestTimeoutMs: timeoutMs,
      }),
    );
  }
  return stores;
}
