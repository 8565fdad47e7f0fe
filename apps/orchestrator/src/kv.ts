// Publishing masters for service discovery (reference §5.2 step 9.2 and the periodic KV
// submission): each cluster's master as `<KVClusterMasterPrefix>/<alias>` plus /hostname, /port,
// /ipv4, /ipv6, in kv_store (replicated command put-key-value) and in the external stores
// (ZooKeeper, etcd, Consul; packages/kv). Only the leader writes the external stores, directly:
// applying put-key-value never does (the reference writes them from every node's FSM, so replaying
// the log rewrote them), and a failed write is retried with backoff by the publisher.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { clusterMaster, type InstanceReads, type MasterKVPublisher } from '@orchestrator/api';
import {
  type KVPair,
  type KVStore,
  type MasterAddresses,
  MasterPublisher,
  masterPairs,
  openKVStores,
  type PublishReport,
} from '@orchestrator/kv';
import type { MasterKVHook } from '@orchestrator/recovery';
import type { InstanceKey, Store } from '@orchestrator/store';
import type { OrchestratorConfig } from './config/index.js';
import type { Logger } from './logger.js';
import type { RaftService } from './raft/service.js';

/** The reference submits every cluster's master once a minute (leader only). */
export const KV_SUBMIT_INTERVAL_MS = 60_000;
/** How long DNS may take before the address keys are written empty: a recovery waits for this. */
const RESOLVE_TIMEOUT_MS = 1000;
/** How long submit-masters-to-kv-stores waits for the stores' first attempt before answering. */
const ROUTE_WAIT_MS = 5000;

export type Resolver = (hostname: string) => Promise<MasterAddresses>;

/** The first IPv4 and the first IPv6 address of `hostname` ('' for a family it has none of). */
export async function resolveAddresses(hostname: string): Promise<MasterAddresses> {
  const family = isIP(hostname);
  if (family !== 0) return family === 4 ? { ipv4: hostname, ipv6: '' } : { ipv4: '', ipv6: hostname };
  const all = await lookup(hostname, { all: true, verbatim: true });
  return {
    ipv4: all.find((a) => a.family === 4)?.address ?? '',
    ipv6: all.find((a) => a.family === 6)?.address ?? '',
  };
}

/** One line per attempt, for the recovery's steps and the log. */
export function describeReport(r: PublishReport): string {
  const value = r.pairs[0]?.Value ?? '';
  if (r.ok) {
    const what = r.written === 0 ? 'already up to date' : `${r.written} keys written`;
    return `KV ${r.store}: published ${r.group} = ${value} (${what})`;
  }
  const retry = r.retryInMs === undefined ? '' : `; retrying in ${Math.round(r.retryInMs / 100) / 10} s`;
  return `KV ${r.store}: publishing ${r.group} = ${value} failed (attempt ${r.attempt}): ${r.error}${retry}`;
}

export interface MasterKVOptions {
  config: OrchestratorConfig;
  store: Store;
  instances: InstanceReads;
  raft: RaftService;
  log: Logger;
  /** Tests: the stores (default: openKVStores from the config) and the resolver. */
  stores?: KVStore[];
  resolve?: Resolver;
}

/** The daemon's KV publishing: the recovery hook, the API's submit, and the periodic submission. */
export class MasterKV implements MasterKVHook, MasterKVPublisher {
  /** Undefined when no external store is configured (kv_store only). */
  readonly publisher: MasterPublisher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly resolver: Resolver;

  constructor(private readonly o: MasterKVOptions) {
    const stores = o.stores ?? openKVStores(o.config);
    this.resolver = o.resolve ?? resolveAddresses;
    this.publisher =
      stores.length === 0
        ? undefined
        : new MasterPublisher({
            stores,
            prefix: o.config.KVClusterMasterPrefix,
            isLeader: () => o.raft.isLeaderWithQuorum(),
            onReport: (r) =>
              r.ok
                ? o.log.info({ store: r.store }, describeReport(r))
                : o.log.warn({ store: r.store }, describeReport(r)),
          });
    if (this.publisher) o.log.info({ stores: this.publisher.storeNames }, 'publishing masters to KV stores');
  }

