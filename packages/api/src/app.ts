// createApi: the Koa app. One middleware does everything in a fixed order — match, authenticate,
// decide (local / proxy / refuse), run the handler, render JSON — and renders every error as the
// envelope, so no request can end without a JSON body (HEAD aside) or hang.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'koa';
import Koa from 'koa';
import { authenticate } from './auth.js';
import type { ApiDeps } from './deps.js';
import { type Envelope, errorEnvelope, Reply } from './envelope.js';
import { ApiError, clip, toApiError } from './errors.js';
import { decideForwarding, type ForwardingState } from './forwarding.js';
import { createHttpMetrics, registerRaftMetrics, registerReadCacheMetrics } from './metrics.js';
import { type ApiOptions, type ResolvedApiOptions, resolveOptions } from './options.js';
import { probeOf, runProbe } from './probes.js';
import { createLeaderProxy, PROXIED_HEADER } from './proxy.js';
import { ReadCache } from './read-cache.js';
import { type AuthLevel, type RouteDef, type RouteMatch, RouteTable } from './route.js';
import { builtinRoutes } from './routes/index.js';

export interface OrchestratorApi extends Koa {
  /** The route table (built-in and extra routes). */
  readonly routeTable: RouteTable;
  /**
   * A Node request listener: Koa's callback(), except that GET/HEAD `<prefix>/api/leader-check`,
   * which load balancers poll all the time, is answered without building a Koa context (same
   * status, body, headers and metrics).
   */
  listener(): (req: IncomingMessage, res: ServerResponse) => void;
  /** Closes the keep-alive connections to the leader. Call on shutdown. */
  closeApi(): void;
  /**
   * Applies new values of the options that are read on every request (reload-configuration):
   * they take effect for the next request. Every other option is fixed at creation.
   */
  reconfigure(changes: Partial<ReloadableApiOptions>): void;
}

/** Options read per request, so reload-configuration can change them in place. */
export type ReloadableApiOptions = Pick<
  ResolvedApiOptions,
  | 'readOnly'
  | 'recoverMasterClusterFilters'
  | 'recoverIntermediateMasterClusterFilters'
  | 'recoveryIgnoreHostnameFilters'
  | 'oscIgnoreHostnameFilters'
>;

const RELOADABLE_OPTIONS: readonly (keyof ReloadableApiOptions)[] = [
  'readOnly',
  'recoverMasterClusterFilters',
  'recoverIntermediateMasterClusterFilters',
  'recoveryIgnoreHostnameFilters',
  'oscIgnoreHostnameFilters',
];

const JSON_TYPE = 'application/json; charset=utf-8';

