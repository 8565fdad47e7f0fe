// What to write for a cluster's master: the reference's key layout (orchestrator-reference.md §5.2
// step 9.2), as a pure function of the prefix, the cluster alias, the master and its addresses.

/** One key and its value, as the reference's `put-key-value` payload and API answers name them. */
export interface KVPair {
  Key: string;
  Value: string;
}

/** A MySQL instance: hostname and port. */
export interface MasterKey {
  Hostname: string;
  Port: number;
}

/** The master's resolved addresses; '' when it has none of that family. */
export interface MasterAddresses {
  ipv4: string;
  ipv6: string;
}

/** KVClusterMasterPrefix's default. */
export const DEFAULT_KV_CLUSTER_MASTER_PREFIX = 'mysql/master';

/**
 * The key of a cluster's master: `<prefix>/<alias>`. The prefix is normalised as the reference
 * does: trailing slashes are dropped and one is added (`mysql/master//` → `mysql/master/`), and
 * `/` stays `/` (so the key is `/<alias>`).
 */
export function clusterMasterKey(prefix: string, alias: string): string {
  const normalised = prefix === '/' ? '/' : `${prefix.replace(/\/+$/, '')}/`;
  return `${normalised}${alias}`;
}

/**
 * The pairs that publish `master` as the master of cluster `alias`, in the reference's order:
 * `<prefix>/<alias>` = `host:port`, then `/hostname`, `/port`, `/ipv4`, `/ipv6`. The address keys
 * are written even when empty (the reference writes what its hostname_ips row holds, '' for a
 * family it did not resolve); pass `addresses: null` to leave them out (the reference does when it
 * cannot read that row). An empty alias yields no pairs: there is nothing to name the cluster by.
 */
export function masterPairs(input: {
  prefix: string;
  alias: string;
  master: MasterKey;
  addresses?: MasterAddresses | null;
}): KVPair[] {
  const { prefix, alias, master } = input;
  if (alias === '') return [];
  const key = clusterMasterKey(prefix, alias);
  const pairs: KVPair[] = [
    { Key: key, Value: `${master.Hostname}:${master.Port}` },
    { Key: `${key}/hostname`, Value: master.Hostname },
    { Key: `${key}/port`, Value: String(master.Port) },
  ];
  const addresses = input.addresses === undefined ? { ipv4: '', ipv6: '' } : input.addresses;
  if (addresses !== null) {
    pairs.push({ Key: `${key}/ipv4`, Value: addresses.ipv4 }, { Key: `${key}/ipv6`, Value: addresses.ipv6 });
  }
  return pairs;
}

/**
 * The cluster part of a master key (`mysql/master/main/port` → `mysql/master/main`): pairs of one
 * cluster are written together, and a newer publish for a cluster replaces an older one still
 * waiting. Keys outside the prefix are their own group.
 */
export function clusterGroupOf(prefix: string, key: string): string {
  const base = clusterMasterKey(prefix, '');
  if (!key.startsWith(base)) return key;
  const rest = key.slice(base.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? key : `${base}${rest.slice(0, slash)}`;
}
