// The web interface (apps/web, built by Vite) served next to the API: `<URLPrefix>/web/…` serves the
// built files, `<URLPrefix>/` (and `/`) redirect there, everything else goes to the API. The app only calls
// the public HTTP API, so a follower serving it proxies those calls to the leader like any client.
import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuthenticationMethod, authenticate } from '@orchestrator/api';
import Koa from 'koa';

const here = dirname(fileURLToPath(import.meta.url));
// @koa/send (and its path resolution) is loaded by the first web request, not at start-up.
let sendModule: Promise<typeof import('@koa/send')> | undefined;
const loadSend = () => {
  sendModule ??= import('@koa/send');
  return sendModule;
};
/** apps/orchestrator/dist → apps/web/dist (the workspace layout; ORCHESTRATOR_WEB_DIR overrides). */
export const DEFAULT_WEB_DIR = resolve(here, '..', '..', 'web', 'dist');

export interface WebAppOptions {
  /** Normalised URLPrefix ('' or `/x`). */
  readonly urlPrefix: string;
  /** The built app; default DEFAULT_WEB_DIR. */
  readonly distDir?: string;
  readonly authenticationMethod: AuthenticationMethod;
  readonly httpAuthUser: string;
  readonly httpAuthPassword: string;
}

/** Wraps the API's request listener: web paths are answered here, the rest by `api`. */
export function withWebApp(api: RequestListener, options: WebAppOptions): RequestListener {
  const prefix = options.urlPrefix;
  const web = webApp(options);
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req.url);
    if (isWebPath(path, prefix)) {
      web(req, res);
      return;
    }
    api(req, res);
  };
}

/** `<prefix>/web…`, `<prefix>`, `<prefix>/`, and `/` (the server root leads to the app too). */
function isWebPath(path: string, prefix: string): boolean {
  const webBase = `${prefix}/web`;
  return (
    path === webBase ||
    path.startsWith(`${webBase}/`) ||
    path === prefix ||
    path === `${prefix}/` ||
    path === '/'
  );
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

function webApp(options: WebAppOptions): RequestListener {
  const prefix = options.urlPrefix;
  const webBase = `${prefix}/web`;
  const root = options.distDir ?? process.env.ORCHESTRATOR_WEB_DIR ?? DEFAULT_WEB_DIR;
  const auth = {
    authenticationMethod: options.authenticationMethod,
    httpAuthUser: options.httpAuthUser,
    httpAuthPassword: options.httpAuthPassword,
  } as Parameters<typeof authenticate>[1];

  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.type = 'text/plain';
      ctx.body = 'method not allowed: use GET or HEAD';
      return;
    }
    // The same credentials as the API: the browser asks once and reuses them for the API calls.
    if (!authenticate(ctx.get('authorization') || undefined, auth).ok) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="orchestrator"');
      ctx.type = 'text/plain';
      ctx.body = '401 Unauthorized: valid credentials are required';
      return;
    }
    if (ctx.path === '/' || ctx.path === prefix || ctx.path === `${prefix}/` || ctx.path === webBase) {
      ctx.status = 302;
      ctx.redirect(`${webBase}/`);
      return;
    }
    if (!existsSync(join(root, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body =
        '<!doctype html><title>orchestrator</title><h1>The web interface is not built</h1>' +
        '<p>Build it with <code>npm run build -w @orchestrator/web</code> (or <code>npm run build</code>); ' +
        `the daemon serves it from <code>${escapeHtml(root)}</code>. The API works without it.</p>`;
      return;
    }
    let file = ctx.path.slice(webBase.length);
    if (file === '/' || file === '') file = '/index.html';
    const isAsset = file.startsWith('/assets/');
    try {
      const { send } = await loadSend();
      const sent = await send(ctx, file, {
        root,
        index: false,
        hidden: false,
        // Vite names assets by content hash: cache them for good; never cache index.html.
        maxage: isAsset ? 365 * 24 * 3600 * 1000 : 0,
        immutable: isAsset,
      });
      if (sent === undefined) notFound(ctx);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      if (status === 404 || status === 400 || status === 403) notFound(ctx);
      else throw err;
    }
  });
  app.on('error', () => {});
  return app.callback();
}

function notFound(ctx: Koa.Context): void {
  ctx.status = 404;
  ctx.type = 'text/plain';
  ctx.body = `not found: ${ctx.path.slice(0, 200)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
