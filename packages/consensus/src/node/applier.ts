// The apply side of the driver: committed entries and installed snapshots go through one queue and
// reach the state machine strictly in log order, one at a time even when apply() is asynchronous.
// It also settles the proposals and reads waiting on each index, and takes the automatic and
// requested snapshots between two applies, so their bytes match the applied index exactly.
import { decodeConfChange } from '../core/confchange.js';
import type { Entry, Snapshot } from '../types.js';
import type { RaftLogFn, StateMachine } from './config.js';
import type { SnapshotTaker } from './snapshotter.js';
import type { ProposalWaiters, ReadWaiters } from './waiters.js';

export type ApplyItem =
  | { readonly entry: Entry }
  | { readonly snapshot: Snapshot }
  | { readonly snapshotRequest: { resolve: () => void; reject: (e: Error) => void } };

export interface ApplierDeps {
  readonly sm: StateMachine;
  readonly proposals: ProposalWaiters;
  readonly reads: ReadWaiters;
  readonly log: RaftLogFn;
  /** apply() or restore() failed in a way that leaves the state unknown: the node must stop. */
  readonly onFatal: (err: Error) => void;
  /**
   * apply() or restore() threw StateMachineUnavailableError: the item is retried every `retryMs`
   * until it succeeds (then onAvailable). Called once per outage.
   */
  readonly onUnavailable: (err: Error) => void;
  readonly onAvailable: () => void;
  readonly retryMs: number;
}

/** The state machine cannot write now (StateMachineUnavailableError): retry, do not skip. */
function isUnavailable(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'STATE_MACHINE_UNAVAILABLE';
}

export class Applier {
  /** Index applied to the state machine (not merely queued). */
  appliedIndex = 0;
  /** Term of the entry at appliedIndex. */
  appliedTerm = 0;
  snapshotter: SnapshotTaker | undefined;
  private queue: ApplyItem[] = [];
  private head = 0;
  private loop: Promise<void> | undefined;
  private unavailable = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: ApplierDeps) {}

  /** The state machine now stands at `index` (restored at start-up). */
  reset(index: number, term: number): void {
    this.appliedIndex = index;
    this.appliedTerm = term;
    this.snapshotter?.reset(index);
  }

  /** Items queued and not applied yet. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  push(item: ApplyItem): void {
    this.queue.push(item);
    if (this.loop === undefined) this.loop = this.drain().finally(() => (this.loop = undefined));
  }

  /** Stops retrying an unavailable state machine (the node is stopping); queued items are dropped. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Resolves once the queue is empty and no snapshot write is in progress. */
  async idle(): Promise<void> {
    await this.loop;
    await this.snapshotter?.idle();
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length && !this.stopped) {
        const item = this.queue[this.head] as ApplyItem;
        try {
          if ('snapshot' in item) await this.applySnapshot(item.snapshot);
          else if ('snapshotRequest' in item) await this.takeRequestedSnapshot(item.snapshotRequest);
          else await this.applyEntry(item.entry);
        } catch (err) {
          if (!isUnavailable(err)) throw err;
          // Never skip an entry the state machine could not write: wait, then try the same one again.
          if (!this.unavailable) {
            this.unavailable = true;
            this.deps.onUnavailable(err as Error);
          }
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, this.deps.retryMs).unref();
          });
          continue;
        }
        this.head++;
        if (this.unavailable) {
          this.unavailable = false;
          this.deps.onAvailable();
        }
        if (this.head >= 4096) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
      }
      this.queue = [];
      this.head = 0;
    } catch (err) {
      this.deps.onFatal(err as Error);
    }
  }

  private async applySnapshot(snap: Snapshot): Promise<void> {
    if (snap.meta.index <= this.appliedIndex) return;
    await this.deps.sm.restore(snap.data);
    this.appliedIndex = snap.meta.index;
    this.appliedTerm = snap.meta.term;
    this.deps.proposals.coveredBySnapshot(snap.meta.index);
    this.snapshotter?.reset(snap.meta.index);
    this.deps.reads.applied(this.appliedIndex);
    this.deps.log('info', 'raft: restored snapshot', { index: snap.meta.index, term: snap.meta.term });
  }

  private async applyEntry(e: Entry): Promise<void> {
    if (e.index <= this.appliedIndex) return;
    let result: unknown;
    let error: Error | undefined;
    if (e.kind === 'normal') {
      try {
        result = this.deps.sm.apply(e);
        if (result instanceof Promise) result = await result;
      } catch (err) {
        if (isUnavailable(err)) throw err;
        // Deterministic by contract: every node sees the same error, so it is the entry's result.
        error = err instanceof Error ? err : new Error(String(err));
      }
    } else if (e.kind === 'conf') {
      const change = decodeConfChange(e.data);
      this.deps.log('info', 'raft: membership change applied', { index: e.index, ...change });
    }
    this.appliedIndex = e.index;
    this.appliedTerm = e.term;
    this.deps.proposals.applied(e.index, e.term, result, error);
    this.deps.reads.applied(e.index);
    if (this.snapshotter?.due(e.index)) await this.snapshotter.take(e.index, e.term);
  }

  private async takeRequestedSnapshot(request: {
    resolve: () => void;
    reject: (e: Error) => void;
  }): Promise<void> {
    try {
      if (this.appliedIndex > 0 && this.snapshotter) {
        await this.snapshotter.take(this.appliedIndex, this.appliedTerm);
        await this.snapshotter.idle();
      }
      request.resolve();
    } catch (err) {
      request.reject(err as Error);
    }
  }
}
