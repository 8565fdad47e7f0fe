// Implements the API's read interfaces on this node's store (and the discovery loop), so the
// routes stay free of SQL and of how the daemon is put together.
import type {
  AnalysisReads,
  AuditReads,
  CandidateReads,
  ClusterInfo,
  CommandPublisher,
  Discovery,
  InstanceReads,
  MaintenanceStore,
  PoolReads,
  RecoveryReads,
  Row,
  TagFilter,
  TagStore,
} from '@orchestrator/api';
import type { ReplicationAnalysis } from '@orchestrator/prober';
import { clusterMatchesFilters } from '@orchestrator/recovery';
import type { Instance, InstanceKey, Store } from '@orchestrator/store';
import type { OrchestratorConfig } from './config/index.js';

const sameKey = (a: InstanceKey, b: InstanceKey) => a.Hostname === b.Hostname && a.Port === b.Port;

export function instanceReads(store: Store, config: OrchestratorConfig): InstanceReads {
  const dao = store.instances;
  return {
    instance: async (key) => (await dao.read(key)) ?? null,
    replicas: (key) => dao.readReplicas(key),
    all: () => dao.readAll(),
    async search(s) {
      const needle = s.toLowerCase();
      return (await dao.readAll()).filter(
        (i) =>
          `${i.Key.Hostname}:${i.Key.Port}`.toLowerCase().includes(needle) ||
          i.ClusterName.toLowerCase().includes(needle) ||
          i.SuggestedClusterAlias.toLowerCase().includes(needle),
      );
    },
    clusterInstances: (clusterName) => dao.readCluster(clusterName),
    async clusters() {
      return dao.clusterNames();
    },
    async clustersInfo(): Promise<ClusterInfo[]> {
      const all = await dao.readAll();
      const aliases = await store.clusterAliases.all();
      const byCluster = new Map<string, Instance[]>();
      for (const i of all) {
        const list = byCluster.get(i.ClusterName);
        if (list) list.push(i);
        else byCluster.set(i.ClusterName, [i]);
      }
      return [...byCluster.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, members]) => {
          const alias =
            aliases[name] ?? members.find((m) => m.SuggestedClusterAlias)?.SuggestedClusterAlias ?? name;
          return {
            ClusterName: name,
            ClusterAlias: alias,
            ClusterDomain: '',
            CountInstances: members.length,
            HeuristicLag: Math.max(
              0,
              ...members.map((m) => (m.ReplicationLagSeconds.Valid ? m.ReplicationLagSeconds.Int64 : 0)),
            ),
            HasAutomatedMasterRecovery: clusterMatchesFilters(
              config.RecoverMasterClusterFilters,
              name,
              alias,
            ),
            HasAutomatedIntermediateMasterRecovery: clusterMatchesFilters(
              config.RecoverIntermediateMasterClusterFilters,
              name,
              alias,
            ),
          };
        });
    },
  };
}

export function maintenanceStore(store: Store): MaintenanceStore {
  return {
    async begin(key, owner, reason, durationSeconds) {
      const id = await store.maintenance.begin(key, owner, reason, durationSeconds);
      if (id === undefined) throw new Error(`${key.Hostname}:${key.Port} is already under maintenance`);
    },
    end: (key) => store.maintenance.end(key),
    list: () => store.maintenance.active(),
  };
}

function tagMatches(tags: { TagName: string; TagValue: string }[], f: TagFilter): boolean {
  const hit = tags.some((t) => t.TagName === f.TagName && (!f.HasValue || t.TagValue === f.TagValue));
  return f.Negate ? !hit : hit;
}

/** Tags; untag is replicated through raft here (delete-instance-tag), unlike the reference. */
export function tagStore(store: Store, commands: CommandPublisher): TagStore {
  return {
    async list(key) {
      return (await store.tags.tags(key)).map((t) =>
        t.TagValue === '' ? t.TagName : `${t.TagName}=${t.TagValue}`,
      );
    },
    async value(key, name) {
      return (await store.tags.value(key, name)) ?? null;
    },
    async tagged(filters) {
      const positive = filters.find((f) => !f.Negate);
      const candidates = positive
        ? await store.tags.tagged(positive.TagName, positive.HasValue ? positive.TagValue : undefined)
        : (await store.instances.readAll()).map((i) => i.Key);
      const out: InstanceKey[] = [];
      for (const key of candidates) {
        const tags = await store.tags.tags(key);
        if (filters.every((f) => tagMatches(tags, f))) out.push(key);
      }
      return out;
    },
    async untag(key, tag) {
      const keys = key
        ? [key]
        : await store.tags.tagged(tag.TagName, tag.HasValue ? tag.TagValue : undefined);
      const untagged: InstanceKey[] = [];
      for (const k of keys) {
        const tags = await store.tags.tags(k);
        if (!tagMatches(tags, { ...tag, Negate: false })) continue;
        await commands.propose('delete-instance-tag', { Key: k, T: tag });
        untagged.push(k);
      }
      return untagged;
    },
  };
}

