// The typed methods: the route each one calls and the value it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorClient } from '../src/index.js';
import { FakeOrchestratorCluster, type FakeResponse, samples } from '../src/testing/index.js';

const { key, ok, db1, db2, db3, mainCluster } = samples;
const k1 = key('db-1');
const k2 = key('db-2');
const k3 = key('db-3');

let cluster: FakeOrchestratorCluster;
let client: OrchestratorClient;

beforeAll(async () => {
  cluster = await FakeOrchestratorCluster.start({ leader: 0 });
  client = new OrchestratorClient({ api: cluster.apiUrls, sleep: async () => {} });
});
afterAll(async () => {
  await cluster.close();
});

interface Case {
  name: string;
  call: (c: OrchestratorClient) => Promise<unknown>;
  path: string;
  query?: Record<string, string>;
  response: FakeResponse;
  result: unknown;
}

const recovery = samples.sampleRecovery(k2);
const RAFT_STATUS = {
  RaftBind: '127.0.0.1:10008',
  RaftAdvertise: '127.0.0.1:10008',
  State: 'Leader',
  Healthy: true,
  IsPartOfQuorum: true,
  Leader: '127.0.0.1:10008',
  LeaderURI: 'http://127.0.0.1:3000',
  Peers: ['127.0.0.1:10008', '127.0.0.1:10009', '127.0.0.1:10010'],
};

