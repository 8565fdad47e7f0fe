// ReadIndex bookkeeping (thesis §6.4): each read records the commit index when it arrived and is
// released once a quorum has answered a heartbeat carrying its context (or a later read's context,
// since heartbeats are answered in order of the reads they confirm).

interface PendingRead {
  readonly key: string;
  readonly index: number;
  readonly context: Uint8Array;
  readonly acks: Set<string>;
}

export function contextKey(context: Uint8Array): string {
  let s = '';
  for (const b of context) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnlyQueue {
  private queue: PendingRead[] = [];

  add(index: number, context: Uint8Array): void {
    const key = contextKey(context);
    if (this.queue.some((r) => r.key === key)) return;
    this.queue.push({ key, index, context, acks: new Set() });
  }

  /** Records an ack from `from`; returns the acks for that read, or undefined when unknown. */
  ack(context: Uint8Array, from: string): Set<string> | undefined {
    const r = this.queue.find((x) => x.key === contextKey(context));
    if (!r) return undefined;
    r.acks.add(from);
    return r.acks;
  }

  /** Removes and returns every read up to and including the one with `context`. */
  release(context: Uint8Array): { index: number; context: Uint8Array }[] {
    const key = contextKey(context);
    const at = this.queue.findIndex((r) => r.key === key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return done.map((r) => ({ index: r.index, context: r.context }));
  }

  /** Context of the newest pending read, sent with heartbeats. */
  lastContext(): Uint8Array | undefined {
    return this.queue[this.queue.length - 1]?.context;
  }

  reset(): void {
    this.queue = [];
  }
}
