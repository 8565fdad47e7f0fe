// Cluster-level derived fields (reference §3.2 "derived from the backend"): ClusterName,
// ReplicationDepth, IsCoMaster, AncestryUUID. Pure over the instance set.
import type { Instance } from '@orchestrator/model';
import { isValidKey, keyString } from '../keys.js';

export interface ClusterFields {
  ClusterName: string;
  ReplicationDepth: number;
  IsCoMaster: boolean;
  AncestryUUID: string;
}

/**
 * Walks each instance's master chain. ClusterName is the top's key ("host:port"), or the smallest
 * key of a co-master ring (orchestrator inherits whichever name came first; a stable choice is
 * better). An instance whose master is unknown names its own cluster, as in orchestrator.
 */
export function deriveClusterFields(instances: readonly Instance[]): Map<string, ClusterFields> {
  const byKey = new Map<string, Instance>();
  for (const i of instances) byKey.set(keyString(i.Key), i);
  const out = new Map<string, ClusterFields>();
  for (const inst of instances) {
    const id = keyString(inst.Key);
    const path: string[] = [id];
    const uuids: string[] = inst.ServerUUID ? [inst.ServerUUID] : [];
    let current = inst;
    let ring: string[] | undefined;
    for (;;) {
      if (!isValidKey(current.MasterKey)) break;
      const masterId = keyString(current.MasterKey);
      const master = byKey.get(masterId);
      if (!master) break;
      const seenAt = path.indexOf(masterId);
      if (seenAt >= 0) {
        ring = path.slice(seenAt);
        break;
      }
      path.push(masterId);
      if (master.ServerUUID) uuids.push(master.ServerUUID);
      current = master;
      if (path.length > 1000) break;
    }
    const master = isValidKey(inst.MasterKey) ? byKey.get(keyString(inst.MasterKey)) : undefined;
    const isCoMaster =
      master !== undefined && isValidKey(master.MasterKey) && keyString(master.MasterKey) === id;
    let clusterName: string;
    let depth: number;
    if (ring) {
      clusterName = [...ring].sort()[0] ?? id;
      // Depth counts hops to the ring; ring members themselves are at depth 0.
      const firstRingIndex = path.findIndex((p) => ring.includes(p));
      depth = firstRingIndex;
    } else {
      clusterName = path[path.length - 1] ?? id;
      depth = path.length - 1;
    }
    out.set(id, {
      ClusterName: clusterName,
      ReplicationDepth: depth,
      IsCoMaster: isCoMaster,
      AncestryUUID: uuids.join(','),
    });
  }
  return out;
}

/** Copies of `instances` with the derived fields applied. */
export function withClusterFields(instances: readonly Instance[]): Instance[] {
  const fields = deriveClusterFields(instances);
  return instances.map((i) => ({ ...i, ...(fields.get(keyString(i.Key)) ?? {}) }));
}
