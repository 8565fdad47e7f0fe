// The vocabulary shared by the pure raft core, the storage, the transports and the RaftNode driver.
// Names follow the raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", extended version) and etcd-io/raft where the paper has no word for a thing.
import type { CoreEvent } from './core/api.js';

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

/**
 * Single-server membership change (§6 / Ongaro's thesis §4.1): one server at a time.
 * - `addLearner`: `node` joins (or, if it is a voter, is demoted) as a learner: it receives the log
 *   but neither votes nor counts toward any quorum.
 * - `addVoter`: promotes the learner `node` to voter. Proposed on a node that is not a member, it
 *   becomes `addLearner`: the leader promotes a learner itself once its log has caught up.
 * - `removeServer`: `node` leaves (voter or learner).
 */
export interface ConfChange {
  readonly type: 'addVoter' | 'addLearner' | 'removeServer';
  readonly node: NodeId;
  /**
   * `addVoter` only: the incarnation of `node` being promoted (see HardState.recovering). A voter
   * counts toward quorums only while the incarnation it reports is the one it was promoted with.
   */
  readonly incarnation?: string;
}

/** The membership at some log index. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  /** Members that receive the log but neither vote nor count toward quorums. Default none. */
  readonly learners?: readonly NodeId[];
  /** Voter → the incarnation it was promoted with (voters promoted from a recovering learner). */
  readonly incarnations?: Readonly<Record<NodeId, string>>;
}

/** State that must be on stable storage before any message that depends on it is sent (Figure 2). */
export interface HardState {
  readonly term: number;
  /** Candidate voted for in `term`, or '' for none. */
  readonly vote: NodeId;
  /** Highest index known committed. Persisting it is an optimisation, not a safety requirement. */
  readonly commit: number;
  /**
   * Set while this node is *recovering*: it started with empty storage (a new node, or a voter whose
   * data was lost) and may not vote, campaign or count toward any quorum until it is admitted — by
   * a committed promotion carrying this incarnation id, or by every bootstrap voter reporting an
   * empty log (a brand-new cluster). See docs/core.md "A node with empty storage".
   */
  readonly recovering?: string;
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
  | 'readIndexResp'
  | 'probe'
  | 'probeResp';

/**
 * A raft message between two nodes. Field meaning depends on `type`, as in etcd-io/raft:
 * - append: `index`/`logTerm` are prevLogIndex/prevLogTerm, `entries` follow them, `commit` is leaderCommit.
 * - appendResp: `index` is the last index matched (success) or the rejected index; `rejectHint` and
 *   `logTerm` carry the follower's hint for fast back-off.
 * - vote/preVote: `index`/`logTerm` are the candidate's last log index and term.
 * - snapshot: `snapshot` holds the whole snapshot; transports may stream its data in chunks.
 * - heartbeat/readIndex: `context` carries a read request id for ReadIndex (§6.4).
 * - probe: a recovering node asks a bootstrap voter for its `term` and last `index` (probeResp).
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
  /** Sent by a recovering node (HardState.recovering): its incarnation id. Echoed in probeResp. */
  readonly incarnation?: string;
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
 * `events` (refused non-members, step-downs, elections, membership applied, …) are observations
 * for logs and metrics; acting on them is optional. Every output of the core is in a Ready: it
 * writes nothing itself (compaction too: `compactionPoint` says what may go, the driver drops it
 * and reports back with `compacted`).
 *
 * Step 2 as the driver in this package does it (node/raft-node.ts): a follower's and candidate's
 * messages (acks, votes) leave only after step 1. A leader's own appends and heartbeats may leave
 * before its entries are durable, and its fsync then runs while the followers write theirs (Raft
 * thesis §10.2.1). A commit index that counted the leader's own not-yet-durable entries is acted on
 * (sent to followers, applied) only from a later Ready, which the driver takes only after that
 * persist completed.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly events?: readonly CoreEvent[];
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
  readonly learners: readonly NodeId[];
  /** This node started with empty storage and is not admitted yet: it neither votes nor campaigns. */
  readonly recovering: boolean;
  /**
   * Leader only: per member, the highest index known replicated there; `counted` is false for a
   * learner and for a voter reporting an incarnation it was not promoted with.
   */
  readonly progress?: Readonly<
    Record<NodeId, { match: number; next: number; recentActive: boolean; counted: boolean }>
  >;
}