export function createApi(deps: ApiDeps, options: ApiOptions = {}): OrchestratorApi {
  const o = resolveOptions(options);
  const table = new RouteTable([...builtinRoutes, ...(options.extraRoutes ?? [])]);
  const metrics = createHttpMetrics(options.registry);
  const storageFault = deps.raft.storageFault;
  if (storageFault) registerRaftMetrics(metrics.registry, () => storageFault.call(deps.raft));
  const proxy = createLeaderProxy(o);
  const apiBase = `${o.urlPrefix}/api`;
  const metricsPath = `${o.urlPrefix}/metrics`;
  const statusPath = `${o.urlPrefix}${o.statusEndpoint}`;
  const statusRoute = table.routes.find((r) => r.name === 'status');
  const readCache = options.readCache ? new ReadCache(options.readCache) : undefined;
  if (readCache) registerReadCacheMetrics(metrics.registry, readCache);

  const app = new Koa() as OrchestratorApi;
  app.silent = true;
  app.proxy = false;

  app.use(async (ctx) => {
    const started = process.hrtime.bigint();
    let routeName = 'unmatched';
    let proxiedStatus: number | undefined;
    try {
      if (ctx.originalUrl.length > o.maxUrlLength) {
        throw new ApiError('URI_TOO_LONG', 414, `request URL longer than ${o.maxUrlLength} characters`);
      }
      let path = ctx.path;
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const probe = probeOf(path, o.urlPrefix);
      if (probe !== undefined) {
        // <URLPrefix>/health/{live,ready,leader}: no credentials, never proxied (probes.ts).
        routeName = `health-${probe}`;
        checkMethod(ctx);
        const result = await runProbe(probe, deps, { appliedWaitMs: options.probeAppliedWaitMs });
        ctx.set('Cache-Control', 'no-store');
        sendJson(ctx, result.status, result.body);
        return;
      }
      if (path === metricsPath) {
        routeName = 'metrics';
        checkMethod(ctx);
        ctx.type = metrics.registry.contentType;
        ctx.body = await metrics.registry.metrics();
        return;
      }
      let match: RouteMatch | null = null;
      if (path === statusPath && statusRoute !== undefined) {
        match = { route: statusRoute, params: {} };
      } else if (path.startsWith(`${apiBase}/`)) {
        match = table.match(path.slice(apiBase.length + 1).split('/'));
      }
      const route = match?.route;
      if (route) routeName = route.name;
      const user = authorize(ctx, o, authLevel(route));
      if (!match || !route) {
        throw new ApiError('NOT_FOUND', 404, `no such route: ${clip(ctx.path)}`);
      }
      checkMethod(ctx);
      const forwarding = decideForwarding(route, forwardingState(ctx.get(PROXIED_HEADER) !== ''), o);
      if (forwarding.action === 'refuse') throw forwarding.error;
      if (forwarding.action === 'forward') {
        routeName = `${route.name}:proxied`;
        const { leaderURI, quickRead, idempotent } = forwarding;
        proxiedStatus = await proxy.forward(ctx.req, ctx.res, leaderURI, quickRead, idempotent);
        ctx.respond = false;
        return;
      }
      const cacheKey = readCache && route.cacheable ? `${path}?${ctx.querystring}` : undefined;
      if (readCache && cacheKey !== undefined) {
        const cached = readCache.get(cacheKey);
        if (cached !== undefined) {
          sendBody(ctx, 200, cached);
          return;
        }
      }
      const version = readCache?.version() ?? 0;
      const result = await route.handler({
        params: match.params,
        query: queryOf(ctx),
        user,
        headers: ctx.req.headers,
        deps,
        options: o,
      });
      if (result instanceof Reply) {
        sendJson(ctx, result.status, result.body);
      } else {
        const body = JSON.stringify(result === undefined ? null : result);
        if (readCache && cacheKey !== undefined) readCache.set(cacheKey, version, body);
        sendBody(ctx, 200, body);
      }
    } catch (err) {
      const e = toApiError(err);
      if (!(err instanceof ApiError)) o.onError(err, ctx.path);
      if (e.code === 'UNAUTHENTICATED') ctx.set('WWW-Authenticate', 'Basic realm="orchestrator"');
      if (e.code === 'METHOD_NOT_ALLOWED') ctx.set('Allow', 'GET, HEAD');
      if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
      const body: Envelope = errorEnvelope(e.message, e.details);
      sendJson(ctx, e.status, body);
    } finally {
      const status = proxiedStatus ?? ctx.status;
      metrics.observe(routeName, ctx.method, status, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });

  const leaderCheck = table.routes.find((r) => r.name === 'leader-check');
  const leaderCheckPath = `${apiBase}/leader-check`;
  app.listener = () => {
    const koa = app.callback();
    return (req, res) => {
      const url = req.url ?? '';
      const fast =
        leaderCheck !== undefined &&
        (req.method === 'GET' || req.method === 'HEAD') &&
        (url === leaderCheckPath || url === `${leaderCheckPath}/`);
      if (!fast) {
        if (!forwardedWithoutKoa(req, res)) void koa(req, res);
        return;
      }
      const started = process.hrtime.bigint();
      const request = { params: {}, query: new URLSearchParams(), user: '', deps, options: o };
      Promise.resolve(leaderCheck.handler(request)).then(
        (result) => {
          const status = result instanceof Reply ? result.status : 200;
          const json = JSON.stringify(result instanceof Reply ? result.body : result);
          res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(json) });
          res.end(req.method === 'HEAD' ? undefined : json);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.observe(leaderCheck.name, req.method ?? 'GET', status, seconds);
        },
        // Unexpected: let the full pipeline answer, so the error is rendered like any other.
        () => void koa(req, res),
      );
    };
  };
  /**
   * A follower's proxied GET or HEAD to a leader at an http:// URI, forwarded without building a Koa
   * context: on a follower under load, forwarding is the whole job. Anything unusual (another
   * method, a bad URL, missing or read-only credentials, no leader, a request forwarded once
   * already) returns false and takes the full pipeline, which renders every error as JSON.
   */
  function forwardingState(alreadyForwarded: boolean): ForwardingState {
    const state = deps.raft.state();
    return {
      raftEnabled: deps.raft.enabled,
      isLeader: state === 'Leader',
      leaderURI: deps.raft.enabled ? deps.raft.leaderURI() : '',
      alreadyForwarded,
      raftState: state,
    };
  }

  function forwardedWithoutKoa(req: IncomingMessage, res: ServerResponse): boolean {
    if (!deps.raft.enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const url = req.url ?? '';
    if (url.length > o.maxUrlLength || !url.startsWith(`${apiBase}/`) || url.includes('#')) return false;
    if (req.headers[PROXIED_HEADER] !== undefined || deps.raft.state() === 'Leader') return false;
    const query = url.indexOf('?');
    let path = query < 0 ? url : url.slice(0, query);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = table.match(path.slice(apiBase.length + 1).split('/'))?.route;
    if (route === undefined) return false;
    const forwarding = decideForwarding(route, forwardingState(false), o);
    // Anything but a forward (answer here, a refusal to render) takes the full pipeline.
    if (forwarding.action !== 'forward') return false;
    const level = authLevel(route);
    if (level !== 'none' && accessError(req.headers.authorization, o, level) !== undefined) return false;
    const started = process.hrtime.bigint();
    const name = `${route.name}:proxied`;
    const { leaderURI, quickRead, idempotent } = forwarding;
    proxy.forward(req, res, leaderURI, quickRead, idempotent).then(
      (status) =>
        metrics.observe(name, req.method ?? 'GET', status, Number(process.hrtime.bigint() - started) / 1e9),
      (err: unknown) => {
        const e = toApiError(err);
        const json = JSON.stringify(errorEnvelope(e.message, e.details));
        if (!res.headersSent) {
          res.writeHead(e.status, {
            'Content-Type': JSON_TYPE,
            'Content-Length': Buffer.byteLength(json),
            ...(e.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(e.retryAfterSeconds) }),
          });
        }
        res.end(req.method === 'HEAD' ? undefined : json);
        metrics.observe(name, req.method ?? 'GET', e.status, Number(process.hrtime.bigint() - started) / 1e9);
      },
    );
    return true;
  }

  Object.defineProperty(app, 'routeTable', { value: table });
  app.closeApi = () => proxy.close();
  app.reconfigure = (changes) => {
    for (const name of RELOADABLE_OPTIONS) {
      const value = changes[name];
      if (value !== undefined) Object.assign(o, { [name]: value });
    }
  };
  return app;
}

