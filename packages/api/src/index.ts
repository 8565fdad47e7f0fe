export { createApi, type OrchestratorApi, type ReloadableApiOptions } from './app.js';
export { authenticate, READONLY_USER } from './auth.js';
export type * from './deps.js';
export { type Envelope, errorEnvelope, okEnvelope, Reply, reply } from './envelope.js';
export { ApiError, type ApiErrorCode, badParameter, failed, toApiError, unauthorized } from './errors.js';
export {
  type ApiOptions,
  ApiOptionsError,
  type AuthenticationMethod,
  normalizePrefix,
  type ResolvedApiOptions,
  resolveOptions,
} from './options.js';
export * from './params.js';
export { type ProbeName, type ProbeResult, probeOf, runProbe } from './probes.js';
export { PROXIED_HEADER } from './proxy.js';
export { ReadCache, type ReadCacheOptions } from './read-cache.js';
export {
  type AuthLevel,
  type RouteDef,
  type RouteHandler,
  type RouteKind,
  type RouteRequest,
  RouteTable,
  RouteTableError,
} from './route.js';
export { clusterMaster, keyString, requireInstance, resolveClusterHint } from './routes/helpers.js';
export { builtinRoutes } from './routes/index.js';
export { instanceSummary, topologyText } from './topology-text.js';
