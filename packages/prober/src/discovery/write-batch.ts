// What the discovery loop has learned and not yet written: probe results, failed checks, checks
// that hang, and the clusters whose topology changed. The loop adds as results arrive and takes the
// whole batch when it flushes, so results reach the repository in batches and in order.
import type { Instance, InstanceKey } from '@orchestrator/model';
import type { CheckFailure } from './repository.js';

export interface Batch {
  readonly upserts: Instance[];
  readonly failures: CheckFailure[];
  readonly attempts: InstanceKey[];
  readonly changedClusters: ReadonlySet<string>;
}

export class WriteBatch {
  private upserts: Instance[] = [];
  private failures: CheckFailure[] = [];
  private attempts: InstanceKey[] = [];
  private changed = new Set<string>();

  upsert(instance: Instance): void {
    this.upserts.push(instance);
  }

  failure(failure: CheckFailure): void {
    this.failures.push(failure);
  }

  attempt(key: InstanceKey): void {
    this.attempts.push(key);
  }

  clusterChanged(cluster: string): void {
    this.changed.add(cluster);
  }

  /** Results waiting (upserts and failures): a full batch is written at once. */
  size(): number {
    return this.upserts.length + this.failures.length;
  }

  /** Everything pending; the batch starts empty again. */
  take(): Batch {
    const batch: Batch = {
      upserts: this.upserts,
      failures: this.failures,
      attempts: this.attempts,
      changedClusters: this.changed,
    };
    this.upserts = [];
    this.failures = [];
    this.attempts = [];
    this.changed = new Set();
    return batch;
  }
}
