// The daemon's Prometheus registry: one per process, passed down to every subsystem that reports.
import type { Registry } from 'prom-client';
import { type ProberClock, ProberMetrics } from './prober-metrics.js';
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
  /** The probe series; discovery is attached with watch() once it exists. */
  prober(clock: ProberClock): ProberMetrics;
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
    prober(clock) {
      prober ??= new ProberMetrics(registry, clock);
      return prober;
    },
  };
}
