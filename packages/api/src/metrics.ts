// Prometheus metrics for the HTTP layer: request counts and latencies by route, and the read
// cache's hits and misses. Through prom-client's public API; the daemon passes its one registry.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Counter, Histogram, Registry } from 'prom-client';

// Loaded on first use, not when this module is imported: prom-client's index also loads its default
// process metrics (~50 ms, ~10 MB), which a program that imports the API without serving it (the
// command line) should not pay for.
let loaded: typeof PromClient | undefined;
function prom(): typeof PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as typeof PromClient;
  return loaded;
}

export interface HttpMetrics {
  readonly registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
}

/** Reuses the metrics when `registry` already has them (two apps sharing one registry). */
export function createHttpMetrics(registry: Registry = new (prom().Registry)()): HttpMetrics {
  const existingRequests = registry.getSingleMetric('orchestrator_http_requests_total');
  const existingLatency = registry.getSingleMetric('orchestrator_http_request_duration_seconds');
  const requests =
    (existingRequests as Counter<'route' | 'method' | 'status'> | undefined) ??
    new (prom().Counter)({
      name: 'orchestrator_http_requests_total',
      help: 'HTTP requests by route name, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    });
  const latency =
    (existingLatency as Histogram<'route' | 'method'> | undefined) ??
    new (prom().Histogram)({
      name: 'orchestrator_http_request_duration_seconds',
      help: 'HTTP request latency by route name (proxied requests included).',
      labelNames: ['route', 'method'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  return {
    registry,
    observe(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
  };
}

/**
 * `orchestrator_raft_storage_fault`: 1 while this node cannot write its raft storage or its backend
 * (it then takes no part in the raft group), else 0. Read at scrape time.
 */
export function registerRaftMetrics(registry: Registry, storageFault: () => string | undefined): void {
  if (registry.getSingleMetric('orchestrator_raft_storage_fault')) return;
  new (prom().Gauge)({
    name: 'orchestrator_raft_storage_fault',
    help: 'Whether this node cannot write its raft storage or backend (it then takes no part in raft).',
    registers: [registry],
    collect() {
      this.set(storageFault() === undefined ? 0 : 1);
    },
  });
}

/** What the read cache counts (ReadCache.hits / misses), read at scrape time. */
export interface ReadCacheCounts {
  readonly hits: number;
  readonly misses: number;
}

/**
 * `orchestrator_api_read_cache_hits_total` / `_misses_total`: cacheable reads served from the read
 * cache, and those computed afresh. Plain numbers in the cache, copied at scrape time, so a request
 * pays no label hashing.
 */
export function registerReadCacheMetrics(registry: Registry, cache: ReadCacheCounts): void {
  const counted = (name: string, help: string, read: () => number) => {
    if (registry.getSingleMetric(name)) return;
    new (prom().Counter)({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  counted(
    'orchestrator_api_read_cache_hits_total',
    'Cacheable API reads served from the read cache.',
    () => cache.hits,
  );
  counted(
    'orchestrator_api_read_cache_misses_total',
    'Cacheable API reads computed afresh (not cached, changed data, or too old).',
    () => cache.misses,
  );
}
