// Storage interfaces (hashicorp/raft style: small, pluggable). All calls are synchronous because the
// durable implementation uses better-sqlite3, whose calls complete (and fsync) before returning; this
// lets the pure core read the log without awaiting. Implementations: memory (tests, simulator) and
// SQLite (one file in the data dir).
import type { Entry, HardState, Snapshot, SnapshotMeta } from './types.js';

/**
 * The raft log. Indexes are contiguous from `firstIndex()` to `lastIndex()`; entries before
 * `firstIndex()` were compacted into a snapshot whose meta is `compactedMeta()`.
 */
export interface LogStore {
  /** First index still held; `lastIndex() + 1` when the log is empty. */
  firstIndex(): number;
  /** Last index held, or the snapshot's index when the log is empty (0 for a fresh log). */
  lastIndex(): number;
  /** Term of the entry at `index`; the snapshot's term for its index; undefined when unknown. */
  term(index: number): number | undefined;
  /** Entries in [lo, hi), stopping early once their data exceeds `maxBytes` (always at least one). */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /**
   * Appends entries, durably, in one transaction. An entry whose index already exists replaces that
   * entry and removes every entry after it (the log-matching repair of §5.3).
   */
  append(entries: readonly Entry[]): void;
  /** Drops entries ≤ `index` (they are covered by a snapshot with meta `meta`). */
  compact(meta: SnapshotMeta): void;
  /** Replaces the whole log by a snapshot's position (InstallSnapshot on a follower). */
  resetTo(meta: SnapshotMeta): void;
  /** Meta of the snapshot the log was last compacted to or reset to; index 0 when none. */
  compactedMeta(): SnapshotMeta;
  /**
   * Optional: the membership-change (`conf`) entries still in the log, in index order, read from an
   * index. The core reads its membership at start from these; without it, it scans the whole log.
   */
  confEntries?(): Entry[];
}

/** Term, vote and commit, plus small named values (e.g. the membership a node was configured with). */
export interface StableStore {
  hardState(): HardState;
  setHardState(state: HardState): void;
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Keeps the last N snapshots, written atomically (temp file + rename), each with a checksum. */
export interface SnapshotStore {
  /** Writes a snapshot; resolves once it is durable. */
  save(snapshot: Snapshot): Promise<void>;
  /** The newest intact snapshot, or undefined. A corrupt one is reported and skipped, never returned. */
  latest(): Promise<Snapshot | undefined>;
  /** Metas of the snapshots held, newest first. */
  list(): Promise<SnapshotMeta[]>;
}
