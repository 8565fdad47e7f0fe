// The daemon's Prometheus registry: one per process, passed down to every subsystem that reports.
import type { Registry } from 'prom-client';
import { ProberMetrics, type ProberSource } from './prober-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { prom } from './prom.js';
import { RaftMetrics } from './raft-metrics.js';
import { RecoveryMetrics } from './recovery-metrics.js';
import { StoreMetrics } from './store-metrics.js';

export { type AnalysisChanges, analysisChanges, type DetectedProblem } from './analysis-changes.js';
export { instanceState } from './prober-metrics.js';

export interface DaemonMetrics {
  readonly registry: Registry;
  readonly raft: RaftMetrics;
  readonly recovery: RecoveryMetrics;
  readonly store: StoreMetrics;
  /** Created once discovery exists (it is the source of the gauges). */
  prober(source: ProberSource): ProberMetrics;
}

export function createDaemonMetrics(): DaemonMetrics {
  const registry = new (prom().Registry)();
  registerProcessMetrics(registry);
  let prober: ProberMetrics | undefined;
  return {
    registry,
    raft: new RaftMetrics(registry),
    recovery: new RecoveryMetrics(registry),
    store: new StoreMetrics(registry),
    prober(source) {
      prober ??= new ProberMetrics(registry, source);
      return prober;
    },
  };
}