export function poolReads(store: Store): PoolReads {
  return {
    async clusterPoolInstances(clusterName, pool) {
      const pools = await store.pools.all();
      const keys = pool === undefined ? Object.values(pools).flat() : (pools[pool] ?? []);
      const members = await store.instances.readCluster(clusterName);
      return members.filter((m) => keys.some((k) => sameKey(k, m.Key)));
    },
    async clusterPools(clusterName, pool) {
      const pools = await store.pools.all();
      const members = await store.instances.readCluster(clusterName);
      const out: Record<string, InstanceKey[]> = {};
      for (const [name, keys] of Object.entries(pools)) {
        if (pool !== undefined && name !== pool) continue;
        const inCluster = members.filter((m) => keys.some((k) => sameKey(k, m.Key))).map((m) => m.Key);
        if (inCluster.length > 0) out[name] = inCluster;
      }
      return out;
    },
  };
}

/** bulk-promotion-rules: the reference's CandidateDatabaseInstance rows. */
export function candidateReads(store: Store): CandidateReads {
  const text = (iso: string) => iso.slice(0, 19).replace('T', ' ');
  return {
    async all() {
      return (await store.candidates.all()).map((c) => ({
        Hostname: c.Key.Hostname,
        Port: c.Key.Port,
        PromotionRule: c.PromotionRule,
        LastSuggestedString: text(c.LastSuggestedTimestamp),
        PromotionRuleExpiry: text(c.PromotionRuleExpiry),
      }));
    },
  };
}

export function analysisReads(
  latest: () => readonly ReplicationAnalysis[],
  changelog?: () => Row[],
): AnalysisReads {
  return {
    ...(changelog ? { changelog } : {}),
    replicationAnalysis(filter) {
      return latest().filter(
        (a) =>
          (filter.clusterName === undefined || a.ClusterDetails.ClusterName === filter.clusterName) &&
          (filter.key === undefined || sameKey(a.AnalyzedInstanceKey, filter.key)),
      ) as unknown as Row[];
    },
  };
}

const rows = <T>(p: Promise<T[]>): Promise<Row[]> => p as unknown as Promise<Row[]>;

export function recoveryReads(store: Store): RecoveryReads {
  const dao = store.recoveries;
  return {
    globalRecoveriesDisabled: () => store.globalRecovery.isDisabled(),
    async recoveries(filter) {
      let clusterName = filter.clusterName;
      if (filter.alias !== undefined)
        clusterName = (await store.clusterAliases.clusterOf(filter.alias)) ?? filter.alias;
      return rows(dao.read({ id: filter.id, uid: filter.uid, clusterName, page: filter.page }));
    },
    steps: (uid) => rows(dao.steps(uid)),
    failureDetections: (filter) =>
      rows(dao.detections({ id: filter.id, clusterAlias: filter.alias, page: filter.page })),
    blocked: (clusterName) => rows(dao.blocked(clusterName)),
    active: (clusterName) => rows(dao.active({ clusterName })),
    recentlyActiveCluster: (clusterName) => rows(dao.read({ clusterName, page: 0, pageSize: 20 })),
    recentlyActiveInstance: (key) => rows(dao.read({ key, page: 0, pageSize: 20 })),
  };
}

export function auditReads(store: Store): AuditReads {
  return { list: (filter) => rows(store.audit.read({ page: filter.page, key: filter.key })) };
}

/** The API's discovery port, on the daemon's discovery loop. */
export function discoveryPort(loop: {
  discover(key: InstanceKey): Promise<{ ok: boolean; instance?: Instance; error?: unknown }>;
  refresh(keys: readonly InstanceKey[]): void;
  reachability(key: InstanceKey, withinMs: number): Promise<{ Reachable: boolean; Detail: string }>;
}): Discovery {
  return {
    async discover(key) {
      const result = await loop.discover(key);
      if (!result.ok || !result.instance) {
        const why =
          result.error instanceof Error ? result.error.message : String(result.error ?? 'unreachable');
        throw new Error(`cannot discover ${key.Hostname}:${key.Port}: ${why}`);
      }
      return result.instance;
    },
    async refresh(key) {
      loop.refresh([key]);
    },
    reachability: (key, withinMs) => loop.reachability(key, withinMs),
  };
}
