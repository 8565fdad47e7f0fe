// In-memory implementations of the storage interfaces, for tests and the deterministic simulator.
// They follow the same contracts as the SQLite implementation: synchronous log reads and writes,
// contiguous indexes, replacing append (§5.3), compaction behind a snapshot position.
import type { LogStore, SnapshotStore, StableStore } from '../storage.js';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '../types.js';

const EMPTY_META: SnapshotMeta = { index: 0, term: 0, conf: { voters: [] } };

/** A raft log held in an array. Invariant: `ents[i].index === meta.index + 1 + i`. */
export class MemoryLogStore implements LogStore {
  private meta: SnapshotMeta = EMPTY_META;
  private ents: Entry[] = [];

  firstIndex(): number {
    return this.meta.index + 1;
  }

  lastIndex(): number {
    return this.meta.index + this.ents.length;
  }

  term(index: number): number | undefined {
    if (index === this.meta.index) return this.meta.term;
    if (index < this.meta.index || index > this.lastIndex()) return undefined;
    return this.ents[index - this.meta.index - 1]?.term;
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo > hi) {
      throw new RangeError(
        `entries [${lo}, ${hi}) out of range [${this.firstIndex()}, ${this.lastIndex() + 1})`,
      );
    }
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - this.meta.index - 1]!;
      bytes += e.data.byteLength;
      if (out.length > 0 && maxBytes !== undefined && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.index !== entries[i - 1]!.index + 1) {
        throw new RangeError(`append: entries not contiguous at index ${entries[i]!.index}`);
      }
    }
    // Entries already covered by the compacted snapshot are committed and identical: skip them.
    const live = entries.filter((e) => e.index > this.meta.index);
    const first = live[0];
    if (first === undefined) return;
    if (first.index > this.lastIndex() + 1) {
      throw new RangeError(`append: gap, first index ${first.index} after last ${this.lastIndex()}`);
    }
    this.ents.length = first.index - this.meta.index - 1;
    for (const e of live) this.ents.push(e);
  }

  compact(meta: SnapshotMeta): void {
    if (meta.index <= this.meta.index) return;
    if (meta.index > this.lastIndex()) {
      throw new RangeError(`compact: index ${meta.index} beyond last index ${this.lastIndex()}`);
    }
    this.ents = this.ents.slice(meta.index - this.meta.index);
    this.meta = meta;
  }

  resetTo(meta: SnapshotMeta): void {
    this.ents = [];
    this.meta = meta;
  }

  compactedMeta(): SnapshotMeta {
    return this.meta;
  }

  confEntries(): Entry[] {
    return this.ents.filter((e) => e.kind === 'conf');
  }
}

/** Hard state and named values in memory. */
export class MemoryStableStore implements StableStore {
  private hs: HardState = { term: 0, vote: '', commit: 0 };
  private readonly values = new Map<string, string>();

  hardState(): HardState {
    return this.hs;
  }

  setHardState(state: HardState): void {
    const { term, vote, commit, recovering } = state;
    this.hs = recovering === undefined ? { term, vote, commit } : { term, vote, commit, recovering };
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
  }
}

/** Keeps the newest `retain` snapshots (default 2) in memory, newest first. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly held: Snapshot[] = [];

  constructor(private readonly retain = 2) {}

  async save(snapshot: Snapshot): Promise<void> {
    this.held.unshift({ meta: snapshot.meta, data: snapshot.data.slice() });
    this.held.length = Math.min(this.held.length, Math.max(1, this.retain));
  }

  async latest(): Promise<Snapshot | undefined> {
    return this.held[0];
  }

  async list(): Promise<SnapshotMeta[]> {
    return this.held.map((s) => s.meta);
  }
}