const CASES: Case[] = [
  {
    name: 'instance',
    call: (c) => c.instance(k2),
    path: 'instance/db-2/3306',
    response: { body: db2 },
    result: db2,
  },
  {
    name: 'cluster',
    call: (c) => c.cluster('main'),
    path: 'cluster/main',
    response: { body: [db1, db2] },
    result: [db1, db2],
  },
  {
    name: 'clusters',
    call: (c) => c.clusters(),
    path: 'clusters',
    response: { body: ['db-1:3306'] },
    result: ['db-1:3306'],
  },
  {
    name: 'clusters (null → [])',
    call: (c) => c.clusters(),
    path: 'clusters',
    response: { body: null },
    result: [],
  },
  {
    name: 'clustersInfo',
    call: (c) => c.clustersInfo(),
    path: 'clusters-info',
    response: { body: [mainCluster] },
    result: [mainCluster],
  },
  {
    name: 'discover',
    call: (c) => c.discover(k2),
    path: 'discover/db-2/3306',
    response: ok(db2),
    result: db2,
  },
  { name: 'forget', call: (c) => c.forget(k2), path: 'forget/db-2/3306', response: ok(k2), result: k2 },
  {
    name: 'beginDowntime',
    call: (c) => c.beginDowntime(k3, 'alice', 'new disk', '2h'),
    path: 'begin-downtime/db-3/3306/alice/new disk/2h',
    response: ok(k3),
    result: k3,
  },
  {
    name: 'registerCandidate',
    call: (c) => c.registerCandidate(k3, 'prefer'),
    path: 'register-candidate/db-3/3306/prefer',
    response: ok(k3),
    result: k3,
  },
  {
    name: 'replicationAnalysis',
    call: (c) => c.replicationAnalysis(),
    path: 'replication-analysis',
    response: ok([samples.sampleAnalysis('db-1', 'DeadMaster')]),
    result: [samples.sampleAnalysis('db-1', 'DeadMaster')],
  },
  {
    name: 'replicationAnalysis (null → [])',
    call: (c) => c.replicationAnalysis('db-1:3306'),
    path: 'replication-analysis/db-1:3306',
    response: ok(null),
    result: [],
  },
  { name: 'recover', call: (c) => c.recover(k1), path: 'recover/db-1/3306', response: ok(k3), result: k3 },
  {
    name: 'recover with a candidate, lite',
    call: (c) => c.recover(k1, { candidate: k2, lite: true }),
    path: 'recover-lite/db-1/3306/db-2/3306',
    response: ok(k2),
    result: k2,
  },
  {
    name: 'gracefulMasterTakeover',
    call: (c) => c.gracefulMasterTakeover('main'),
    path: 'graceful-master-takeover/main',
    response: ok(recovery),
    result: recovery,
  },
  {
    name: 'gracefulMasterTakeover designated, auto',
    call: (c) => c.gracefulMasterTakeover('main', k2, true),
    path: 'graceful-master-takeover-auto/main/db-2/3306',
    response: ok(recovery),
    result: recovery,
  },
  {
    name: 'forceMasterFailover',
    call: (c) => c.forceMasterFailover('db-1:3306'),
    path: 'force-master-failover/db-1:3306',
    response: ok(recovery),
    result: recovery,
  },
  {
    name: 'ackClusterRecoveries',
    call: (c) => c.ackClusterRecoveries('main', 'on it & done'),
    path: 'ack-recovery/cluster/main',
    query: { comment: 'on it & done' },
    response: ok('db-1:3306'),
    result: 'db-1:3306',
  },
  {
    name: 'canReplicateFrom',
    call: (c) => c.canReplicateFrom(k3, k2, true),
    path: 'can-replicate-from-gtid/db-3/3306/db-2/3306',
    response: ok(k2, 'true'),
    result: { canReplicate: true, key: k2 },
  },
  {
    name: 'moveBelow',
    call: (c) => c.moveBelow('move-below-gtid', k3, k2),
    path: 'move-below-gtid/db-3/3306/db-2/3306',
    response: ok(db3),
    result: db3,
  },
  {
    name: 'moveReplicas without destination',
    call: (c) => c.moveReplicas('repoint-replicas', k1),
    path: 'repoint-replicas/db-1/3306/',
    response: ok([db2, db3]),
    result: [db2, db3],
  },
  {
    name: 'tagged',
    call: (c) => c.tagged('role=backup'),
    path: 'tagged/',
    query: { tag: 'role=backup' },
    response: { body: [k3] },
    result: [k3],
  },
  {
    name: 'submitPoolInstances (list)',
    call: (c) => c.submitPoolInstances('analytics', ['db-2:3306', 'db-3:3306']),
    path: 'submit-pool-instances/analytics',
    query: { instances: 'db-2:3306,db-3:3306' },
    response: ok('analytics'),
    result: 'analytics',
  },
  {
    name: 'raftLeader',
    call: (c) => c.raftLeader(),
    path: 'raft-leader',
    response: { body: '127.0.0.1:10008' },
    result: '127.0.0.1:10008',
  },
  {
    name: 'raftHealth',
    call: (c) => c.raftHealth(),
    path: 'raft-health',
    response: { body: 'healthy' },
    result: 'healthy',
  },
  {
    name: 'raftStatus',
    call: (c) => c.raftStatus(),
    path: 'raft-status',
    response: { body: RAFT_STATUS },
    result: RAFT_STATUS,
  },
  {
    name: 'raftPeers',
    call: (c) => c.raftPeers(),
    path: 'raft-peers',
    response: { body: RAFT_STATUS.Peers },
    result: RAFT_STATUS.Peers,
  },
  {
    name: 'raftYieldHint',
    call: (c) => c.raftYieldHint('orc-2'),
    path: 'raft-yield-hint/orc-2',
    response: ok('orc-2'),
    result: 'orc-2',
  },
  {
    name: 'get (raw body, envelope kept)',
    call: (c) => c.get('/check-global-recoveries'),
    path: 'check-global-recoveries',
    response: ok('enabled'),
    result: { Code: 'OK', Message: '', Details: 'enabled' },
  },
];

describe('typed methods', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    cluster.routes([{ path: c.path, response: c.response }]);
    cluster.clearRequests();
    expect(await c.call(client)).toEqual(c.result);
    expect(cluster.apiRequests().map((r) => ({ path: r.path, query: r.query }))).toEqual([
      { path: c.path, query: c.query ?? {} },
    ]);
  });

  it('call() exposes raw body, Details and Message', async () => {
    cluster.routes([
      { path: 'disable-global-recoveries', response: ok('disabled', 'Globally disabled recoveries') },
    ]);
    const result = await client.call('disable-global-recoveries');
    expect(result).toMatchObject({
      details: 'disabled',
      message: 'Globally disabled recoveries',
      enveloped: true,
      api: cluster.apiUrls[0],
    });
  });

  it('onResponse sees every JSON answer', async () => {
    const seen: unknown[] = [];
    const observed = new OrchestratorClient({
      api: cluster.apiUrls[0]!,
      onResponse: (e) => seen.push(e.body),
    });
    cluster.routes([{ path: 'raft-health', response: { body: 'healthy' } }]);
    await observed.raftHealth();
    expect(seen).toEqual(['healthy']);
  });
});
