// Prometheus metrics for the HTTP layer: request counts and latencies by route.
import { createRequire } from 'node:module';
import type * as prom from 'prom-client';

// prom-client's index also loads the push gateway, cluster aggregation and the default process
// metrics (with @opentelemetry/api): about 100 files and 80 ms of CPU at every start, for nothing we
// use. The three classes we need are its lib modules (the index re-exports these same classes).
const load = createRequire(import.meta.url);
const Registry = load('prom-client/lib/registry') as typeof prom.Registry;
const Counter = load('prom-client/lib/counter') as typeof prom.Counter;
const Histogram = load('prom-client/lib/histogram') as typeof prom.Histogram;
const Gauge = load('prom-client/lib/gauge') as typeof prom.Gauge;
type Registry = prom.Registry;
type Counter<T extends string> = prom.Counter<T>;
type Histogram<T extends string> = prom.Histogram<T>;

export interface HttpMetrics {
  readonly registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
}

/** Reuses the metrics when `registry` already has them (two apps sharing one registry). */
export function createHttpMetrics(registry: Registry = new Registry()): HttpMetrics {
  const existingRequests = registry.getSingleMetric('orchestrator_http_requests_total');
  const existingLatency = registry.getSingleMetric('orchestrator_http_request_duration_seconds');
  const requests =
    (existingRequests as Counter<'route' | 'method' | 'status'> | undefined) ??
    new Counter({
      name: 'orchestrator_http_requests_total',
      help: 'HTTP requests by route name, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    });
  const latency =
    (existingLatency as Histogram<'route' | 'method'> | undefined) ??
    new Histogram({
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
  new Gauge({
    name: 'orchestrator_raft_storage_fault',
    help: 'Whether this node cannot write its raft storage or backend (it then takes no part in raft).',
    registers: [registry],
    collect() {
      this.set(storageFault() === undefined ? 0 : 1);
    },
  });
}