  /** Starts the periodic submission (it acts only while this node leads with a quorum). */
  start(): void {
    this.timer = setInterval(() => void this.submitAll(), KV_SUBMIT_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publisher?.close();
  }

  /** MasterKVHook: the reference's five keys; DNS failures or delays give empty address keys. */
  async pairs(alias: string, master: InstanceKey): Promise<KVPair[]> {
    let addresses: MasterAddresses = { ipv4: '', ipv6: '' };
    try {
      addresses = await Promise.race([
        this.resolver(master.Hostname),
        new Promise<MasterAddresses>((_, reject) =>
          setTimeout(() => reject(new Error('DNS timeout')), RESOLVE_TIMEOUT_MS).unref(),
        ),
      ]);
    } catch (err) {
      this.o.log.debug({ host: master.Hostname, error: (err as Error).message }, 'cannot resolve a master');
    }
    return masterPairs({ prefix: this.o.config.KVClusterMasterPrefix, alias, master, addresses });
  }

  /** MasterKVHook: external stores in the background; each attempt becomes a recovery step. */
  distribute(pairs: readonly KVPair[], audit: (message: string) => void): void {
    void this.publisher?.publish(pairs, { mode: 'put', report: (r) => audit(describeReport(r)) });
  }

  /**
   * MasterKVPublisher (submit-masters-to-kv-stores): every pair into kv_store, then into the
   * external stores; waits (bounded) for the stores' first attempt so the answer can name failures.
   */
  async submit(
    masters: readonly { ClusterName: string; ClusterAlias: string; Master: InstanceKey }[],
  ): Promise<{ pairs: KVPair[]; errors: string[] }> {
    const pairs = await this.pairsOf(masters);
    for (const pair of pairs) await this.o.raft.propose('put-key-value', pair);
    const errors: string[] = [];
    if (this.publisher && pairs.length > 0) {
      const reports = await Promise.race([
        this.publisher.publish(pairs, { mode: 'put' }),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), ROUTE_WAIT_MS).unref()),
      ]);
      if (reports === undefined) errors.push(`KV stores still writing after ${ROUTE_WAIT_MS / 1000} s`);
      for (const r of reports ?? []) if (!r.ok) errors.push(describeReport(r));
    }
    return { pairs, errors };
  }

  /**
   * The periodic submission: every cluster's master. kv_store gets only pairs whose value changed
   * (no raft entry a minute for nothing); the external stores are read and only differing keys
   * rewritten, so their watchers see no change when nothing changed.
   */
  async submitAll(): Promise<void> {
    if (!this.o.raft.isLeaderWithQuorum()) return;
    try {
      const masters = await this.allMasters();
      const pairs = await this.pairsOf(masters);
      for (const pair of pairs) {
        if ((await this.o.store.kv.get(pair.Key)) !== pair.Value)
          await this.o.raft.propose('put-key-value', pair);
      }
      if (this.publisher && pairs.length > 0) void this.publisher.publish(pairs, { mode: 'sync' });
    } catch (err) {
      this.o.log.warn({ error: (err as Error).message }, 'periodic KV submission failed');
    }
  }

  private async pairsOf(
    masters: readonly { ClusterAlias: string; Master: InstanceKey }[],
  ): Promise<KVPair[]> {
    const lists = await Promise.all(masters.map((m) => this.pairs(m.ClusterAlias, m.Master)));
    return lists.flat();
  }

  private async allMasters(): Promise<{ ClusterName: string; ClusterAlias: string; Master: InstanceKey }[]> {
    const out: { ClusterName: string; ClusterAlias: string; Master: InstanceKey }[] = [];
    for (const info of await this.o.instances.clustersInfo()) {
      const master = clusterMaster(await this.o.instances.clusterInstances(info.ClusterName));
      if (master)
        out.push({
          ClusterName: info.ClusterName,
          ClusterAlias: info.ClusterAlias || info.ClusterName,
          Master: master.Key,
        });
    }
    return out;
  }
}
