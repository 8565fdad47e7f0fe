import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type WebAppOptions, withWebApp } from './web.js';

const api: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('"api"');
};

let server: Server | undefined;
afterEach(() => server?.close());

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.push(dir);
  return dir;
}

/** A GET with the path sent as written (fetch would normalise `..` away). */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(options: Partial<WebAppOptions> & { distDir: string }): Promise<string> {
  server = createServer(
    withWebApp(api, {
      urlPrefix: '',
      authenticationMethod: '',
      httpAuthUser: '',
      httpAuthPassword: '',
      ...options,
    }),
  );
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function builtApp(): string {
  const dir = makeTempDir('web-dist');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

describe('withWebApp', () => {
  it('serves the built app under <prefix>/web/, redirects the prefix root, passes the API through', async () => {
    const base = await serve({ distDir: builtApp(), urlPrefix: '/orc' });
    const root = await fetch(`${base}/orc/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/orc/web/');
    expect((await fetch(`${base}/orc/web`, { redirect: 'manual' })).headers.get('location')).toBe(
      '/orc/web/',
    );
    expect((await fetch(`${base}/`, { redirect: 'manual' })).headers.get('location')).toBe('/orc/web/');
    const index = await fetch(`${base}/orc/web/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).not.toContain('immutable');
    const asset = await fetch(`${base}/orc/web/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/orc/web/missing.js`)).status).toBe(404);
    expect(await rawStatus(base, '/orc/web/../../../etc/passwd')).toBe(404);
    expect(await rawStatus(base, '/orc/web/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
    expect(await (await fetch(`${base}/orc/api/clusters`)).text()).toBe('"api"');
    expect(await (await fetch(`${base}/other`)).text()).toBe('"api"');
    expect((await fetch(`${base}/orc/web/`, { method: 'POST' })).status).toBe(405);
  });

  it('answers a clear 503 page when the app is not built', async () => {
    const base = await serve({ distDir: join(makeTempDir('web-none'), 'dist') });
    const r = await fetch(`${base}/web/`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('The web interface is not built');
    expect(await (await fetch(`${base}/api/x`)).text()).toBe('"api"');
  });

  it('asks for the API credentials (basic, multi)', async () => {
    const base = await serve({
      distDir: builtApp(),
      authenticationMethod: 'multi',
      httpAuthUser: 'admin',
      httpAuthPassword: 'pw',
    });
    const denied = await fetch(`${base}/web/`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Basic');
    const basic = (u: string, p: string) => ({
      authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
    });
    expect((await fetch(`${base}/web/`, { headers: basic('admin', 'wrong') })).status).toBe(401);
    expect((await fetch(`${base}/web/`, { headers: basic('admin', 'pw') })).status).toBe(200);
    expect((await fetch(`${base}/web/`, { headers: basic('readonly', 'x') })).status).toBe(200);
  });
});
