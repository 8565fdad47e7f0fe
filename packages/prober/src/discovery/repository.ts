// The narrow persistence interfaces the prober needs. The daemon wires them to the store's DAOs;
// the in-memory versions below serve tests and single-process use.
import type { Instance, InstanceKey } from '@orchestrator/model';
import type { AnalysisContext } from '../analysis/types.js';
import { keyString } from '../keys.js';

export interface CheckFailure {
  key: InstanceKey;
  /** ISO-8601 time of the failed check. */
  at: string;
}

export interface InstanceRepository {
  /** Writes successful probes (LastSeen = LastChecked already set by the prober). */
  upsertInstances(batch: readonly Instance[]): Promise<void>;
  /** Failed probes: only LastCheckedTimestamp moves (orchestrator: last_checked, not last_seen). */
  recordCheckFailures(batch: readonly CheckFailure[]): Promise<void>;
  /** Probes still running after ReasonableInstanceCheckSeconds: LastAttemptedCheckTimestamp moves. */
  recordAttempts(keys: readonly InstanceKey[], at: string): Promise<void>;
  readAll(): Promise<Instance[]>;
  /** Removes instances not seen for UnseenInstanceForgetHours. */
  forgetInstances(keys: readonly InstanceKey[]): Promise<void>;
}

/** Downtime, maintenance, aliases: what analysis consults besides instances. */
export interface AnalysisContextSource {
  analysisContext(now: number): Promise<AnalysisContext>;
}

export class InMemoryInstanceRepository implements InstanceRepository {
  readonly rows = new Map<string, Instance>();
  upserts = 0;

  async upsertInstances(batch: readonly Instance[]): Promise<void> {
    this.upserts++;
    for (const i of batch) this.rows.set(keyString(i.Key), structuredClone(i));
  }

  async recordCheckFailures(batch: readonly CheckFailure[]): Promise<void> {
    for (const f of batch) {
      const row = this.rows.get(keyString(f.key));
      if (!row) continue;
      row.LastCheckedTimestamp = f.at;
      row.LastAttemptedCheckTimestamp = f.at;
      row.LastCheckPartialSuccess = false;
      row.IsLastCheckValid = false;
    }
  }

  async recordAttempts(keys: readonly InstanceKey[], at: string): Promise<void> {
    for (const k of keys) {
      const row = this.rows.get(keyString(k));
      if (row) row.LastAttemptedCheckTimestamp = at;
    }
  }

  async readAll(): Promise<Instance[]> {
    return [...this.rows.values()].map((i) => structuredClone(i));
  }

  async forgetInstances(keys: readonly InstanceKey[]): Promise<void> {
    for (const k of keys) this.rows.delete(keyString(k));
  }
}

export class InMemoryAnalysisContextSource implements AnalysisContextSource {
  constructor(public context: AnalysisContext = {}) {}
  async analysisContext(): Promise<AnalysisContext> {
    return this.context;
  }
}
