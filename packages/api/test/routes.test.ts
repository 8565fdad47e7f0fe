import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoutes } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

// Sample values for every path parameter name used by the built-in routes.
const SAMPLE: Record<string, string> = {
  host: 'db1',
  port: '3306',
  clusterHint: 'db1:3306',
  clusterName: 'db1:3306',
  alias: 'main',
  s: 'db',
  owner: 'ops',
  reason: 'upgrade',
  duration: '1h',
  promotionRule: 'prefer',
  virtualname: 'vip1',
  pool: 'p1',
  page: '0',
  id: '7',
  uid: 'abc',
  recoveryId: '7',
  errorStatusCode: '503',
  node: '127.0.0.1:10008',
  hint: 'node2',
  token: 'good',
  raftBind: '127.0.0.1:10008',
  raftAdvertise: '127.0.0.1:10008',
  addr: '127.0.0.3',
  seconds: '60',
  tagName: 'role',
  tagValue: 'master',
  maintenanceKey: '7',
  targetHost: 'db2',
  sourceHost: 'db1',
  seedId: '1',
  command: 'df',
  filter: 'x',
  logFile: 'mysql-bin.000001',
  logPos: '4',
};

// Routes that need a real network peer: tested on their own below.
const OWN_TESTS = new Set(['resolve']);

const QUERY: Record<string, string> = {
  tag: 'tag=role=master',
  'untag-all': 'tag=role',
  'set-cluster-alias': 'alias=main2',
  'submit-pool-instances': 'instances=db1:3306,db2:3306',
  'ack-recovery': 'comment=done',
  'ack-all-recoveries': 'comment=done',
  untag: 'tag=role',
  'tag-value': 'tag=role',
  tagged: 'tag=role',
  search: 's=db',
};

describe('every route of the table answers JSON against the fakes', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps);
  });
  afterAll(() => server.close());

  const cases = builtinRoutes
    .filter((r) => !OWN_TESTS.has(r.name))
    .flatMap((r) => r.paths.map((p) => ({ route: r.name, path: p, refused: r.refused })));
  it.each(cases)('$path', async ({ route, path, refused }) => {
    const concrete = path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      const v = SAMPLE[name];
      if (v === undefined) throw new Error(`no sample for ${name}`);
      return encodeURIComponent(v);
    });
    const q = QUERY[route];
    const res = await get(`${server.url}/api/${concrete}${q ? `?${q}` : ''}`);
    // A deliberate refusal answers 500 with its reason; every other route answers.
    const expected = refused === undefined ? 200 : 500;
    expect(res.status, `${concrete}: ${res.text}`).toBe(expected);
    if (refused !== undefined) {
      expect(res.body).toEqual({
        Code: 'ERROR',
        Message: `${route}: not supported: ${refused}`,
        Details: { Supported: false },
      });
    } else if (res.body !== null && typeof res.body === 'object' && 'Code' in res.body) {
      expect((res.body as { Code: string }).Code).toBe('OK');
    }
  });

  it('covers at least the routes the brief lists', () => {
    const names = new Set(builtinRoutes.map((r) => r.name));
    for (const n of [
      'instance',
      'topology',
      'raft-status',
      'ack-recovery',
      'submit-masters-to-kv-stores',
      'health',
    ]) {
      expect(names.has(n)).toBe(true);
    }
    expect(cases.length).toBeGreaterThan(100);
  });
});

