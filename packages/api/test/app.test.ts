import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type RouteDef } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

describe('HTTP conventions', () => {
  let fake: Fake;
  let server: Served;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps);
  });
  afterAll(() => server.close());

  it('accepts an optional trailing slash', async () => {
    expect((await get(`${server.url}/api/clusters/`)).body).toEqual(['db1:3306', 'other:3307']);
    expect((await get(`${server.url}/api/instance/db1/3306/`)).status).toBe(200);
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await get(`${server.url}/api/clusters`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('keeps the old *slave* synonyms', async () => {
    const a = await get(`${server.url}/api/instance-replicas/db1/3306`);
    const b = await get(`${server.url}/api/instance-slaves/db1/3306`);
    expect(a.body).toEqual(b.body);
    expect((a.body as unknown[]).length).toBe(2);
  });

  it('unknown routes → JSON 404 envelope', async () => {
    for (const path of ['/api/nope', '/api', '/', '/api/instance/db1', '/web/clusters', '/api//clusters']) {
      const res = await get(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ Code: 'ERROR', Details: null });
    }
  });

  it('wrong methods → JSON 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await get(`${server.url}/api/clusters`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(res.body).toMatchObject({ Code: 'ERROR' });
    }
  });

  it('validation errors name the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/instance/db1/abc', 'port'],
      ['/api/instance/db1/0', 'port'],
      ['/api/instance/db1/70000', 'port'],
      ['/api/instance/db%20x/3306', 'host'],
      ['/api/begin-downtime/db1/3306/me/why/10parsecs', 'duration'],
      ['/api/audit-recovery/id/x', 'id'],
      ['/api/relocate-nothing/x', ''],
      ['/api/instance/%E0%A4%A/3306', 'host'],
      ['/api/tag/db1/3306', 'tag'],
      ['/api/submit-pool-instances/p?instances=a:b', 'instances'],
    ];
    for (const [path, param] of cases) {
      const res = await get(`${server.url}${path}`);
      if (param === '') {
        expect(res.status, path).toBe(404);
        continue;
      }
      expect(res.status, path).toBe(400);
      expect((res.body as { Message: string }).Message, path).toContain(`parameter ${param}`);
      expect((res.body as { Details: unknown }).Details).toEqual({ Parameter: param });
    }
  });

  it('refuses huge URLs with JSON 414', async () => {
    const res = await get(`${server.url}/api/search/${'a'.repeat(9000)}`);
    expect(res.status).toBe(414);
    expect(res.body).toMatchObject({ Code: 'ERROR' });
  });

  it('serves Prometheus metrics with per-route counters', async () => {
    await get(`${server.url}/api/clusters`);
    const res = await fetch(`${server.url}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(
      /orchestrator_http_requests_total\{route="clusters",method="GET",status="200"\} [1-9]/,
    );
    expect(text).toContain('orchestrator_http_request_duration_seconds_bucket');
  });

  it('a dependency error becomes a 500 envelope and is reported', async () => {
    const errors: unknown[] = [];
    const broken = makeFake();
    broken.deps.instances.all = () => {
      throw new Error('database is locked');
    };
    const s = await serve(broken.deps, { onError: (e) => errors.push(e) });
    try {
      const res = await get(`${s.url}/api/all-instances`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ Code: 'ERROR', Message: 'database is locked', Details: null });
      expect(errors).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});

describe('URLPrefix, StatusEndpoint and extra routes', () => {
  it('serves everything under the prefix only', async () => {
    const fake = makeFake();
    const s = await serve(fake.deps, { urlPrefix: 'orc/', statusEndpoint: '/my-status' });
    try {
      expect((await get(`${s.url}/orc/api/clusters`)).status).toBe(200);
      expect((await get(`${s.url}/api/clusters`)).status).toBe(404);
      expect((await get(`${s.url}/orc/my-status`)).body).toMatchObject({ Code: 'OK' });
      expect((await fetch(`${s.url}/orc/metrics`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('registers extra routes and rejects colliding ones', async () => {
    const fake = makeFake();
    const extra: RouteDef = {
      name: 'relocate',
      paths: ['relocate/:host/:port/:belowHost/:belowPort'],
      kind: 'write',
      handler: (req) => ({ Code: 'OK', Message: 'moved', Details: req.params.belowHost }),
    };
    const s = await serve(fake.deps, { extraRoutes: [extra] });
    try {
      expect((await get(`${s.url}/api/relocate/db3/3306/db2/3306`)).body).toMatchObject({ Details: 'db2' });
    } finally {
      await s.close();
    }
    const clash: RouteDef = { name: 'x', paths: ['instance/:a/:b'], kind: 'local', handler: () => null };
    expect(() => createApi(fake.deps, { extraRoutes: [clash] })).toThrow(/collides with route instance/);
  });

  it('two apps can share one metrics registry', () => {
    const registry = new Registry();
    const fake = makeFake();
    createApi(fake.deps, { registry });
    expect(() => createApi(fake.deps, { registry })).not.toThrow();
  });
});

describe('read cache', () => {
  let fake: Fake;
  let server: Served;
  let version = 0;
  beforeAll(async () => {
    fake = makeFake();
    server = await serve(fake.deps, { readCache: { version: () => version, maxAgeMs: 60_000 } });
  });
  afterAll(() => server.close());

  it('answers cacheable reads from the cache until the data version changes', async () => {
    const first = await get(`${server.url}/api/instance/db1/3306`);
    expect(first.status).toBe(200);
    const before = fake.instances[0]?.Version;
    const master = fake.instances[0];
    if (master === undefined) throw new Error('fake has no master');
    master.Version = '10.11.99-changed';
    // Nothing was written as far as the version says: the old body is still served.
    expect((await get(`${server.url}/api/instance/db1/3306`)).text).toBe(first.text);
    version++;
    const fresh = await get(`${server.url}/api/instance/db1/3306`);
    expect((fresh.body as { Version: string }).Version).toBe('10.11.99-changed');
    master.Version = before ?? '';
    version++;
  });

  it('exports its hits and misses on /metrics', async () => {
    const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
    const before = await (await fetch(`${server.url}/metrics`)).text();
    await get(`${server.url}/api/instance/db1/3306`);
    await get(`${server.url}/api/instance/db1/3306`);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    const hits =
      metric(after, 'orchestrator_api_read_cache_hits_total') -
      metric(before, 'orchestrator_api_read_cache_hits_total');
    const misses =
      metric(after, 'orchestrator_api_read_cache_misses_total') -
      metric(before, 'orchestrator_api_read_cache_misses_total');
    expect({ hits, misses }).toEqual({ hits: 1, misses: 1 });
  });

  it('never caches errors or routes that are not cacheable', async () => {
    expect((await get(`${server.url}/api/instance/nosuch/3306`)).status).toBe(500);
    fake.s.healthy = false;
    const health = await get(`${server.url}/api/health`);
    fake.s.healthy = true;
    expect((await get(`${server.url}/api/health`)).text).not.toBe(health.text);
  });
});

describe('listener(): the leader-check fast path', () => {
  let fake: Fake;
  let fast: Served;
  let full: Served;
  beforeAll(async () => {
    fake = makeFake();
    fast = await serve(fake.deps, { urlPrefix: '/orc' }, 'listener');
    full = await serve(fake.deps, { urlPrefix: '/orc' }, 'koa');
  });
  afterAll(async () => {
    await fast.close();
    await full.close();
  });

  const same = async (path: string, init: RequestInit = {}) => {
    const a = await get(`${fast.url}${path}`, init);
    const b = await get(`${full.url}${path}`, init);
    expect(a.status, path).toBe(b.status);
    expect(a.text, path).toBe(b.text);
    expect(a.headers.get('content-type'), path).toBe(b.headers.get('content-type'));
    expect(a.headers.get('content-length'), path).toBe(b.headers.get('content-length'));
    return a;
  };

  it('answers exactly like the Koa pipeline, leader or not, GET or HEAD', async () => {
    expect((await same('/orc/api/leader-check')).body).toBe('OK');
    expect((await same('/orc/api/leader-check/')).status).toBe(200);
    expect((await same('/orc/api/leader-check', { method: 'HEAD' })).text).toBe('');
    fake.s.hasQuorum = false;
    expect((await same('/orc/api/leader-check')).status).toBe(404);
    fake.s.hasQuorum = true;
    fake.s.state = 'Follower';
    expect((await same('/orc/api/leader-check')).status).toBe(404);
    expect((await same('/orc/api/leader-check/503')).status).toBe(503);
    fake.s.state = 'Leader';
  });

  it('counts fast answers in /metrics and leaves every other request to Koa', async () => {
    await get(`${fast.url}/orc/api/leader-check`);
    const metrics = await (await fetch(`${fast.url}/orc/metrics`)).text();
    expect(metrics).toMatch(
      /orchestrator_http_requests_total\{route="leader-check",method="GET",status="200"\} [1-9]/,
    );
    expect((await get(`${fast.url}/orc/api/leader-check`, { method: 'POST' })).status).toBe(405);
    expect((await get(`${fast.url}/orc/api/clusters`)).body).toEqual(['db1:3306', 'other:3307']);
    expect((await get(`${fast.url}/api/leader-check`)).status).toBe(404);
  });
});
