// A bench server: createApi over in-memory deps with one 3-instance cluster.
// Usage: node server.mjs leader | node server.mjs follower <leaderURL>. Prints its URL on stdout.
import http from 'node:http';
import { emptyInstance } from '@orchestrator/store';
import { createApi } from '../dist/index.js';

const [role = 'leader', leaderURL = ''] = process.argv.slice(2);
const master = { Hostname: 'db1', Port: 3306 };
const instances = ['db1', 'db2', 'db3'].map((h) => ({
  ...emptyInstance({ Hostname: h, Port: 3306 }),
  ClusterName: 'db1:3306',
  MasterKey: h === 'db1' ? { Hostname: '', Port: 0 } : master,
  Version: '10.11.6-MariaDB-log',
  ReadOnly: h !== 'db1',
}));
const state = role === 'leader' ? 'Leader' : 'Follower';
const none = () => [];
const deps = {
  raft: {
    enabled: true,
    state: () => state,
    leader: () => '127.0.0.1:10008',
    leaderURI: () => (role === 'leader' ? '' : leaderURL),
    peers: () => ['127.0.0.1:10008'],
    isPartOfQuorum: () => true,
    isLeaderWithQuorum: () => role === 'leader',
    raftBind: '127.0.0.1:10008',
    raftAdvertise: '127.0.0.1:10008',
    yield() {},
    yieldHint() {},
    snapshot() {},
    reportHealth: () => true,
    addPeer: (a) => a,
    removePeer: (a) => a,
  },
  commands: { propose: async () => null },
  instances: {
    instance: (k) => instances.find((i) => i.Key.Hostname === k.Hostname && i.Key.Port === k.Port) ?? null,
    replicas: none,
    all: () => instances,
    search: none,
    clusterInstances: (name) => instances.filter((i) => i.ClusterName === name),
    clusters: () => ['db1:3306'],
    clustersInfo: none,
  },
  discovery: { discover: async () => instances[0], refresh: async () => {} },
  maintenance: { begin() {}, end: () => true, list: none },
  tags: { list: none, value: () => null, tagged: none, untag: none },
  pools: { clusterPoolInstances: none },
  analysis: { replicationAnalysis: none },
  recoveries: {
    globalRecoveriesDisabled: () => false,
    recoveries: none,
    steps: none,
    failureDetections: none,
    blocked: none,
    active: none,
    recentlyActiveCluster: none,
    recentlyActiveInstance: none,
  },
  audit: { list: none },
  health: { status: () => ({ Healthy: true }) },
};
const server = http.createServer(createApi(deps, { ownURL: 'http://bench-self:1' }).listener());
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
