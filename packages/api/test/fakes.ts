// In-memory ApiDeps for tests: a 3-instance cluster and a 1-instance cluster, recorded proposals.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { emptyInstance, type Instance, type InstanceKey } from '@orchestrator/store';
import type { ApiDeps, ClusterInfo, HealthStatus, RaftState, TagFilter } from '../src/deps.js';
import { type ApiOptions, createApi, type OrchestratorApi } from '../src/index.js';

export function makeInstance(
  host: string,
  port: number,
  master?: InstanceKey,
  extra: Partial<Instance> = {},
): Instance {
  const i = emptyInstance({ Hostname: host, Port: port });
  return {
    ...i,
    Version: '10.11.6-MariaDB-log',
    ReadOnly: master !== undefined,
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    Binlog_format: 'ROW',
    UsingMariaDBGTID: master !== undefined,
    MasterKey: master ?? { Hostname: '', Port: 0 },
    ReplicationSQLThreadRuning: master !== undefined,
    ReplicationIOThreadRuning: master !== undefined,
    ReplicationSQLThreadState: master !== undefined ? 1 : -1,
    ReplicationIOThreadState: master !== undefined ? 1 : -1,
    ReplicationLagSeconds: { Int64: 0, Valid: true },
    IsLastCheckValid: true,
    IsRecentlyChecked: true,
    IsUpToDate: true,
    ReplicationDepth: master === undefined ? 0 : 1,
    ...extra,
  };
}

export interface FakeState {
  state: RaftState;
  leader: string;
  leaderURI: string;
  hasQuorum: boolean;
  proposals: { op: string; value: unknown }[];
  calls: string[];
  recoveriesDisabled: boolean;
  healthy: boolean;
  hostnames: Record<string, string>;
}

export interface Fake {
  deps: ApiDeps;
  s: FakeState;
  instances: Instance[];
}

