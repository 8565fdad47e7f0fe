// The reference's meta, bulk and monitoring routes, the path forms of the tag routes, maintenance by
// id, and the deliberate refusals: shapes, statuses and what they ask of the dependencies.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoutes } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

describe('meta routes', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps);
  });
  afterAll(() => server.close());

  it('headers: Go http.Header shape (canonical names → values), credentials redacted', async () => {
    const res = await get(`${server.url}/api/headers`, {
      headers: { 'X-Forwarded-For': '10.0.0.1', authorization: 'Basic dTpw' },
    });
    const body = res.body as Record<string, string[]>;
    expect(body['X-Forwarded-For']).toEqual(['10.0.0.1']);
    expect(body.Authorization).toEqual(['(redacted)']);
    expect(body.Host).toEqual([new URL(server.url).host]);
  });

  it('reload-configuration: the reloader’s report in Details, the restart keys named in Message', async () => {
    fake.s.calls.length = 0;
    const res = await get(`${server.url}/api/reload-configuration?config=/tmp/extra.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      Code: 'OK',
      Message:
        'Config reloaded: applied RecoverMasterClusterFilters; read at start, so these keep their running value until a restart: ListenAddress',
      Details: {
        Files: ['/etc/orchestrator.conf.json', '/tmp/extra.json'],
        Applied: ['RecoverMasterClusterFilters'],
        RestartRequired: ['ListenAddress'],
        Ignored: [],
      },
    });
    expect(fake.s.calls).toEqual(['reload /tmp/extra.json']);
  });

  it('reload-configuration: an invalid file is a 500 naming the problem; no reloader is a 500 too', async () => {
    const bad = makeFake();
    bad.deps.config = {
      reload: () => {
        throw new Error('/etc/orchestrator.conf.json: InstancePollSeconds: must be an integer');
      },
    };
    const none = makeFake();
    delete none.deps.config;
    const a = await serve(bad.deps);
    const b = await serve(none.deps);
    try {
      const invalid = await get(`${a.url}/api/reload-configuration`);
      expect(invalid.status).toBe(500);
      expect((invalid.body as { Message: string }).Message).toContain('InstancePollSeconds');
      const missing = await get(`${b.url}/api/reload-configuration`);
      expect(missing.status).toBe(500);
      expect((missing.body as { Message: string }).Message).toContain('without a config file');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reload-configuration and reset-hostname-resolve-cache need a writer; hostname-resolve-cache a reader', async () => {
    const s = await serve(makeFake().deps, {
      authenticationMethod: 'multi',
      httpAuthUser: 'admin',
      httpAuthPassword: 'pw',
    });
    const as = (user: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}` },
    });
    try {
      expect((await get(`${s.url}/api/reload-configuration`, as('readonly'))).status).toBe(403);
      expect((await get(`${s.url}/api/reset-hostname-resolve-cache`, as('readonly'))).status).toBe(403);
      expect((await get(`${s.url}/api/hostname-resolve-cache`, as('readonly'))).status).toBe(200);
      expect((await get(`${s.url}/api/reload-configuration`, as('admin'))).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('hostname-resolve-cache: go-cache Items shape; reset empties it', async () => {
    fake.s.hostnames = { db1: 'db1.example.com' };
    const cache = await get(`${server.url}/api/hostname-resolve-cache`);
    expect(cache.body).toEqual({
      Code: 'OK',
      Message: 'Cache retrieved',
      Details: { db1: { Object: 'db1.example.com', Expiration: 0 } },
    });
    const reset = await get(`${server.url}/api/reset-hostname-resolve-cache`);
    expect(reset.body).toEqual({ Code: 'OK', Message: 'Hostname cache cleared', Details: 1 });
    expect((await get(`${server.url}/api/hostname-resolve-cache`)).body).toMatchObject({ Details: {} });
  });

  it('resolve: OK with the key when the port accepts TCP; a 500 with the dial error when it does not', async () => {
    const listener: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    try {
      const ok = await get(`${server.url}/api/resolve/127.0.0.1/${port}`);
      expect(ok.body).toEqual({
        Code: 'OK',
        Message: 'Instance resolved',
        Details: { Hostname: '127.0.0.1', Port: port },
      });
    } finally {
      await new Promise<void>((r) => listener.close(() => r()));
    }
    const closed = await get(`${server.url}/api/resolve/127.0.0.1/${port}`);
    expect(closed.status).toBe(500);
    expect((closed.body as { Message: string }).Message).toContain('ECONNREFUSED');
  });
});

