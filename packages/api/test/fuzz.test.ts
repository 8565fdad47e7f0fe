import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoutes } from '../src/index.js';
import { type Fake, makeFake, type Served, serve } from './fakes.js';

// A seeded PRNG so a failure reproduces exactly (mulberry32).
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '',
  '0',
  '-1',
  '65536',
  '99999999999999999999',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '..',
  '%2F',
  'a%20b',
  '%F0%9F%92%A9',
  "'; DROP TABLE x; --",
  '$(reboot)',
  '<script>',
  'x'.repeat(300),
  '3306',
  'db1',
  'db1:3306',
  'main',
  '1h',
  'prefer',
];

/** Raw request so malformed paths reach the server exactly as written. */
function raw(
  base: string,
  method: string,
  path: string,
): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, timeout: 5000, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            type: String(res.headers['content-type'] ?? ''),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('fuzz: random routes and parameters', () => {
  let fake: Fake;
  let s: Served;
  const unexpected: unknown[] = [];
  beforeAll(async () => {
    fake = makeFake();
    s = await serve(fake.deps, { onError: (err, path) => unexpected.push({ err, path }) });
  });
  afterAll(() => s.close());

  it('400 random requests: always JSON, never a crash or a hang', async () => {
    const rand = prng(20261125);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const patterns = builtinRoutes.flatMap((r) => r.paths);
    for (let n = 0; n < 400; n++) {
      const pattern = pick(patterns);
      let path = `/api/${pattern.replace(/:[A-Za-z]+/g, () => pick(NASTY))}`;
      if (rand() < 0.15) path += '/';
      if (rand() < 0.1) path += `/${pick(NASTY)}`;
      if (rand() < 0.3) path += `?${pick(['tag', 's', 'comment', 'alias', 'instances'])}=${pick(NASTY)}`;
      // Node's client refuses spaces and non-Latin-1 in a path; everything else goes out raw.
      path = path.replace(/[^\u0021-\u00ff]/g, (c) => encodeURIComponent(c));
      const method = rand() < 0.9 ? 'GET' : pick(['POST', 'PUT', 'DELETE', 'HEAD']);
      const res = await raw(s.url, method, path);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${method} ${path}`).toBeLessThan(600);
      if (method !== 'HEAD') {
        expect(() => JSON.parse(res.body), `${method} ${path}: ${res.body}`).not.toThrow();
        expect(res.type).toContain('application/json');
      }
    }
    // Every failure was an expected, rendered API error: no handler threw something unforeseen.
    expect(unexpected).toEqual([]);
    // The server is still fine afterwards.
    expect((await raw(s.url, 'GET', '/api/clusters')).status).toBe(200);
  });
});
