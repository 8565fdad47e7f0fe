// Which replicas of a cluster suit as control replicas for an online schema change
// (pt-online-schema-change --check-slave-lag): the reference's heuristic, as a pure function.
// Up to two busiest first-tier intermediate masters, some of their replicas, up to two third-tier
// replicas and up to two first-tier leaves; never an instance whose last check failed, nor one
// matching OSCIgnoreHostnameFilters.
import type { Instance } from '@orchestrator/model';

const keyOf = (i: Instance) => `${i.Key.Hostname}:${i.Key.Port}`;

function matchesAny(value: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    try {
      return new RegExp(p).test(value);
    } catch {
      return false;
    }
  });
}

export function oscReplicas(
  cluster: readonly Instance[],
  ignoreHostnameFilters: readonly string[] = [],
): Instance[] {
  const fit = (list: readonly Instance[]) =>
    list.filter((i) => i.IsLastCheckValid && !matchesAny(keyOf(i), ignoreHostnameFilters));
  const replicasOf = (master: Instance) =>
    cluster.filter(
      (i) => i.MasterKey.Hostname === master.Key.Hostname && i.MasterKey.Port === master.Key.Port,
    );
  const busiestFirst = (list: readonly Instance[]) =>
    [...list].sort((a, b) => b.Replicas.length - a.Replicas.length || keyOf(a).localeCompare(keyOf(b)));
  const byKey = (list: readonly Instance[]) => [...list].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

  const result: Instance[] = [];
  const intermediates = fit(
    busiestFirst(cluster.filter((i) => i.ReplicationDepth === 1 && i.Replicas.length > 0)),
  ).slice(0, 2);
  result.push(...intermediates);
  if (intermediates.length === 1) result.push(...fit(byKey(replicasOf(intermediates[0]!))).slice(0, 2));
  if (intermediates.length === 2) {
    for (const im of intermediates) {
      const first = fit(byKey(replicasOf(im)))[0];
      if (first) result.push(first);
    }
  }
  result.push(...fit(byKey(cluster.filter((i) => i.ReplicationDepth === 3))).slice(0, 2));
  result.push(
    ...fit(byKey(cluster.filter((i) => i.ReplicationDepth === 1 && i.Replicas.length === 0))).slice(0, 2),
  );
  return result;
}
