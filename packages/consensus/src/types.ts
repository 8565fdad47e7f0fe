// The vocabulary shared by the pure raft core, the storage, the transports and the RaftNode driver.
// Names follow the raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", extended version) and etcd-io/raft where the paper has no word for a thing.

/** A node's identity: the configured address string (`host:port`), never a resolved IP. */
export type NodeId = string;

/** What an entry carries. `noop` is the empty entry a new leader appends (§8); `conf` is a membership change. */
export type EntryKind = 'normal' | 'conf' | 'noop';

/** One raft log entry. Invariant: index ≥ 1, and terms never decrease along the log. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  /** Application bytes (`normal`), an encoded ConfChange (`conf`), or empty (`noop`). */
  readonly data: Uint8Array;
}

/** Single-server membership change (§6 / Ongaro's thesis §4.1): one server at a time. */
export interface ConfChange {
  readonly type: 'addVoter' | 'removeServer';
  readonly node: NodeId;
}

/** The voting membership at some log index. */
export interface ConfState {
  readonly voters: readonly NodeId[];
}

/** State that must be on stable storage before any message that depends on it is sent (Figure 2). */
export interface HardState {
  readonly term: number;
  /** Candidate voted for in `term`, or '' for none. */
  readonly vote: NodeId;
  /** Highest index known committed. Persisting it is an optimisation, not a safety requirement. */
  readonly commit: number;
}

export interface SnapshotMeta {
  /** Last log index covered by the snapshot. */
  readonly index: number;
  /** Term of the entry at `index`. */
  readonly term: number;
  /** Membership as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The application state machine's serialized state at `meta.index`. */
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export type MessageType =
  | 'preVote'
  | 'preVoteResp'
  | 'vote'
  | 'voteResp'
  | 'append'
  | 'appendResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snapshot'
  | 'snapshotResp'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

/**
 * A raft message between two nodes. Field meaning depends on `type`, as in etcd-io/raft:
 * - append: `index`/`logTerm` are prevLogIndex/prevLogTerm, `entries` follow them, `commit` is leaderCommit.
 * - appendResp: `index` is the last index matched (success) or the rejected index; `rejectHint` and
 *   `logTerm` carry the follower's hint for fast back-off.
 * - vote/preVote: `index`/`logTerm` are the candidate's last log index and term.
 * - snapshot: `snapshot` holds the whole snapshot; transports may stream its data in chunks.
 * - heartbeat/readIndex: `context` carries a read request id for ReadIndex (§6.4).
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly logTerm?: number;
  readonly index?: number;
  readonly entries?: readonly Entry[];
  readonly commit?: number;
  readonly reject?: boolean;
  readonly rejectHint?: number;
  readonly snapshot?: Snapshot;
  readonly context?: Uint8Array;
}

/** A ReadIndex answer: once `applied ≥ index`, a read for request `context` is linearizable. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

/** Volatile state worth reporting to the application when it changes. */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/**
 * Everything the core wants done, handed out by `RawNode.ready()`. The driver MUST, in order:
 * 1. persist `snapshot` (if any), then `entries` (appending; an entry at an existing index replaces
 *    it and everything after it), then `hardState` (if any), synchronously to stable storage;
 * 2. send `messages` (only after step 1: votes and acks must be durable first);
 * 3. apply `snapshot` to the state machine (if any), then `committedEntries` in order;
 * 4. hand `readStates` to waiting readers once applied ≥ their index;
 * 5. call `advance(ready)`.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
}

/** What the core reports about itself; `applied ≤ commit ≤ lastIndex` always holds. */
export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly voters: readonly NodeId[];
  /** Leader only: per follower, the highest index known replicated there. */
  readonly progress?: Readonly<Record<NodeId, { match: number; next: number; recentActive: boolean }>>;
}
