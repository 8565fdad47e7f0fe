// The command line's working set: the daemon's own parts — store, state machine, prober, recovery
// engine, topology moves, replication control and the API's route table — composed without an
// HTTP server. A command runs the same route handler the HTTP API would.
//
// - Raft off (`RaftEnabled: false`): replicated commands go through a one-member raft group in
//   memory and the state machine, into the backend, exactly as the daemon does without raft.
// - Raft on with --ignore-raft-setup: nothing is proposed (commands that would propose are refused
//   before a session opens; `propose` throws as a last guard). Reads come from this node's backend,
//   and MySQL is acted on directly.

import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  type ApiDeps,
  builtinRoutes,
  type HealthStatus,
  type ResolvedApiOptions,
  type RouteDef,
  RouteTable,
  resolveOptions,
} from '@orchestrator/api';
import {
  DiscoveryLoop,
  keyString,
  MySQLProber,
  type ProbeResult,
  type ReplicationAnalysis,
} from '@orchestrator/prober';
import type { RecoveryEngine } from '@orchestrator/recovery';
import { type Instance, type InstanceKey, openStore, type Store } from '@orchestrator/store';
import {
  auditReads,
  candidateReads,
  discoveryPort,
  instanceReads,
  maintenanceStore,
  poolReads,
  recoveryReads,
  tagStore,
} from '../api-deps.js';
import { SteadyClock } from '../clock.js';
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import { analyzeLoop, proberConfigFrom, readFormerMasters, repository } from '../discovery.js';
import { MasterKV } from '../kv.js';
import type { Logger } from '../logger.js';
import { createRaftNode } from '../raft/node.js';
import { RaftService } from '../raft/service.js';
import { OrchestratorStateMachine } from '../raft/state-machine.js';
import { createEngine } from '../recovery.js';
import { recoveryRoutes } from '../routes/recovery-routes.js';
import { createReplicationControl, replicationRoutes } from '../routes/replication-routes.js';
import { topologyRoutes, topologyService } from '../routes/topology-routes.js';

/** Thrown by a session that may not propose (raft on): the command would change replicated state. */
export class ReplicatedStateRefusedError extends Error {
  readonly code = 'REPLICATED_STATE_REFUSED';
}

export interface SessionOptions {
  config: OrchestratorConfig;
  derived: DerivedConfig;
  log: Logger;
  /** Who acts: --owner, else the OS user (the reference's maintenance owner). */
  owner: string;
}

