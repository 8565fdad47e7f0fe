// Analysis and recovery series: problems detected by code, recoveries by type and result with their
// duration, and recoveries refused by the anti-flapping block. Fed by the daemon's analysis listener
// and by the recovery engine's replicated commands (register-failure-detection, resolve-recovery),
// so manual recoveries and takeovers count too.
import type { Histogram, Registry } from 'prom-client';
import type { DetectedProblem } from './analysis-changes.js';
import { prom } from './prom.js';
import { Tally, tallyCounter } from './tallies.js';

const RECOVERY_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** The fields of a resolved recovery the metrics need. */
export interface ResolvedRecovery {
  readonly Type?: string;
  readonly IsSuccessful: boolean;
  readonly RecoveryStartTimestamp: string;
  readonly RecoveryEndTimestamp: string;
}

export class RecoveryMetrics {
  private readonly detections = new Tally<string>();
  private readonly registered = new Tally<string>();
  private readonly recoveries = new Tally<string>();
  private readonly blocked = new Tally<string>();
  private readonly duration: Histogram<'type'>;
  private current: ReadonlyMap<string, DetectedProblem> = new Map();

  constructor(registry: Registry) {
    tallyCounter(registry, {
      name: 'orchestrator_analysis_detections_total',
      help: "Problems this node's analysis newly detected, by analysis code (DeadMaster, …).",
      labelNames: ['code'],
      tally: this.detections,
      labels: (code) => ({ code }),
    });
    tallyCounter(registry, {
      name: 'orchestrator_failure_detections_registered_total',
      help: 'Failure detections the leader registered (register-failure-detection), by analysis code.',
      labelNames: ['code'],
      tally: this.registered,
      labels: (code) => ({ code }),
    });
    const current = () => this.current;
    new (prom().Gauge)({
      name: 'orchestrator_analysis_problems',
      help: "Problems in this node's latest analysis, by analysis code.",
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const p of current().values()) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
        for (const [code, n] of counts) this.set({ code }, n);
      },
    });
    tallyCounter(registry, {
      name: 'orchestrator_recoveries_total',
      help: 'Recoveries finished (resolved), by recovery type and result (success, failure).',
      labelNames: ['type', 'result'],
      tally: this.recoveries,
      labels: (key) => {
        const [type = '', result = ''] = key.split(' ');
        return { type, result };
      },
      // Zero series for the usual kinds, so increase() and alerts see the first recovery.
      known: ['MasterRecovery', 'IntermediateMasterRecovery', 'CoMasterRecovery'].flatMap((t) => [
        `${t} success`,
        `${t} failure`,
      ]),
    });
    tallyCounter(registry, {
      name: 'orchestrator_recoveries_blocked_total',
      help: 'Recoveries not started because a recent one on the cluster blocks them (anti-flapping), by analysis code.',
      labelNames: ['code'],
      tally: this.blocked,
      labels: (code) => ({ code }),
    });
    this.duration = new (prom().Histogram)({
      name: 'orchestrator_recovery_duration_seconds',
      help: 'Duration of finished recoveries, by recovery type.',
      labelNames: ['type'],
      buckets: RECOVERY_BUCKETS,
      registers: [registry],
    });
  }

  /** A new analysis pass: `detected` problems appeared; `current` is what it shows now. */
  analysed(detected: readonly DetectedProblem[], current: ReadonlyMap<string, DetectedProblem>): void {
    for (const p of detected) this.detections.add(p.code);
    this.current = current;
  }

  detectionRegistered(code: string): void {
    this.registered.add(code);
  }

  blockedRecovery(code: string): void {
    this.blocked.add(code);
  }

  resolved(r: ResolvedRecovery): void {
    const type = r.Type || 'unknown';
    this.recoveries.add(`${type} ${r.IsSuccessful ? 'success' : 'failure'}`);
    const seconds = (Date.parse(r.RecoveryEndTimestamp) - Date.parse(r.RecoveryStartTimestamp)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) this.duration.observe({ type }, seconds);
  }
}
