// Emergent operations (reference §4 "✗ … emergent actions"): cheap reactions to non-recoverable
// codes that make detection converge faster. The planner is pure and throttled; the executor does
// the I/O through injected functions.
import type { InstanceKey } from '@orchestrator/model';
import type { AnalysisCode, ReplicationAnalysis } from './analysis/types.js';
import { isValidKey, keyString } from './keys.js';

export type EmergentAction =
  | { kind: 'reprobe'; keys: InstanceKey[]; reason: AnalysisCode; analyzed: InstanceKey }
  | { kind: 'restartReplication'; keys: InstanceKey[]; reason: AnalysisCode; analyzed: InstanceKey };

export interface EmergentThrottle {
  /** Re-reads of the same target at most this often (default 1 s, as orchestrator). */
  reprobeMs: number;
  /** Replication restarts on the same replicas at most this often (default 30 s). */
  restartMs: number;
}

export const DEFAULT_EMERGENT_THROTTLE: Readonly<EmergentThrottle> = Object.freeze({
  reprobeMs: 1000,
  restartMs: 30_000,
});

/** Last time (epoch ms) each throttled action ran; the planner returns an updated copy. */
export type ThrottleState = ReadonlyMap<string, number>;

const REREAD_WITH_REPLICAS: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'UnreachableMaster',
  'UnreachableCoMaster',
  'UnreachableIntermediateMaster',
]);
const REREAD_SELF: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'LockedSemiSyncMasterHypothesis',
]);
const RESTART_REPLICAS: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'UnreachableMasterWithLaggingReplicas',
  'UnreachableIntermediateMasterWithLaggingReplicas',
]);
const REREAD_MASTER: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'DeadMasterAndReplicas',
  'FirstTierReplicaFailingToConnectToMaster',
]);

/** Which emergent actions to take now for these entries, with the throttle applied. */
export function planEmergentActions(
  entries: readonly ReplicationAnalysis[],
  state: ThrottleState,
  now: number,
  throttle: EmergentThrottle = DEFAULT_EMERGENT_THROTTLE,
): { actions: EmergentAction[]; state: Map<string, number> } {
  const next = new Map(state);
  const actions: EmergentAction[] = [];
  const allowed = (id: string, every: number): boolean => {
    const last = next.get(id);
    if (last !== undefined && now - last < every) return false;
    next.set(id, now);
    return true;
  };
  for (const e of entries) {
    const code = e.Analysis;
    const self = e.AnalyzedInstanceKey;
    const id = keyString(self);
    if (REREAD_WITH_REPLICAS.has(code) && allowed(`reprobe:${id}:replicas`, throttle.reprobeMs)) {
      actions.push({ kind: 'reprobe', keys: [self, ...e.Replicas], reason: code, analyzed: self });
    } else if (REREAD_SELF.has(code) && allowed(`reprobe:${id}`, throttle.reprobeMs)) {
      actions.push({ kind: 'reprobe', keys: [self], reason: code, analyzed: self });
    } else if (REREAD_MASTER.has(code) && isValidKey(e.AnalyzedInstanceMasterKey)) {
      if (allowed(`reprobe:${keyString(e.AnalyzedInstanceMasterKey)}`, throttle.reprobeMs)) {
        actions.push({ kind: 'reprobe', keys: [e.AnalyzedInstanceMasterKey], reason: code, analyzed: self });
      }
    } else if (
      RESTART_REPLICAS.has(code) &&
      e.Replicas.length > 0 &&
      allowed(`restart:${id}`, throttle.restartMs)
    ) {
      actions.push({ kind: 'restartReplication', keys: [...e.Replicas], reason: code, analyzed: self });
    }
  }
  return { actions, state: next };
}

/** Restarting only the IO thread makes a replica reconnect and so notice a dead master at once. */
export const RESTART_IO_THREAD_SQL = 'STOP SLAVE IO_THREAD; START SLAVE IO_THREAD';

export interface EmergentDeps {
  reprobe(keys: readonly InstanceKey[]): void;
  execute(key: InstanceKey, sql: string): Promise<void>;
}

/** Runs planned actions; a failed restart on one replica does not stop the others. */
export class EmergentExecutor {
  private state: Map<string, number> = new Map();
  /** Time of the last replication restart per analysed instance: recovery waits 5 s after it (reference §4). */
  readonly lastRestart = new Map<string, number>();

  constructor(
    private readonly deps: EmergentDeps,
    private readonly throttle: EmergentThrottle = DEFAULT_EMERGENT_THROTTLE,
  ) {}

  async run(entries: readonly ReplicationAnalysis[], now: number): Promise<EmergentAction[]> {
    const { actions, state } = planEmergentActions(entries, this.state, now, this.throttle);
    this.state = state;
    for (const a of actions) {
      if (a.kind === 'reprobe') this.deps.reprobe(a.keys);
      else {
        this.lastRestart.set(keyString(a.analyzed), now);
        await Promise.allSettled(a.keys.map((k) => this.deps.execute(k, RESTART_IO_THREAD_SQL)));
        this.deps.reprobe(a.keys);
      }
    }
    return actions;
  }
}
