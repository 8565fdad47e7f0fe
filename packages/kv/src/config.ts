// The KV config keys (orchestrator's names; EtcdEndpoints is ours), their validation and the store
// settings derived from them. Validation returns every problem at once, each naming its key.
import { DEFAULT_KV_CLUSTER_MASTER_PREFIX } from './pairs.js';

/** The orchestrator.conf.json keys this package reads. */
export interface KVConfig {
  /** Prefix of the master keys. Default `mysql/master`. */
  KVClusterMasterPrefix: string;
  /** ZooKeeper servers: `srv1[:port1][,srv2[:port2]...]`, default port 2181. '' = no ZooKeeper. */
  ZkAddress: string;
  /** Ours: etcd v3 endpoints, `http(s)://host:port` (or `host:port`, read as http). [] = no etcd. */
  EtcdEndpoints: readonly string[];
  /** Consul agent: `host[:port]` (default port 8500). '' = no Consul. */
  ConsulAddress: string;
  /** `http` (default) or `https`. */
  ConsulScheme: string;
  /** Sent as X-Consul-Token when not empty. */
  ConsulAclToken: string;
  /** `consul` (one PUT per key, the default) or `consul-txn` (one transaction per cluster). */
  ConsulKVStoreProvider: string;
  /** Write to every datacenter the agent's catalog lists (?dc=…), not only the agent's own. */
  ConsulCrossDataCenterDistribution: boolean;
  /** Operations per transaction with consul-txn: 5 (one cluster) to 64 (Consul's limit). Default 5. */
  ConsulMaxKVsPerTransaction: number;
}

export const DEFAULT_KV_CONFIG: KVConfig = {
  KVClusterMasterPrefix: DEFAULT_KV_CLUSTER_MASTER_PREFIX,
  ZkAddress: '',
  EtcdEndpoints: [],
  ConsulAddress: '',
  ConsulScheme: 'http',
  ConsulAclToken: '',
  ConsulKVStoreProvider: 'consul',
  ConsulCrossDataCenterDistribution: false,
  ConsulMaxKVsPerTransaction: 5,
};

/** One bad key: `key` is the config key (with `[i]` for an array entry), `message` says why. */
export interface KVConfigProblem {
  key: string;
  message: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export const ZOOKEEPER_DEFAULT_PORT = 2181;
export const CONSUL_DEFAULT_PORT = 8500;
/** Consul's limit on operations in one /v1/txn request. */
export const CONSUL_MAX_TXN_OPS = 64;
/** Keys per cluster (alias, hostname, port, ipv4, ipv6): the smallest transaction that keeps a cluster whole. */
export const KEYS_PER_CLUSTER = 5;

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `host[:port]` with a hostname or IPv4 address; the error says what is wrong. */
function parseHostPort(entry: string, defaultPort: number): HostPort | { error: string } {
  if (entry.startsWith('[') || entry.split(':').length > 2) {
    return { error: 'IPv6 literals are not supported here; use a hostname' };
  }
  const [host = '', portText] = entry.split(':');
  if (!HOSTNAME.test(host)) return { error: `${JSON.stringify(host)} is not a hostname or IPv4 address` };
  if (portText === undefined) return { host, port: defaultPort };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return { error: `port ${JSON.stringify(portText)} must be a number from 1 to 65535` };
  }
  return { host, port };
}

/** ZkAddress → servers. Throws nothing: problems are returned. */
export function parseZkAddress(value: string): { servers: HostPort[] } | { error: string } {
  if (value.includes('/')) {
    return { error: 'a chroot path is not supported; put the path in KVClusterMasterPrefix instead' };
  }
  const servers: HostPort[] = [];
  for (const [i, raw] of value.split(',').entries()) {
    const entry = raw.trim();
    if (entry === '') return { error: `server ${i + 1} is empty (expected srv1[:port1][,srv2[:port2]...])` };
    const hp = parseHostPort(entry, ZOOKEEPER_DEFAULT_PORT);
    if ('error' in hp) return { error: `server ${JSON.stringify(entry)}: ${hp.error}` };
    servers.push(hp);
  }
  return { servers };
}

/** One EtcdEndpoints entry → a normalised `http(s)://host:port` URL. */
export function parseEtcdEndpoint(value: string): { url: string } | { error: string } {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: `${JSON.stringify(value)} is not a URL or host:port` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `${JSON.stringify(value)}: the scheme must be http or https` };
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    return { error: `${JSON.stringify(value)}: give only scheme://host:port` };
  }
  if (url.hostname === '') return { error: `${JSON.stringify(value)} has no host` };
  const port = url.port === '' ? 2379 : Number(url.port);
  return { url: `${url.protocol}//${url.hostname}:${port}` };
}

/** Every problem with the KV keys; [] when they can be used. */
export function validateKVConfig(c: KVConfig): KVConfigProblem[] {
  const problems: KVConfigProblem[] = [];
  if (c.ZkAddress.trim() !== '') {
    const zk = parseZkAddress(c.ZkAddress.trim());
    if ('error' in zk) problems.push({ key: 'ZkAddress', message: zk.error });
  }
  c.EtcdEndpoints.forEach((entry, i) => {
    const e = parseEtcdEndpoint(entry);
    if ('error' in e) problems.push({ key: `EtcdEndpoints[${i}]`, message: e.error });
  });
  if (c.ConsulAddress.trim() !== '') {
    const hp = parseHostPort(c.ConsulAddress.trim(), CONSUL_DEFAULT_PORT);
    if ('error' in hp) problems.push({ key: 'ConsulAddress', message: `expected host[:port]: ${hp.error}` });
  }
  if (c.ConsulScheme !== 'http' && c.ConsulScheme !== 'https') {
    problems.push({
      key: 'ConsulScheme',
      message: `must be "http" or "https", got ${JSON.stringify(c.ConsulScheme)}`,
    });
  }
  if (c.ConsulKVStoreProvider !== 'consul' && c.ConsulKVStoreProvider !== 'consul-txn') {
    problems.push({
      key: 'ConsulKVStoreProvider',
      message: `must be "consul" or "consul-txn", got ${JSON.stringify(c.ConsulKVStoreProvider)}`,
    });
  }
  const max = c.ConsulMaxKVsPerTransaction;
  if (!Number.isInteger(max) || max < KEYS_PER_CLUSTER || max > CONSUL_MAX_TXN_OPS) {
    problems.push({
      key: 'ConsulMaxKVsPerTransaction',
      message: `must be from ${KEYS_PER_CLUSTER} (one cluster's keys) to ${CONSUL_MAX_TXN_OPS} (Consul's limit), got ${max}`,
    });
  }
  return problems;
}

/** Thrown by openKVStores for a config that validateKVConfig rejects; `problems` name the keys. */
export class KVConfigError extends Error {
  readonly code = 'KV_CONFIG';
  constructor(readonly problems: readonly KVConfigProblem[]) {
    super(`invalid KV config: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
    this.name = 'KVConfigError';
  }
}

/** The consul address as the store dials it. */
export function consulHostPort(address: string): HostPort {
  const hp = parseHostPort(address.trim(), CONSUL_DEFAULT_PORT);
  if ('error' in hp) throw new KVConfigError([{ key: 'ConsulAddress', message: hp.error }]);
  return hp;
}
