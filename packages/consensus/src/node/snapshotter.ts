// Automatic snapshots: after `threshold` entries applied since the last snapshot, the state machine
// is asked for its state between two applies (so the bytes match the applied index exactly), and
// the snapshot is written in the background; once durable, the log behind it may be compacted.
import type { SnapshotStore } from '../storage.js';
import type { ConfState, Snapshot } from '../types.js';
import type { RaftLogFn, StateMachine } from './config.js';
import type { RaftObserver } from './observer.js';

export interface SnapshotTakerOptions {
  readonly threshold: number;
  readonly store: SnapshotStore;
  readonly sm: StateMachine;
  /** Membership as of a log index. */
  readonly confAt: (index: number) => ConfState;
  /** The snapshot is durable. */
  readonly onSaved: (snap: Snapshot) => void;
  readonly log: RaftLogFn;
  readonly observer?: RaftObserver;
}

export class SnapshotTaker {
  private lastIndex = 0;
  private saving: Promise<void> | undefined;

  constructor(private readonly opts: SnapshotTakerOptions) {}

  /** The state now stands at `index` (start-up or a restored snapshot). */
  reset(index: number): void {
    this.lastIndex = index;
  }

  due(applied: number): boolean {
    return this.saving === undefined && applied - this.lastIndex >= this.opts.threshold;
  }

  /** Captures the state at `index` now; the write continues in the background. */
  async take(index: number, term: number): Promise<void> {
    const started = performance.now();
    const data = await this.opts.sm.snapshot();
    const snap: Snapshot = { meta: { index, term, conf: this.opts.confAt(index) }, data };
    this.lastIndex = index;
    this.saving = this.opts.store
      .save(snap)
      .then(
        () => {
          this.opts.observer?.snapshotSaved?.('taken', data.byteLength, (performance.now() - started) / 1000);
          this.opts.onSaved(snap);
        },
        (err: unknown) =>
          this.opts.log('error', 'raft: snapshot save failed', { index, error: (err as Error).message }),
      )
      .finally(() => {
        this.saving = undefined;
      });
  }

  /** Resolves when no snapshot write is in progress. */
  async idle(): Promise<void> {
    await this.saving;
  }
}
