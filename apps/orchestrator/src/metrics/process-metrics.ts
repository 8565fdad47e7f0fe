// Process series: prom-client's default metrics (CPU, RSS, heap, event-loop lag, GC, handles) under
// the orchestrator_ prefix, plus the event loop's utilisation, which prom-client does not report.
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { prom } from './prom.js';

export function registerProcessMetrics(registry: Registry): void {
  prom().collectDefaultMetrics({ register: registry, prefix: 'orchestrator_' });
  let last = performance.eventLoopUtilization();
  new (prom().Gauge)({
    name: 'orchestrator_nodejs_eventloop_utilization_ratio',
    help: 'Share of time the event loop was busy since the previous scrape (0..1).',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });
}