describe('bulk and monitoring routes', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps);
  });
  afterAll(() => server.close());

  it('bulk-instances: every key, sorted; bulk-promotion-rules: the candidate rows', async () => {
    expect((await get(`${server.url}/api/bulk-instances`)).body).toEqual([
      { Hostname: 'db1', Port: 3306 },
      { Hostname: 'db2', Port: 3306 },
      { Hostname: 'db3', Port: 3306 },
      { Hostname: 'other', Port: 3307 },
    ]);
    expect((await get(`${server.url}/api/bulk-promotion-rules`)).body).toEqual([
      {
        Hostname: 'db2',
        Port: 3306,
        PromotionRule: 'prefer',
        LastSuggestedString: '2026-01-01 00:00:00',
        PromotionRuleExpiry: '2026-01-01 01:00:00',
      },
    ]);
  });

  it('discovery metrics: raw needs a positive number of seconds; absent metrics are a 500', async () => {
    expect((await get(`${server.url}/api/discovery-metrics-raw/30`)).body).toEqual([
      { Hostname: 'db1', Port: 3306, Seconds: 30 },
    ]);
    expect((await get(`${server.url}/api/discovery-metrics-aggregated/5`)).body).toEqual({
      SuccessfulDiscoveries: 5,
    });
    expect((await get(`${server.url}/api/discovery-queue-metrics-raw/2`)).body).toEqual([
      { Active: 0, Queued: 2 },
    ]);
    const zero = await get(`${server.url}/api/discovery-metrics-raw/0`);
    expect(zero.status).toBe(400);
    expect(zero.body).toMatchObject({ Details: { Parameter: 'seconds' } });
    const none = makeFake();
    delete none.deps.discoveryMetrics;
    const s = await serve(none.deps);
    try {
      const res = await get(`${s.url}/api/discovery-queue-metrics-aggregated/60`);
      expect(res.status).toBe(500);
      expect((res.body as { Message: string }).Message).toContain('not collected');
    } finally {
      await s.close();
    }
  });

  it('replication-analysis-changelog: per instance, its changes', async () => {
    expect((await get(`${server.url}/api/replication-analysis-changelog`)).body).toEqual([
      {
        AnalyzedInstanceKey: { Hostname: 'db1', Port: 3306 },
        Changelog: ['2026-01-01 00:00:00;DeadMaster,'],
      },
    ]);
  });

  it('cluster-pool-instances maps pools to keys; heuristic-cluster-pool-lag is the largest lag', async () => {
    const pools = await get(`${server.url}/api/cluster-pool-instances/main/p2`);
    expect(pools.body).toMatchObject({
      Code: 'OK',
      Message: 'Read pool instances for cluster db1:3306',
      Details: { p2: [{ Hostname: 'db1' }, { Hostname: 'db2' }, { Hostname: 'db3' }] },
    });
    fake.instances[2]!.ReplicationLagSeconds = { Int64: 42, Valid: true };
    const lag = await get(`${server.url}/api/heuristic-cluster-pool-lag/main`);
    expect(lag.body).toEqual({ Code: 'OK', Message: 'Heuristic pool lag for cluster db1:3306', Details: 42 });
  });
});

describe('maintenance and tag path forms', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps);
  });
  afterAll(() => server.close());

  it('in-maintenance: Message true/false, Details the key string or ""', async () => {
    expect((await get(`${server.url}/api/in-maintenance/db1/3306`)).body).toEqual({
      Code: 'OK',
      Message: 'true',
      Details: 'db1:3306',
    });
    expect((await get(`${server.url}/api/in-maintenance/db2/3306`)).body).toEqual({
      Code: 'OK',
      Message: 'false',
      Details: '',
    });
  });

  it('end-maintenance/:maintenanceKey ends by id; an unknown id is a 500', async () => {
    expect((await get(`${server.url}/api/end-maintenance/7`)).body).toEqual({
      Code: 'OK',
      Message: 'Maintenance ended: 7',
      Details: 7,
    });
    const unknown = await get(`${server.url}/api/end-maintenance/8`);
    expect(unknown.status).toBe(500);
    expect((unknown.body as { Message: string }).Message).toBe(
      'Instance is not in maintenance mode; maintenance_id=8',
    );
  });

  it('tag/:host/:port/:tagName/:tagValue and friends take the tag from the path', async () => {
    fake.s.proposals.length = 0;
    await get(`${server.url}/api/tag/db1/3306/env/prod`);
    expect(fake.s.proposals[0]?.value).toEqual({
      Key: { Hostname: 'db1', Port: 3306 },
      T: { TagName: 'env', TagValue: 'prod', HasValue: true, Negate: false },
    });
    expect((await get(`${server.url}/api/tag-value/db1/3306/role`)).body).toBe('master');
    expect((await get(`${server.url}/api/untag/db1/3306/role`)).body).toMatchObject({ Code: 'OK' });
    expect((await get(`${server.url}/api/untag-all/role/master`)).body).toMatchObject({
      Details: [{ Hostname: 'db1', Port: 3306 }],
    });
    // ?tag= wins over the path, as in the reference.
    fake.s.proposals.length = 0;
    await get(`${server.url}/api/tag/db1/3306/env/prod?tag=dc=eu`);
    expect(fake.s.proposals[0]?.value).toMatchObject({ T: { TagName: 'dc', TagValue: 'eu' } });
  });

  it('cluster-osc-slaves is a synonym of cluster-osc-replicas', async () => {
    const res = await get(`${server.url}/api/cluster-osc-slaves/main`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
  });
});

describe('deliberate refusals', () => {
  it('each names why it is not served, on every node (local), for any authenticated user', async () => {
    const refused = builtinRoutes.filter((r) => r.refused !== undefined);
    expect(refused.map((r) => r.name).sort()).toEqual([
      'agents',
      'backend-query-metrics',
      'grab-election',
      'long-queries',
      'make-master',
      'master-equivalent',
      'reelect',
      'reload-cluster-alias',
      'write-buffer-metrics',
    ]);
    for (const r of refused) {
      expect(r.kind).toBe('local');
      expect(r.refused!.length).toBeGreaterThan(40);
    }
    const fake = makeFake();
    fake.s.state = 'Follower';
    const s = await serve(fake.deps);
    try {
      const res = await get(`${s.url}/api/agent-seed/db2/db1`);
      expect(res.status).toBe(500);
      expect((res.body as { Message: string }).Message).toMatch(/^agents: not supported: orchestrator-agent/);
      const election = await get(`${s.url}/api/grab-election`);
      expect((election.body as { Message: string }).Message).toContain('raft');
    } finally {
      await s.close();
    }
  });
});
