// The leader's view of one follower (etcd-io/raft's tracker): how far it is known to match, what to
// send next, and the flow-control state. Probe: one append in flight until an answer (used after a
// rejection or restart). Replicate: optimistic pipelining, bounded by Inflights. Snapshot: waiting
// for an InstallSnapshot to finish; nothing else is sent.

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A sliding window of in-flight append messages, bounded in count and bytes. */
export class Inflights {
  private readonly items: { index: number; bytes: number }[] = [];
  private bytes = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Frees every message whose last entry is ≤ `index` (acknowledged). */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.items.length && this.items[n]!.index <= index) {
      this.bytes -= this.items[n]!.bytes;
      n++;
    }
    if (n > 0) this.items.splice(0, n);
  }

  freeFirst(): void {
    const first = this.items[0];
    if (first) this.freeLE(first.index);
  }

  full(): boolean {
    return this.items.length >= this.maxCount || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  count(): number {
    return this.items.length;
  }

  reset(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}

export class Progress {
  /** Highest index known replicated on the follower. */
  match = 0;
  /** Next index to send. Invariant: match < next. */
  next: number;
  state: ProgressState = 'probe';
  /** Index of the snapshot being sent, in state 'snapshot'. */
  pendingSnapshot = 0;
  /** Heard from within the current election timeout (check-quorum). */
  recentActive = false;
  /** Probe state: an append is in flight, wait for its answer or the next heartbeat answer. */
  probeSent = false;
  /**
   * The incarnation the member reported while recovering (it started with empty storage); kept for
   * the leader's term so a late answer from the member's earlier life cannot make it count again.
   */
  incarnation: string | undefined;
  readonly inflights: Inflights;

  constructor(next: number, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** An append up to `index` succeeded. Returns true when `match` moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * An append at `rejected` was refused; `hint` is the highest index that may still match.
   * Returns false when the rejection is stale (an older message) and should be ignored.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (rejected === this.match && hint < this.match) {
      // The follower no longer holds entries it acknowledged: it restarted with an empty (or older)
      // data dir under the same id. Start over from what it has (down to a snapshot if needed)
      // instead of ignoring it forever. Lowering match never lowers the commit index.
      this.match = hint;
      this.next = hint + 1;
      this.probeSent = false;
      return true;
    }
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflights.full();
    return true;
  }
}

/** The largest index replicated on a majority of `voters`, given each one's match. */
export function quorumMatch(voters: readonly string[], match: (id: string) => number): number {
  if (voters.length === 0) return 0;
  const ms = voters.map(match).sort((a, b) => b - a);
  return ms[Math.floor(voters.length / 2)]!;
}

/** True when `yes` covers a majority of `voters`. */
export function hasQuorum(voters: readonly string[], yes: (id: string) => boolean): boolean {
  let n = 0;
  for (const v of voters) if (yes(v)) n++;
  return n > voters.length / 2;
}
