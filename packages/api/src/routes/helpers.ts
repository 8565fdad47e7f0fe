// Shared handler helpers: cluster hints, instance lookups, timestamps.
import type { Instance, InstanceKey } from '@orchestrator/model';
import { failed } from '../errors.js';
import { parseKey, parseKeyString } from '../params.js';
import type { RouteRequest } from '../route.js';

export function keyString(key: InstanceKey): string {
  return `${key.Hostname}:${key.Port}`;
}

export function sameKey(a: InstanceKey, b: InstanceKey): boolean {
  return a.Hostname === b.Hostname && a.Port === b.Port;
}

/** The instance at `:host/:port`, or the reference's 500 "Cannot read instance". */
export async function requireInstance(
  req: RouteRequest,
  key: InstanceKey = parseKey(req.params),
): Promise<Instance> {
  const instance = await req.deps.instances.instance(key);
  if (instance === null) throw failed(`Cannot read instance: ${keyString(key)}`, key);
  return instance;
}

/** A cluster hint is a cluster name, an alias, or `host[:port]` of any member (§6). */
export async function resolveClusterHint(
  req: RouteRequest,
  hint: string,
  param = 'clusterHint',
): Promise<string> {
  const names = await req.deps.instances.clusters();
  if (names.includes(hint)) return hint;
  const byAlias = await resolveAlias(req, hint);
  if (byAlias !== null) return byAlias;
  let key: InstanceKey | null = null;
  try {
    key = parseKeyString(hint, param, req.options.defaultInstancePort);
  } catch {
    key = null;
  }
  if (key !== null) {
    const instance = await req.deps.instances.instance(key);
    if (instance !== null && instance.ClusterName !== '') return instance.ClusterName;
  }
  throw failed(`Unable to determine cluster name for ${hint}`, { ClusterHint: hint });
}

export async function resolveAlias(req: RouteRequest, alias: string): Promise<string | null> {
  const infos = await req.deps.instances.clustersInfo();
  return infos.find((c) => c.ClusterAlias === alias)?.ClusterName ?? null;
}

export async function requireAlias(req: RouteRequest, alias: string): Promise<string> {
  const name = await resolveAlias(req, alias);
  if (name === null) throw failed(`Unable to determine cluster name for alias ${alias}`, { Alias: alias });
  return name;
}

/**
 * The master of a cluster: a member whose master is not in the cluster (replication depth 0),
 * preferring a writable one; co-masters resolve to the writable side.
 */
export function clusterMaster(instances: readonly Instance[]): Instance | undefined {
  const inCluster = new Set(instances.map((i) => keyString(i.Key)));
  const tops = instances.filter((i) => i.MasterKey.Hostname === '' || !inCluster.has(keyString(i.MasterKey)));
  const pool = tops.length > 0 ? tops : instances.filter((i) => i.IsCoMaster);
  return pool.find((i) => !i.ReadOnly) ?? pool[0];
}

/** `2006-01-02 15:04:05` in UTC, the reference's *String timestamp format. */
export function timestampString(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