describe('response shapes', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps, { now: () => new Date('2026-01-01T00:00:00Z') });
  });
  afterAll(() => server.close());

  it('instance: Key and MasterKey; unknown → 500 envelope', async () => {
    const ok = await get(`${server.url}/api/instance/db2/3306`);
    expect(ok.body).toMatchObject({
      Key: { Hostname: 'db2', Port: 3306 },
      MasterKey: { Hostname: 'db1', Port: 3306 },
    });
    const missing = await get(`${server.url}/api/instance/nope/3306`);
    expect(missing.status).toBe(500);
    expect(missing.body).toEqual({
      Code: 'ERROR',
      Message: 'Cannot read instance: nope:3306',
      Details: { Hostname: 'nope', Port: 3306 },
    });
  });

  it('clusters, clusters-info, cluster by name, alias and member; masters and master', async () => {
    expect((await get(`${server.url}/api/clusters`)).body).toEqual(['db1:3306', 'other:3307']);
    const info = (await get(`${server.url}/api/clusters-info`)).body as {
      ClusterName: string;
      ClusterAlias: string;
    }[];
    expect(info[0]).toMatchObject({ ClusterName: 'db1:3306', ClusterAlias: 'main', CountInstances: 3 });
    for (const hint of ['db1:3306', 'main', 'db3:3306', 'db3', 'alias/main', 'instance/db2/3306']) {
      const res = await get(`${server.url}/api/cluster/${hint}`);
      expect(
        (res.body as { Key: { Hostname: string } }[]).map((i) => i.Key.Hostname),
        hint,
      ).toEqual(['db1', 'db2', 'db3']);
    }
    expect((await get(`${server.url}/api/cluster-info/main`)).body).toMatchObject({
      ClusterName: 'db1:3306',
    });
    const masters = (await get(`${server.url}/api/masters`)).body as { Key: { Hostname: string } }[];
    expect(masters.map((i) => i.Key.Hostname)).toEqual(['db1', 'other']);
    expect((await get(`${server.url}/api/master/db2:3306`)).body).toMatchObject({ Key: { Hostname: 'db1' } });
    const bad = await get(`${server.url}/api/cluster/nosuch`);
    expect(bad.status).toBe(500);
    expect(bad.body).toMatchObject({ Code: 'ERROR', Message: 'Unable to determine cluster name for nosuch' });
  });

  it('cluster-osc-replicas: an array of instances; snapshot-topologies records on this node', async () => {
    const osc = await get(`${server.url}/api/cluster-osc-replicas/main`);
    expect(osc.status).toBe(200);
    expect(Array.isArray(osc.body)).toBe(true);
    const snap = await get(`${server.url}/api/snapshot-topologies`);
    expect(snap.body).toEqual({ Code: 'OK', Message: 'Topology snapshot completed', Details: 4 });
    expect(fake.s.calls).toContain('snapshot-topologies');
  });

  it('instance-reachability: answered by this node itself, with the observer name; within validated', async () => {
    const ok = await get(`${server.url}/api/instance-reachability/db1/3306?within=1500`);
    expect(ok.body).toEqual({
      Key: { Hostname: 'db1', Port: 3306 },
      Observer: '127.0.0.1:10008',
      Reachable: true,
      Detail: 'checked within 1500 ms',
    });
    const bad = await get(`${server.url}/api/instance-reachability/db1/3306?within=soon`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ Details: { Parameter: 'within' } });
  });

  it('discovery that cannot run yet: 503 with Retry-After and the JSON envelope, never a 500', async () => {
    const res = await get(`${server.url}/api/discover/paused/3306`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toMatchObject({ Code: 'ERROR', Message: 'discovery is paused' });
  });

  it('clusters answers null when there are none', async () => {
    const empty = makeFake();
    empty.instances.length = 0;
    const s = await serve(empty.deps);
    try {
      expect((await get(`${s.url}/api/clusters`)).text).toBe('null');
    } finally {
      await s.close();
    }
  });

  it('downtimed and problems filter instances (problems leaves downtimed ones out, as the reference)', async () => {
    const d = (await get(`${server.url}/api/downtimed/`)).body as { Key: { Hostname: string } }[];
    expect(d.map((i) => i.Key.Hostname)).toEqual(['db2']);
    const p = (await get(`${server.url}/api/problems/main`)).body as { Key: { Hostname: string } }[];
    expect(p.map((i) => i.Key.Hostname)).toEqual(['db3']);
  });

  it('topology renders an indented tree in Details', async () => {
    const res = await get(`${server.url}/api/topology/main`);
    const details = (res.body as { Details: string }).Details;
    expect(details.split('\n')).toEqual([
      'db1:3306   [0s,ok,10.11.6-MariaDB,rw,ROW,>>]',
      '+ db2:3306 [0s,ok,10.11.6-MariaDB,ro,ROW,>>,GTID,downtimed]',
      '+ db3:3306 [0s,ok,10.11.6-MariaDB,ro,ROW,>>,GTID]',
    ]);
    const tags = (await get(`${server.url}/api/topology-tags/db1/3306`)).body as { Details: string };
    expect(tags.Details.split('\n')[0]).toContain('[role=master,dc]');
    const tab = (await get(`${server.url}/api/topology-tabulated/main`)).body as { Details: string };
    expect(tab.Details.split('\n')[0]).toMatch(/^db1:3306 +\|0s\|ok/);
  });

  it('begin-downtime proposes the reference payload with a default of 10 minutes', async () => {
    fake.s.proposals.length = 0;
    const res = await get(`${server.url}/api/begin-downtime/db1/3306/ops/maint`);
    expect(res.body).toEqual({
      Code: 'OK',
      Message: 'Downtime begun: db1:3306',
      Details: { Hostname: 'db1', Port: 3306 },
    });
    expect(fake.s.proposals).toEqual([
      {
        op: 'begin-downtime',
        value: {
          Key: { Hostname: 'db1', Port: 3306 },
          Owner: 'ops',
          Reason: 'maint',
          Duration: 600e9,
          BeginsAt: '2026-01-01T00:00:00.000Z',
          EndsAt: '2026-01-01T00:10:00.000Z',
          BeginsAtString: '2026-01-01 00:00:00',
          EndsAtString: '2026-01-01 00:10:00',
        },
      },
    ]);
    await get(`${server.url}/api/begin-downtime/db1/3306/ops/maint/1h30m`);
    expect(fake.s.proposals[1]?.value).toMatchObject({ Duration: 5400e9 });
  });

  it('register-candidate validates the rule and sets the expiry', async () => {
    fake.s.proposals.length = 0;
    await get(`${server.url}/api/register-candidate/db2/3306/prefer_not`);
    expect(fake.s.proposals[0]).toEqual({
      op: 'register-candidate',
      value: {
        Hostname: 'db2',
        Port: 3306,
        PromotionRule: 'prefer_not',
        LastSuggestedString: '2026-01-01 00:00:00',
        PromotionRuleExpiry: '2026-01-01 01:00:00',
      },
    });
    const bad = await get(`${server.url}/api/register-candidate/db2/3306/must`);
    expect(bad.status).toBe(400);
    expect((bad.body as { Message: string }).Message).toContain('promotionRule');
  });

  it('ack-recovery needs a comment and sends the right selector', async () => {
    fake.s.proposals.length = 0;
    const noComment = await get(`${server.url}/api/ack-all-recoveries`);
    expect(noComment.status).toBe(400);
    expect((noComment.body as { Message: string }).Message).toContain('comment');
    const byCluster = await get(`${server.url}/api/ack-recovery/cluster/alias/main?comment=x`);
    const byUid = await get(`${server.url}/api/ack-recovery/uid/u-1?comment=x`);
    const all = await get(`${server.url}/api/ack-all-recoveries?comment=x`);
    const byInstance = await get(`${server.url}/api/ack-recovery/instance/db2/3306?comment=x`);
    // Details as the reference returns them: cluster name, uid, comment, instance key.
    expect(byCluster.body).toMatchObject({ Message: 'Acknowledged cluster recoveries', Details: 'db1:3306' });
    expect(byUid.body).toMatchObject({ Message: 'Acknowledged recovery', Details: 'u-1' });
    expect(all.body).toMatchObject({ Message: 'Acknowledged all recoveries', Details: 'x' });
    expect(byInstance.body).toMatchObject({ Details: { Hostname: 'db2', Port: 3306 } });
    const values = fake.s.proposals.map((p) => p.value as Record<string, unknown>);
    expect(values[0]).toMatchObject({ ClusterName: 'db1:3306', Comment: 'x', AllRecoveries: false });
    expect(values[1]).toMatchObject({ UID: 'u-1' });
    expect(values[2]).toMatchObject({ AllRecoveries: true });
  });

  it('tags, set-cluster-alias, pools, global recoveries and kv submission', async () => {
    fake.s.proposals.length = 0;
    expect((await get(`${server.url}/api/tags/db1/3306`)).body).toEqual(['role=master', 'dc']);
    expect((await get(`${server.url}/api/tag-value/db1/3306?tag=role`)).body).toBe('master');
    expect((await get(`${server.url}/api/tagged/?tag=role`)).body).toEqual([{ Hostname: 'db1', Port: 3306 }]);
    await get(`${server.url}/api/tag/db1/3306?tag=env=prod`);
    await get(`${server.url}/api/set-cluster-alias/db1:3306?alias=primary`);
    expect(
      (await get(`${server.url}/api/submit-pool-instances/p1?instances=db1:3306,db2`)).body,
    ).toMatchObject({
      Details: 'p1',
    });
    expect((await get(`${server.url}/api/disable-global-recoveries`)).body).toMatchObject({
      Details: 'disabled',
    });
    const kv = (await get(`${server.url}/api/submit-masters-to-kv-stores/main`)).body as { Details: unknown };
    expect(kv.Details).toEqual([
      { Key: 'mysql/master/main', Value: 'db1:3306' },
      { Key: 'mysql/master/main/hostname', Value: 'db1' },
      { Key: 'mysql/master/main/port', Value: '3306' },
    ]);
    expect(fake.s.proposals.map((p) => p.op)).toEqual([
      'put-instance-tag',
      'set-cluster-alias-manual-override',
      'submit-pool-instances',
      'disable-global-recoveries',
      'put-key-value',
      'put-key-value',
      'put-key-value',
    ]);
    expect(fake.s.proposals[0]?.value).toEqual({
      Key: { Hostname: 'db1', Port: 3306 },
      T: { TagName: 'env', TagValue: 'prod', HasValue: true, Negate: false },
    });
    expect(fake.s.proposals[1]?.value).toEqual(['db1:3306', 'primary']);
    expect(fake.s.proposals[2]?.value).toMatchObject({ Pool: 'p1', DelimitedInstances: 'db1:3306,db2:3306' });
  });

  it('discover proposes then probes; unreachable → 500 envelope', async () => {
    fake.s.proposals.length = 0;
    const res = await get(`${server.url}/api/discover/db3/3306`);
    expect(res.body).toMatchObject({ Code: 'OK', Details: { Key: { Hostname: 'db3', Port: 3306 } } });
    expect(fake.s.proposals[0]).toEqual({ op: 'discover', value: { Hostname: 'db3', Port: 3306 } });
    const bad = await get(`${server.url}/api/discover/nothere/3306`);
    expect(bad.status).toBe(500);
    expect((bad.body as { Message: string }).Message).toContain('connection refused');
    const a = await get(`${server.url}/api/async-discover/db3/3306`);
    expect(a.body).toMatchObject({ Details: { Key: { Hostname: 'db3', Port: 3306 } } });
  });

  it('raft routes', async () => {
    expect((await get(`${server.url}/api/raft-state`)).body).toBe('Leader');
    expect((await get(`${server.url}/api/raft-leader`)).body).toBe('127.0.0.1:10008');
    expect((await get(`${server.url}/api/raft-health`)).body).toBe('healthy');
    expect((await get(`${server.url}/api/raft-status`)).body).toEqual({
      RaftBind: '127.0.0.1:10008',
      RaftAdvertise: '127.0.0.1:10008',
      State: 'Leader',
      Healthy: true,
      IsPartOfQuorum: true,
      Leader: '127.0.0.1:10008',
      LeaderURI: '',
      Peers: ['127.0.0.1:10008', '127.0.0.2:10008'],
    });
    expect((await get(`${server.url}/api/raft-add-peer/10.0.0.9`)).body).toBe('10.0.0.9:10008');
    const badToken = await get(`${server.url}/api/raft-follower-health-report/bad/a/b`);
    expect(badToken.status).toBe(500);
    fake.s.calls.length = 0;
    expect((await get(`${server.url}/api/raft-yield-hint/node2`)).body).toMatchObject({
      Code: 'OK',
      Details: 'node2',
    });
    expect(fake.s.calls).toEqual(['yield-hint node2']);
  });

  it('leader-check: 200 only with a quorum; custom error code', async () => {
    expect(await get(`${server.url}/api/leader-check`)).toMatchObject({ status: 200, body: 'OK' });
    fake.s.hasQuorum = false;
    try {
      expect(await get(`${server.url}/api/leader-check`)).toMatchObject({ status: 404, body: 'Not leader' });
      expect(await get(`${server.url}/api/leader-check/503`)).toMatchObject({
        status: 503,
        body: 'Not leader',
      });
    } finally {
      fake.s.hasQuorum = true;
    }
  });

  it('raft-health is 500 for a candidate; health is 500 when unhealthy', async () => {
    fake.s.state = 'Candidate';
    fake.s.healthy = false;
    try {
      expect(await get(`${server.url}/api/raft-health`)).toMatchObject({
        status: 500,
        body: { Code: 'ERROR', Message: 'unhealthy', Details: null },
      });
      const h = await get(`${server.url}/api/health`);
      expect(h.status).toBe(500);
      expect(h.body).toMatchObject({ Code: 'ERROR', Details: { Healthy: false } });
    } finally {
      fake.s.state = 'Leader';
      fake.s.healthy = true;
    }
  });

  it('raft routes answer 500 when raft is off', async () => {
    const off = makeFake(false);
    const s = await serve(off.deps);
    try {
      const res = await get(`${s.url}/api/raft-state`);
      expect(res.status).toBe(500);
      expect((res.body as { Message: string }).Message).toContain('raft is not running');
      // Writes are applied locally when raft is off (nothing to proxy to).
      expect((await get(`${s.url}/api/end-downtime/db1/3306`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
