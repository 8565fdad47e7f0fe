// createApi options: the config values the API needs, with the reference's defaults.
import type { Registry } from 'prom-client';
import type { ReadCacheOptions } from './read-cache.js';
import type { RouteDef } from './route.js';

export type AuthenticationMethod = '' | 'basic' | 'multi';

export interface ApiOptions {
  /** URLPrefix, e.g. `/orchestrator`; routes live under `<URLPrefix>/api/`. Default ''. */
  urlPrefix?: string;
  /** This node's own HTTP URL (HTTPAdvertise or derived, §1.1): a LeaderURI equal to it is not proxied to. */
  ownURL?: string;
  authenticationMethod?: AuthenticationMethod;
  httpAuthUser?: string;
  httpAuthPassword?: string;
  /** ReadOnly: every write is refused. */
  readOnly?: boolean;
  /** StatusEndpoint, default `/api/status`: an extra path answering like `health`. */
  statusEndpoint?: string;
  /** Promotion-rule TTL for register-candidate. Default 60. */
  candidateInstanceExpireMinutes?: number;
  /** KVClusterMasterPrefix, default `mysql/master`. */
  kvClusterMasterPrefix?: string;
  recoverMasterClusterFilters?: string[];
  recoverIntermediateMasterClusterFilters?: string[];
  recoveryIgnoreHostnameFilters?: string[];
  /** OSCIgnoreHostnameFilters: never offered as online-schema-change control replicas. */
  oscIgnoreHostnameFilters?: string[];
  /** Port assumed for `host` without `:port` in cluster hints and instance lists. Default 3306. */
  defaultInstancePort?: number;
  /** Proxy dial + response-header timeout in ms (ActiveNodeExpireSeconds). Default 5000. */
  proxyTimeoutMs?: number;
  /** TLS for proxying to an https leader URL (UseSSL / mutual TLS). */
  proxyTls?: {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    rejectUnauthorized?: boolean;
  };
  /**
   * What a follower does with a read while no leader is known: `unavailable` (default) answers JSON
   * 503; `local` answers from the local (possibly stale) DB as the reference does.
   */
  noLeaderReads?: 'unavailable' | 'local';
  /** Longest accepted request URL in characters; longer ones get 414. Default 8192. */
  maxUrlLength?: number;
  /** Registry for /metrics; a private one is created when omitted. */
  registry?: Registry;
  /** More routes (recovery, topology refactoring…), registered with the built-in ones. */
  extraRoutes?: RouteDef[];
  /** Clock for timestamps in replicated payloads. */
  now?: () => Date;
  /** Called for unexpected (non-API) errors, e.g. a logger's error method. */
  onError?: (err: unknown, path: string) => void;
  /** Caches the bodies of `cacheable` routes while the data behind them is unchanged. Off when omitted. */
  readCache?: ReadCacheOptions;
  /** /health/ready: how long the applied index may take to reach the commit index. Default 500 ms. */
  probeAppliedWaitMs?: number;
}

export interface ResolvedApiOptions {
  urlPrefix: string;
  ownURL: string;
  authenticationMethod: AuthenticationMethod;
  httpAuthUser: string;
  httpAuthPassword: string;
  readOnly: boolean;
  statusEndpoint: string;
  candidateInstanceExpireMinutes: number;
  kvClusterMasterPrefix: string;
  recoverMasterClusterFilters: string[];
  recoverIntermediateMasterClusterFilters: string[];
  recoveryIgnoreHostnameFilters: string[];
  oscIgnoreHostnameFilters: string[];
  defaultInstancePort: number;
  proxyTimeoutMs: number;
  proxyTls: ApiOptions['proxyTls'];
  noLeaderReads: 'unavailable' | 'local';
  maxUrlLength: number;
  now: () => Date;
  onError: (err: unknown, path: string) => void;
}

export class ApiOptionsError extends Error {
  readonly code = 'API_OPTIONS';
}

/** `orc/`, `/orc`, `/orc/` → `/orc`; '' and `/` → ''. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function resolveOptions(o: ApiOptions): ResolvedApiOptions {
  const method = o.authenticationMethod ?? '';
  if (!['', 'basic', 'multi'].includes(method)) {
    throw new ApiOptionsError(
      `authenticationMethod ${JSON.stringify(method)} is not supported (use "", basic or multi)`,
    );
  }
  if (method !== '' && (o.httpAuthUser ?? '') === '') {
    throw new ApiOptionsError(`authenticationMethod ${method} needs httpAuthUser`);
  }
  const urlPrefix = normalizePrefix(o.urlPrefix);
  const status = o.statusEndpoint ?? '/api/status';
  return {
    urlPrefix,
    ownURL: (o.ownURL ?? '').replace(/\/+$/, ''),
    authenticationMethod: method,
    httpAuthUser: o.httpAuthUser ?? '',
    httpAuthPassword: o.httpAuthPassword ?? '',
    readOnly: o.readOnly ?? false,
    statusEndpoint: status.startsWith('/') ? status : `/${status}`,
    candidateInstanceExpireMinutes: o.candidateInstanceExpireMinutes ?? 60,
    kvClusterMasterPrefix: o.kvClusterMasterPrefix ?? 'mysql/master',
    recoverMasterClusterFilters: o.recoverMasterClusterFilters ?? [],
    recoverIntermediateMasterClusterFilters: o.recoverIntermediateMasterClusterFilters ?? [],
    recoveryIgnoreHostnameFilters: o.recoveryIgnoreHostnameFilters ?? [],
    oscIgnoreHostnameFilters: o.oscIgnoreHostnameFilters ?? [],
    defaultInstancePort: o.defaultInstancePort ?? 3306,
    proxyTimeoutMs: o.proxyTimeoutMs ?? 5000,
    proxyTls: o.proxyTls,
    noLeaderReads: o.noLeaderReads ?? 'unavailable',
    maxUrlLength: o.maxUrlLength ?? 8192,
    now: o.now ?? (() => new Date()),
    onError: o.onError ?? (() => {}),
  };
}
