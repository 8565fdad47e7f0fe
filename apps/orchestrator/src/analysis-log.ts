// Every problem analysis detects, and every one that clears, is one log line (README "Logs") and a
// metrics count. What changed between two passes is decided by analysisChanges (pure).
import type { ReplicationAnalysis } from '@orchestrator/prober';
import type { Logger } from './logger.js';
import { analysisChanges, type DetectedProblem } from './metrics/analysis-changes.js';
import type { RecoveryMetrics } from './metrics/recovery-metrics.js';

export function watchAnalysis(
  discovery: { onAnalysis(listener: (analysis: readonly ReplicationAnalysis[]) => void): void },
  log: Logger,
  metrics: RecoveryMetrics,
): void {
  let previous: ReadonlyMap<string, DetectedProblem> = new Map();
  discovery.onAnalysis((analysis) => {
    const changes = analysisChanges(previous, analysis);
    previous = changes.current;
    for (const p of changes.detected) {
      log.warn(
        {
          event: 'detection',
          code: p.code,
          instance: p.instance,
          cluster: p.cluster,
          description: p.description,
        },
        `analysis: ${p.code} on ${p.instance}`,
      );
    }
    for (const p of changes.cleared) {
      log.info(
        { event: 'detection-cleared', code: p.code, instance: p.instance },
        `analysis: ${p.code} on ${p.instance} cleared`,
      );
    }
    metrics.analysed(changes.detected, changes.current);
  });
}
