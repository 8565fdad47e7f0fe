// The core's view of the raft log: the durable LogStore plus entries and a snapshot that the driver
// has not persisted yet (etcd-io/raft's "unstable"). Reads see both; the Ready contract moves the
// unstable part to storage, and advance() forgets it here.
import type { LogStore } from '../storage.js';
import type { Entry, Snapshot } from '../types.js';

export class RaftLog {
  /** Highest index known committed. Invariant: applied ≤ committed ≤ lastIndex(). */
  committed: number;
  /** Highest index the application has applied. */
  applied: number;
  /** Entries not yet persisted; `unstable[0].index === offset`. */
  private unstable: Entry[] = [];
  private offset: number;
  /** A received snapshot not yet persisted. */
  pendingSnapshot: Snapshot | undefined;
  /** The pending snapshot was already handed out in a Ready. */
  snapshotHandedOut = false;
  /** Unstable entries with index < handedOut were already handed out in a Ready. */
  private handedOut: number;

  constructor(
    readonly storage: LogStore,
    committed: number,
    applied: number,
  ) {
    this.offset = storage.lastIndex() + 1;
    this.handedOut = this.offset;
    this.committed = committed;
    this.applied = applied;
  }

  /** Entries held in memory until persisted (0 once every Ready is advanced). */
  get unstableCount(): number {
    return this.unstable.length;
  }

  firstIndex(): number {
    if (this.pendingSnapshot) return this.pendingSnapshot.meta.index + 1;
    return this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstable.length > 0) return this.offset + this.unstable.length - 1;
    if (this.pendingSnapshot) return this.pendingSnapshot.meta.index;
    return this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** Term at `index`, or undefined when compacted or beyond the log. */
  term(index: number): number | undefined {
    if (index >= this.offset) {
      return this.unstable[index - this.offset]?.term;
    }
    const snap = this.pendingSnapshot;
    if (snap) return index === snap.meta.index ? snap.meta.term : undefined;
    if (index > this.storage.lastIndex()) return undefined;
    return this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Entries in [lo, hi), at most `maxBytes` of data (always at least one); undefined when compacted. */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] | undefined {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) return undefined;
    const out: Entry[] = [];
    if (lo < this.offset) {
      out.push(...this.storage.entries(lo, Math.min(hi, this.offset), maxBytes));
      if (out.length < Math.min(hi, this.offset) - lo) return out;
    }
    let bytes = 0;
    for (const e of out) bytes += e.data.byteLength;
    for (let i = Math.max(lo, this.offset); i < hi; i++) {
      const e = this.unstable[i - this.offset];
      if (!e) break;
      bytes += e.data.byteLength;
      if (out.length > 0 && maxBytes !== undefined && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Appends entries, replacing any existing entry at the same index and everything after it. */
  append(ents: readonly Entry[]): void {
    const first = ents[0];
    if (!first) return;
    if (first.index > this.lastIndex() + 1) {
      throw new RangeError(`append leaves a gap: ${first.index} after ${this.lastIndex()}`);
    }
    if (first.index <= this.committed) {
      throw new RangeError(`append at ${first.index} would overwrite committed ${this.committed}`);
    }
    if (first.index === this.offset + this.unstable.length) {
      this.unstable.push(...ents);
    } else if (first.index <= this.offset) {
      this.offset = first.index;
      this.unstable = [...ents];
    } else {
      this.unstable.length = first.index - this.offset;
      this.unstable.push(...ents);
    }
    this.handedOut = Math.min(this.handedOut, first.index);
  }

  /** The index of the first entry of `ents` that is not in the log (0 when all are present). */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** The largest index ≤ `index` whose term is ≤ `term` (fast back-off; etcd's findConflictByTerm). */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    for (; i > 0; i--) {
      const t = this.term(i);
      if (t === undefined || t <= term) break;
    }
    return i;
  }

  commitTo(index: number): void {
    if (index > this.committed) {
      if (index > this.lastIndex()) throw new RangeError(`commit ${index} beyond last ${this.lastIndex()}`);
      this.committed = index;
    }
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Replaces the log by a snapshot position (the snapshot awaits persistence). */
  restore(snapshot: Snapshot): void {
    this.pendingSnapshot = snapshot;
    this.snapshotHandedOut = false;
    this.unstable = [];
    this.offset = snapshot.meta.index + 1;
    this.handedOut = this.offset;
    this.committed = snapshot.meta.index;
  }

  /** Unstable entries not yet handed out; marks them handed out. */
  takeUnstable(): Entry[] {
    const from = Math.max(this.handedOut, this.offset);
    const out = this.unstable.slice(from - this.offset);
    this.handedOut = this.offset + this.unstable.length;
    return out;
  }

  hasUnstable(): boolean {
    return (
      this.handedOut < this.offset + this.unstable.length ||
      (this.pendingSnapshot !== undefined && !this.snapshotHandedOut)
    );
  }

  /** The driver persisted entries up to (index, term): forget them here if they are still ours. */
  stableTo(index: number, term: number): void {
    if (index < this.offset) return;
    const e = this.unstable[index - this.offset];
    if (!e || e.term !== term) return;
    this.unstable = this.unstable.slice(index + 1 - this.offset);
    this.offset = index + 1;
    this.handedOut = Math.max(this.handedOut, this.offset);
  }

  stableSnapTo(index: number): void {
    if (this.pendingSnapshot?.meta.index === index) this.pendingSnapshot = undefined;
  }
}
