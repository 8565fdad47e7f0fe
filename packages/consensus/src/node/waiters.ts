// Pending requests of a RaftNode: proposals waiting for their entry to be applied, and linearizable
// reads waiting for their ReadIndex to be applied. Timeouts are swept once per tick instead of one
// timer per request, which matters at tens of thousands of proposals per second.
import { ProposalLostError, RaftTimeoutError } from './errors.js';

interface Pending<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (err: Error) => void;
  readonly deadline: number;
}

interface ProposalWaiter extends Pending<unknown> {
  readonly term: number;
  /** performance.now() at propose(), for the proposal-to-commit latency. */
  readonly proposedAt: number;
}

/** Proposals by log index. Map order is insertion order, which is index order for one leader term. */
export class ProposalWaiters {
  private readonly byIndex = new Map<number, ProposalWaiter>();

  get size(): number {
    return this.byIndex.size;
  }

  add(index: number, term: number, deadline: number, proposedAt = 0): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // An older waiter at the same index belongs to an entry that was overwritten.
      this.byIndex.get(index)?.reject(new ProposalLostError(index, 'replaced by a newer proposal'));
      this.byIndex.set(index, { resolve, reject, deadline, term, proposedAt });
    });
  }

  /** When the proposal of the entry at `index` with `term` was made here, or undefined for none. */
  proposedAt(index: number, term: number): number | undefined {
    const w = this.byIndex.get(index);
    return w !== undefined && w.term === term ? w.proposedAt : undefined;
  }

  /** The entry at `index` with `term` was applied with `result` (or threw `error`). */
  applied(index: number, term: number, result: unknown, error?: Error): void {
    const w = this.byIndex.get(index);
    if (w === undefined) return;
    this.byIndex.delete(index);
    if (w.term !== term)
      w.reject(new ProposalLostError(index, `another leader's entry (term ${term}) was committed there`));
    else if (error) w.reject(error);
    else w.resolve(result);
  }

  /** A snapshot covering everything ≤ `index` replaced the state: results there are unknowable. */
  coveredBySnapshot(index: number): void {
    for (const [i, w] of this.byIndex) {
      if (i > index) continue;
      this.byIndex.delete(i);
      w.reject(
        new ProposalLostError(i, 'a snapshot from another leader replaced the log here; outcome unknown'),
      );
    }
  }

  sweep(now: number, timeoutMs: number): void {
    for (const [i, w] of this.byIndex) {
      if (w.deadline > now) continue;
      this.byIndex.delete(i);
      w.reject(new RaftTimeoutError(`proposal at index ${i}`, timeoutMs));
    }
  }

  rejectAll(err: Error): void {
    for (const w of this.byIndex.values()) w.reject(err);
    this.byIndex.clear();
  }
}

interface ReadWaiter extends Pending<void> {
  index: number | undefined;
}

/** Linearizable reads by request id. */
export class ReadWaiters {
  private readonly byId = new Map<string, ReadWaiter>();
  private next = 0;

  get size(): number {
    return this.byId.size;
  }

  /** A new request id (also the ReadIndex context bytes). */
  add(deadline: number): { context: Uint8Array; done: Promise<void> } {
    const id = `r${++this.next}`;
    const done = new Promise<void>((resolve, reject) => {
      this.byId.set(id, { resolve, reject, deadline, index: undefined });
    });
    return { context: new TextEncoder().encode(id), done };
  }

  /** The leader confirmed request `context` may be served once applied ≥ `index`. */
  confirmed(context: Uint8Array, index: number, applied: number): void {
    const id = new TextDecoder().decode(context);
    const w = this.byId.get(id);
    if (w === undefined) return;
    w.index = index;
    if (applied >= index) {
      this.byId.delete(id);
      w.resolve();
    }
  }

  applied(applied: number): void {
    for (const [id, w] of this.byId) {
      if (w.index !== undefined && w.index <= applied) {
        this.byId.delete(id);
        w.resolve();
      }
    }
  }

  fail(context: Uint8Array, err: Error): void {
    const id = new TextDecoder().decode(context);
    const w = this.byId.get(id);
    if (w === undefined) return;
    this.byId.delete(id);
    w.reject(err);
  }

  sweep(now: number, timeoutMs: number): void {
    for (const [id, w] of this.byId) {
      if (w.deadline > now) continue;
      this.byId.delete(id);
      w.reject(new RaftTimeoutError('linearizable read', timeoutMs));
    }
  }

  rejectAll(err: Error): void {
    for (const w of this.byId.values()) w.reject(err);
    this.byId.clear();
  }
}