function sendJson(ctx: Context, status: number, body: unknown): void {
  sendBody(ctx, status, JSON.stringify(body === undefined ? null : body));
}

function sendBody(ctx: Context, status: number, json: string): void {
  ctx.status = status;
  ctx.type = JSON_TYPE;
  ctx.body = json;
}

function checkMethod(ctx: Context): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    throw new ApiError(
      'METHOD_NOT_ALLOWED',
      405,
      `method ${clip(ctx.method, 20)} not allowed: use GET or HEAD`,
    );
  }
}

function queryOf(ctx: Context): URLSearchParams {
  try {
    return new URLSearchParams(ctx.querystring);
  } catch {
    return new URLSearchParams();
  }
}

function authLevel(route: RouteDef | undefined): AuthLevel {
  if (route === undefined) return 'read';
  return route.auth ?? (route.kind === 'write' ? 'write' : 'read');
}

/**
 * Why a request with this Authorization header may not act at `level` (401 bad credentials, 403 a
 * reader asking to write or a ReadOnly orchestrator), or undefined when it may. Every path uses it.
 */
function accessError(
  authorization: string | undefined,
  o: ResolvedApiOptions,
  level: AuthLevel,
): ApiError | undefined {
  if (level === 'none') return undefined;
  const result = authenticate(authorization, o);
  if (!result.ok)
    return new ApiError('UNAUTHENTICATED', 401, '401 Unauthorized: valid credentials are required');
  if (level === 'write' && o.readOnly)
    return new ApiError('FORBIDDEN', 403, 'Unauthorized: this orchestrator is ReadOnly');
  if (level === 'write' && !result.canWrite)
    return new ApiError('FORBIDDEN', 403, `Unauthorized: user ${result.user} may only read`);
  return undefined;
}

/** Returns the user name; throws accessError's refusal. */
function authorize(ctx: Context, o: ResolvedApiOptions, level: AuthLevel): string {
  if (level === 'none') return '';
  const authorization = ctx.get('authorization') || undefined;
  const refused = accessError(authorization, o, level);
  if (refused !== undefined) throw refused;
  const result = authenticate(authorization, o);
  return result.ok ? result.user : '';
}
