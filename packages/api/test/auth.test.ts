import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

const READ = '/api/clusters';
const WRITE = '/api/end-downtime/db1/3306';
const OPEN = [
  '/api/leader-check',
  '/api/lb-check',
  '/api/_ping',
  '/api/health',
  '/api/status',
  '/api/raft-health',
  '/metrics',
];

describe('AuthenticationMethod basic', () => {
  let fake: Fake;
  let s: Served;
  beforeAll(async () => {
    fake = makeFake();
    s = await serve(fake.deps, {
      authenticationMethod: 'basic',
      httpAuthUser: 'orc',
      httpAuthPassword: 'secret',
    });
  });
  afterAll(() => s.close());

  it('the right credentials read and write', async () => {
    expect((await get(`${s.url}${READ}`, { headers: basic('orc', 'secret') })).status).toBe(200);
    expect((await get(`${s.url}${WRITE}`, { headers: basic('orc', 'secret') })).status).toBe(200);
  });

  it('missing or wrong credentials → 401 JSON with WWW-Authenticate', async () => {
    for (const headers of [
      {},
      basic('orc', 'wrong'),
      basic('other', 'secret'),
      { authorization: 'Bearer x' },
    ]) {
      for (const path of [READ, WRITE, '/api/unknown-route']) {
        const res = await get(`${s.url}${path}`, { headers });
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(res.body).toMatchObject({ Code: 'ERROR' });
      }
    }
  });

  it('the client HEAD probe on the base URL sees 401 Unauthorized', async () => {
    const res = await fetch(`${s.url}/api`, { method: 'HEAD', headers: basic('orc', 'nope') });
    expect(res.status).toBe(401);
    expect(res.statusText).toBe('Unauthorized');
  });

  it('health and leader checks stay reachable without credentials', async () => {
    for (const path of OPEN) expect((await fetch(`${s.url}${path}`)).status, path).toBe(200);
  });

  it('multi without the readonly user: readonly is just a wrong user here', async () => {
    expect((await get(`${s.url}${READ}`, { headers: basic('readonly', 'x') })).status).toBe(401);
  });
});

describe('AuthenticationMethod multi', () => {
  let fake: Fake;
  let s: Served;
  beforeAll(async () => {
    fake = makeFake();
    s = await serve(fake.deps, {
      authenticationMethod: 'multi',
      httpAuthUser: 'orc',
      httpAuthPassword: 'secret',
    });
  });
  afterAll(() => s.close());

  it('readonly with any password reads but cannot write', async () => {
    expect((await get(`${s.url}${READ}`, { headers: basic('readonly', 'anything') })).status).toBe(200);
    const w = await get(`${s.url}${WRITE}`, { headers: basic('readonly', 'anything') });
    expect(w.status).toBe(403);
    expect(w.body).toMatchObject({ Code: 'ERROR' });
    expect((w.body as { Message: string }).Message).toContain('Unauthorized');
    const y = await get(`${s.url}/api/raft-yield/x`, { headers: basic('readonly', 'anything') });
    expect(y.status).toBe(403);
    expect(fake.s.proposals).toEqual([]);
  });

  it('the main user writes; the acknowledging owner is the user', async () => {
    await get(`${s.url}/api/ack-all-recoveries?comment=ok`, { headers: basic('orc', 'secret') });
    expect(fake.s.proposals[0]?.value).toMatchObject({ Owner: 'orc', Comment: 'ok' });
  });

  it('a wrong password for the main user is refused', async () => {
    expect((await get(`${s.url}${READ}`, { headers: basic('orc', 'bad') })).status).toBe(401);
  });
});

describe('ReadOnly and no authentication', () => {
  it('ReadOnly refuses every write, reads pass', async () => {
    const fake = makeFake();
    const s = await serve(fake.deps, { readOnly: true });
    try {
      expect((await get(`${s.url}${READ}`)).status).toBe(200);
      for (const path of [WRITE, '/api/forget/db1/3306', '/api/raft-snapshot', '/api/raft-add-peer/x']) {
        const res = await get(`${s.url}${path}`);
        expect(res.status, path).toBe(403);
      }
      expect(fake.s.proposals).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('no method: everything open', async () => {
    const fake = makeFake();
    const s = await serve(fake.deps);
    try {
      expect((await get(`${s.url}${WRITE}`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('invalid auth options are refused at creation', () => {
    const fake = makeFake();
    expect(() => createApi(fake.deps, { authenticationMethod: 'basic' })).toThrow(/httpAuthUser/);
    expect(() =>
      createApi(fake.deps, { authenticationMethod: 'token' as 'basic', httpAuthUser: 'x' }),
    ).toThrow(/not supported/);
  });
});