export function makeFake(enabled = true): Fake {
  const m = makeInstance('db1', 3306, undefined, { ClusterName: 'db1:3306', SuggestedClusterAlias: 'main' });
  const r1 = makeInstance('db2', 3306, m.Key, {
    ClusterName: 'db1:3306',
    IsDowntimed: true,
    Problems: ['replication_lag'],
  });
  const r2 = makeInstance('db3', 3306, m.Key, { ClusterName: 'db1:3306', Problems: ['not_replicating'] });
  const o = makeInstance('other', 3307, undefined, { ClusterName: 'other:3307' });
  m.Replicas = [r1.Key, r2.Key];
  const instances = [m, r1, r2, o];
  const s: FakeState = {
    state: 'Leader',
    leader: '127.0.0.1:10008',
    leaderURI: '',
    hasQuorum: true,
    proposals: [],
    calls: [],
    recoveriesDisabled: false,
    healthy: true,
    hostnames: { db1: 'db1.example.com' },
  };
  const eq = (a: InstanceKey, b: InstanceKey) => a.Hostname === b.Hostname && a.Port === b.Port;
  const infos = (): ClusterInfo[] =>
    [...new Set(instances.map((i) => i.ClusterName))].map((name) => ({
      ClusterName: name,
      ClusterAlias: name === 'db1:3306' ? 'main' : '',
      ClusterDomain: '',
      CountInstances: instances.filter((i) => i.ClusterName === name).length,
      HeuristicLag: 0,
      HasAutomatedMasterRecovery: true,
      HasAutomatedIntermediateMasterRecovery: true,
    }));
  const tags = new Map<string, string[]>([['db1:3306', ['role=master', 'dc']]]);
  const health = (): HealthStatus => ({
    Healthy: s.healthy,
    Hostname: 'node1',
    Token: 'tok',
    IsActiveNode: s.state === 'Leader',
    ActiveNode: null,
    Error: s.healthy ? null : 'cannot write node_health',
    AvailableNodes: [],
    RaftLeader: s.leader,
    IsRaftLeader: s.state === 'Leader',
    RaftLeaderURI: s.leaderURI,
    RaftAdvertise: '127.0.0.1:10008',
    RaftHealthyMembers: ['127.0.0.1:10008'],
  });
  const deps: ApiDeps = {
    raft: {
      enabled,
      state: () => s.state,
      leader: () => s.leader,
      leaderURI: () => s.leaderURI,
      peers: () => ['127.0.0.1:10008', '127.0.0.2:10008'],
      isPartOfQuorum: () => (s.state === 'Leader' || s.state === 'Follower') && s.leader !== '',
      isLeaderWithQuorum: () => s.state === 'Leader' && s.hasQuorum,
      raftBind: '127.0.0.1:10008',
      raftAdvertise: '127.0.0.1:10008',
      yield: (node) => {
        s.calls.push(`yield ${node}`);
      },
      yieldHint: (hint) => {
        s.calls.push(`yield-hint ${hint}`);
      },
      snapshot: () => {
        s.calls.push('snapshot');
      },
      reportHealth: (token) => token === 'good',
      addPeer: (addr) => (addr.includes(':') ? addr : `${addr}:10008`),
      removePeer: (addr) => (addr.includes(':') ? addr : `${addr}:10008`),
    },
    commands: {
      propose: async (op, value) => {
        if (s.state !== 'Leader') throw Object.assign(new Error('not leader'), { code: 'NOT_LEADER' });
        s.proposals.push({ op, value });
        return null;
      },
    },
    instances: {
      instance: (key) => instances.find((i) => eq(i.Key, key)) ?? null,
      replicas: (key) => instances.filter((i) => eq(i.MasterKey, key)),
      all: () => instances,
      search: (q) => instances.filter((i) => i.Key.Hostname.includes(q)),
      clusterInstances: (name) => instances.filter((i) => i.ClusterName === name),
      clusters: () => [...new Set(instances.map((i) => i.ClusterName))],
      clustersInfo: infos,
    },
    topologyHistory: {
      snapshot: () => {
        s.calls.push('snapshot-topologies');
        return instances.length;
      },
    },
    discovery: {
      discover: async (key) => {
        s.calls.push(`discover ${key.Hostname}:${key.Port}`);
        if (key.Hostname === 'paused')
          throw Object.assign(new Error('discovery is paused'), { code: 'NOT_READY' });
        const found = instances.find((i) => eq(i.Key, key));
        if (!found) throw new Error('connection refused');
        return found;
      },
      refresh: async (key) => {
        s.calls.push(`refresh ${key.Hostname}:${key.Port}`);
      },
      reachability: async (key, withinMs) => ({
        Reachable: instances.some((i) => eq(i.Key, key)),
        Detail: `checked within ${withinMs} ms`,
      }),
    },
    maintenance: {
      begin: (key, owner) => {
        s.calls.push(`maintenance ${key.Hostname} ${owner}`);
      },
      end: (key) => key.Hostname === 'db1',
      list: () => [{ Id: 7, Key: m.Key, Owner: 'me' }],
    },
    tags: {
      list: (key) => tags.get(`${key.Hostname}:${key.Port}`) ?? [],
      value: (key, name) => {
        const t = (tags.get(`${key.Hostname}:${key.Port}`) ?? []).find((x) => x.split('=')[0] === name);
        return t === undefined ? null : (t.split('=')[1] ?? '');
      },
      tagged: (filters: TagFilter[]) => (filters.some((f) => f.TagName === 'role') ? [m.Key] : []),
      untag: (key) => (key === null ? [m.Key] : [key]),
    },
    pools: {
      clusterPoolInstances: (name) => instances.filter((i) => i.ClusterName === name),
      clusterPools: (name, pool) => ({
        [pool ?? 'p1']: instances.filter((i) => i.ClusterName === name).map((i) => i.Key),
      }),
    },
    analysis: {
      replicationAnalysis: (f) => [
        { Analysis: 'NoProblem', ClusterDetails: { ClusterName: f.clusterName ?? '' } },
      ],
      changelog: () => [{ AnalyzedInstanceKey: m.Key, Changelog: ['2026-01-01 00:00:00;DeadMaster,'] }],
    },
    config: {
      reload: (extra) => {
        s.calls.push(`reload ${extra ?? ''}`);
        return {
          Files: ['/etc/orchestrator.conf.json', ...(extra ? [extra] : [])],
          Applied: ['RecoverMasterClusterFilters'],
          RestartRequired: ['ListenAddress'],
          Ignored: [],
        };
      },
    },
    hostnames: {
      entries: () => s.hostnames,
      reset: () => {
        const n = Object.keys(s.hostnames).length;
        s.hostnames = {};
        return n;
      },
    },
    discoveryMetrics: {
      raw: (seconds) => [{ Hostname: 'db1', Port: 3306, Seconds: seconds }],
      aggregated: (seconds) => ({ SuccessfulDiscoveries: seconds }),
      queueRaw: (seconds) => [{ Active: 0, Queued: seconds }],
      queueAggregated: () => ({ QueuedMaxEntries: 0 }),
    },
    candidates: {
      all: () => [
        {
          Hostname: 'db2',
          Port: 3306,
          PromotionRule: 'prefer',
          LastSuggestedString: '2026-01-01 00:00:00',
          PromotionRuleExpiry: '2026-01-01 01:00:00',
        },
      ],
    },
    recoveries: {
      globalRecoveriesDisabled: () => s.recoveriesDisabled,
      recoveries: (f) => [{ Id: f.id ?? 1, UID: f.uid ?? 'u1', ClusterName: f.clusterName ?? '' }],
      steps: (uid) => [{ RecoveryUID: uid, Message: 'step' }],
      failureDetections: (f) => [{ Id: f.id ?? 1 }],
      blocked: (c) => [{ ClusterName: c ?? 'any' }],
      active: (c) => [{ ClusterName: c }],
      recentlyActiveCluster: (c) => [{ ClusterName: c }],
      recentlyActiveInstance: (k) => [{ Key: k }],
    },
    audit: { list: (f) => [{ Page: f.page, Key: f.key ?? null }] },
    health: { status: health },
  };
  return { deps, s, instances };
}

export interface Served {
  url: string;
  app: OrchestratorApi;
  close(): Promise<void>;
}

/** Serves an app on 127.0.0.1:0. */
export async function serve(
  deps: ApiDeps,
  options: ApiOptions = {},
  via: 'listener' | 'koa' = 'koa',
): Promise<Served> {
  const app = createApi(deps, options);
  const server = http.createServer(via === 'listener' ? app.listener() : app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: async () => {
      app.closeApi();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** GET (or another method) returning the parsed JSON body; fails the test when the body is not JSON. */
export async function get(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  if (init.method !== 'HEAD') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON body from ${url} (${res.status}): ${text.slice(0, 200)}`);
    }
  }
  return { status: res.status, body, text, headers: res.headers };
}