/** The OS user name, the reference's default owner. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'orchestrator';
  }
}

const noRaftHealth = (node: string): HealthStatus => ({
  Healthy: true,
  Hostname: node,
  Token: '',
  IsActiveNode: false,
  ActiveNode: null,
  Error: null,
  AvailableNodes: [],
  RaftLeader: '',
  IsRaftLeader: false,
  RaftLeaderURI: '',
  RaftAdvertise: '',
  RaftHealthyMembers: [],
});

export class CliSession {
  /** The result of the last replicated command (e.g. how many recoveries an ack matched). */
  lastResult: unknown;
  private loop: DiscoveryLoop | undefined;
  private analysis: ReplicationAnalysis[] = [];
  private readonly table: RouteTable;
  private readonly options: ResolvedApiOptions;
  private readonly closers: (() => Promise<unknown>)[] = [];

  private constructor(
    readonly o: SessionOptions,
    readonly store: Store,
    readonly deps: ApiDeps,
    routes: RouteDef[],
    private readonly clock: SteadyClock,
    readonly engine: RecoveryEngine | undefined,
  ) {
    this.table = new RouteTable([...builtinRoutes, ...routes]);
    this.options = resolveOptions({
      candidateInstanceExpireMinutes: o.config.CandidateInstanceExpireMinutes,
      kvClusterMasterPrefix: o.config.KVClusterMasterPrefix,
      recoverMasterClusterFilters: o.config.RecoverMasterClusterFilters,
      recoverIntermediateMasterClusterFilters: o.config.RecoverIntermediateMasterClusterFilters,
      recoveryIgnoreHostnameFilters: o.config.RecoveryIgnoreHostnameFilters,
      oscIgnoreHostnameFilters: o.config.OSCIgnoreHostnameFilters,
      now: () => new Date(clock.now()),
    });
  }

  static async open(o: SessionOptions): Promise<CliSession> {
    const { config, derived, log } = o;
    const clock = new SteadyClock();
    const node = { hostname: hostname(), token: randomBytes(16).toString('hex') };
    const store = await openStore(config, { node, clock: clock.now });
    const closers: (() => Promise<unknown>)[] = [() => store.close()];
    let session: CliSession | undefined;
    const live = {
      instances: () => session?.loop?.instances() ?? [],
      discover: (key: InstanceKey) => (session as CliSession).probe(key),
    };
    // MySQL is acted on as the operator asks: the command line holds no raft leadership to check.
    const operator = { isLeaderWithQuorum: () => true };
    let commands: ApiDeps['commands'];
    let raft: ApiDeps['raft'];
    let engine: RecoveryEngine | undefined;
    let kv: MasterKV | undefined;
    const extra: RouteDef[] = [];
    if (!config.RaftEnabled) {
      const sm = new OrchestratorStateMachine(
        store,
        (effects) => {
          for (const e of effects) if (e.type === 'forgotten') session?.loop?.forget(e.keys);
        },
        log,
      );
      await sm.init();
      const raftNode = createRaftNode(config, derived, sm, log);
      const service = new RaftService(raftNode, {
        raftBind: config.RaftBind,
        raftAdvertise: derived.raftId,
        defaultRaftPort: config.DefaultRaftPort,
        leaderURI: () => sm.leaderURI(),
        now: clock.now,
      });
      await raftNode.start();
      closers.unshift(() => raftNode.stop());
      await waitFor(() => service.isLeader(), 5000, 'the one-member raft group to elect this process');
      commands = {
        propose: async (op, payload) => {
          const result = await service.propose(op, payload);
          if (session) session.lastResult = result;
          return result;
        },
      };
      raft = service;
      kv = new MasterKV({ config, store, instances: instanceReads(store, config), raft: service, log });
      closers.unshift(() => (kv as MasterKV).stop());
      const created = createEngine({
        config,
        derived,
        store,
        raft: { isLeaderWithQuorum: () => service.isLeaderWithQuorum(), propose: commands.propose },
        live,
        node,
        log,
        kv,
        now: clock.now,
      });
      engine = created.engine;
      closers.unshift(async () => {
        await engine?.drain();
        await created.close();
      });
      extra.push(...recoveryRoutes({ engine, latestAnalysis: () => session?.analysis ?? [] }));
    } else {
      commands = {
        propose: async (op) => {
          throw new ReplicatedStateRefusedError(
            `refusing to publish the replicated command ${op} from the command line: raft is enabled`,
          );
        },
      };
      raft = {
        enabled: true,
        state: () => 'Follower',
        leader: () => '',
        leaderURI: () => '',
        peers: () => [...config.RaftNodes],
        isPartOfQuorum: () => false,
        isLeaderWithQuorum: () => false,
        raftBind: config.RaftBind,
        raftAdvertise: derived.raftId,
        yield: () => {},
        yieldHint: () => {},
        snapshot: () => {},
        reportHealth: () => false,
        addPeer: (a) => a,
        removePeer: (a) => a,
      };
    }
    const deps: ApiDeps = {
      raft,
      commands,
      instances: instanceReads(store, config),
      discovery: discoveryPort({
        discover: (key) => live.discover(key),
        refresh: (keys) => session?.loop?.refresh(keys),
        reachability: async () => ({ Reachable: false, Detail: 'the command line does not observe' }),
      }),
      maintenance: maintenanceStore(store),
      tags: tagStore(store, commands),
      pools: poolReads(store),
      analysis: {
        replicationAnalysis: (f) =>
          (session?.analysis ?? []).filter(
            (a) =>
              (f.clusterName === undefined || a.ClusterDetails.ClusterName === f.clusterName) &&
              (f.key === undefined || keyString(a.AnalyzedInstanceKey) === keyString(f.key)),
          ) as unknown as Record<string, unknown>[],
      },
      recoveries: recoveryReads(store),
      audit: auditReads(store),
      health: { status: () => noRaftHealth(node.hostname) },
      candidates: candidateReads(store),
      ...(kv ? { kv } : {}),
    };
    const topology = topologyService(config, derived, store, operator, live, log);
    closers.unshift(() => topology.close());
    const replication = createReplicationControl({
      config,
      derived,
      store,
      log,
      raft: operator,
      discovery: deps.discovery,
      instances: deps.instances,
    });
    closers.unshift(() => replication.close());
    extra.push(...topologyRoutes(topology), ...replicationRoutes(replication.control));
    session = new CliSession(o, store, deps, extra, clock, engine);
    session.closers.push(...closers);
    return session;
  }

  /**
   * Runs the route at `path` (relative to /api/, segments already percent-encoded) as the HTTP
   * API would, as user `owner`; resolves with what it answers and throws its ApiError.
   */
  async call(path: string, query: Record<string, string> = {}): Promise<unknown> {
    const match = this.table.match(path.split('/'));
    if (match === null) throw new Error(`no such route: ${path}`);
    return match.route.handler({
      params: match.params,
      query: new URLSearchParams(query),
      user: this.o.owner,
      headers: {},
      deps: this.deps,
      options: this.options,
    });
  }

  /** The probe loop of this session, started on first use with `known` as its initial view. */
  private ensureLoop(known: readonly Instance[] = []): DiscoveryLoop {
    if (this.loop) return this.loop;
    const proberConfig = { ...proberConfigFrom(this.o.config), DiscoverySeeds: [] };
    const repo = repository(this.store);
    this.loop = new DiscoveryLoop({
      config: proberConfig,
      prober: new MySQLProber(proberConfig),
      // Only the instances this command is about are loaded; everything probed is written back.
      repository: { ...repo, readAll: async () => [...known] },
      now: this.clock.now,
    });
    const loop = this.loop;
    this.closers.unshift(() => loop.stop());
    return loop;
  }

  private async startedLoop(known: readonly Instance[] = []): Promise<DiscoveryLoop> {
    const fresh = this.loop === undefined;
    const loop = this.ensureLoop(known);
    if (fresh) await loop.start();
    return loop;
  }

  /** Probes `key` now (and follows its master and replicas, like discovery); resolves with the probe. */
  async probe(key: InstanceKey): Promise<ProbeResult> {
    const loop = await this.startedLoop();
    return loop.discover(key);
  }

  /** Waits until everything the loop knows was probed once (a walk of the topology is complete). */
  async settle(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    const c = this.o.config;
    const limitMs = (c.MySQLConnectTimeoutSeconds + 2 * c.MySQLDiscoveryReadTimeoutSeconds + 2) * 1000;
    await waitFor(() => loop.settled(), limitMs, 'the probes of the topology');
    await loop.flush();
  }

  /**
   * Probes every stored instance of the clusters of `keys` (all known instances when `keys` is
   * undefined) so that plans, analysis and recoveries see MySQL as it is now, not as the backend
   * last recorded it.
   */
  async refresh(keys?: readonly InstanceKey[]): Promise<void> {
    const all = await this.store.instances.readAll();
    let known = all;
    if (keys !== undefined) {
      const wanted = new Set(keys.map(keyString));
      const clusters = new Set(all.filter((i) => wanted.has(keyString(i.Key))).map((i) => i.ClusterName));
      known = all.filter((i) => clusters.has(i.ClusterName) || wanted.has(keyString(i.Key)));
    }
    const loop = await this.startedLoop(known);
    for (const key of keys ?? [])
      if (!known.some((i) => keyString(i.Key) === keyString(key))) void loop.discover(key);
    await this.settle();
  }

  /**
   * Probes again, now, every stored instance of the clusters of `keys` and `keys` themselves, and
   * writes the results: after a command changed MySQL (a takeover, a failover) the backend shows
   * the topology as it is, as the reference re-reads the instances it moved.
   */
  async reprobe(keys: readonly InstanceKey[]): Promise<void> {
    const all = await this.store.instances.readAll();
    const wanted = new Set(keys.map(keyString));
    const clusters = new Set(all.filter((i) => wanted.has(keyString(i.Key))).map((i) => i.ClusterName));
    const targets = new Map<string, InstanceKey>();
    for (const i of all) if (clusters.has(i.ClusterName)) targets.set(keyString(i.Key), i.Key);
    const ordered = new Map<string, InstanceKey>([...keys].reverse().map((k) => [keyString(k), k]));
    for (const [id, key] of targets) if (!ordered.has(id)) ordered.set(id, key);
    const loop = await this.startedLoop();
    // In order, masters first: an instance takes its cluster name from its master's stored row.
    for (const key of ordered.values()) await loop.discover(key).catch(() => undefined);
    await this.settle();
  }

  /** Analysis of what this session probed (refresh first), downtimed entries included or not. */
  async analyze(includeDowntimed: boolean): Promise<ReplicationAnalysis[]> {
    const loop = this.loop;
    if (!loop) return [];
    const proberConfig = proberConfigFrom(this.o.config);
    this.analysis = await analyzeLoop(this.store, loop, proberConfig, this.clock.now(), {
      formerMasters: await readFormerMasters(this.store),
      includeDowntimed,
    });
    return this.analysis;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) {
      await Promise.race([close().catch(() => undefined), sleep(2000)]);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

async function waitFor(done: () => boolean, limitMs: number, what: string): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
