// The contract between the pure core (RawNode) and everything around it (RaftNode driver, simulator).
// The core owns no timer, socket, clock, disk or randomness: time is `tick()`, randomness is the
// injected `random`, and durable state is reached only through the synchronous storage interfaces.
import type { LogStore, StableStore } from '../storage.js';
import type {
  ConfChange,
  ConfState,
  Message,
  NodeId,
  Ready,
  Snapshot,
  SnapshotMeta,
  Status,
} from '../types.js';

export interface CoreConfig {
  /** This node's identity (its configured advertise address). */
  readonly id: NodeId;
  /**
   * Voters to bootstrap with when storage holds no membership yet (a fresh node). Ignored once the
   * log or a snapshot carries membership. A list holding only `id` means single-node mode.
   */
  readonly bootstrapVoters: readonly NodeId[];
  /** Ticks without hearing from a leader before a follower campaigns; randomized in [n, 2n). */
  readonly electionTicks: number;
  /** Ticks between leader heartbeats. Must be < electionTicks. */
  readonly heartbeatTicks: number;
  /** Pre-vote (thesis §9.6): a node must win a pre-election before bumping its term. Default true. */
  readonly preVote?: boolean;
  /** Check-quorum: a leader not hearing from a quorum within an election timeout steps down. Default true. */
  readonly checkQuorum?: boolean;
  /** Max entry bytes per append message (batching). */
  readonly maxSizePerMsg?: number;
  /** Max append messages in flight per follower (pipelining). */
  readonly maxInflightMsgs?: number;
  /** Max entry bytes in flight per follower. */
  readonly maxInflightBytes?: number;
  /** Max proposals' bytes a leader keeps uncommitted before refusing more (back-pressure). */
  readonly maxUncommittedBytes?: number;
  /** Index the application has applied up to (from its restored snapshot); default: snapshot index. */
  readonly applied?: number;
  /** 'safe' = ReadIndex with a heartbeat round; 'lease' = leader lease (explicit opt-in only). */
  readonly readOnlyOption?: 'safe' | 'lease';
  /** Uniform random in [0, 1): injected so tests and the simulator are deterministic. */
  readonly random: () => number;
  readonly log: LogStore;
  readonly stable: StableStore;
  /**
   * Added by the core (issue 4). The newest snapshot the application holds, or undefined when there is
   * none. The leader calls it only when a follower needs entries that were compacted away; when it is
   * absent, or returns a snapshot older than the compacted log, the leader cannot send a snapshot and
   * keeps probing the follower.
   */
  readonly snapshotSource?: () => Snapshot | undefined;
  /**
   * How a node whose storage is empty (term 0, no vote, no log, no snapshot) starts:
   * - 'rejoin' (default): *recovering* (HardState.recovering). It neither votes nor campaigns nor
   *   counts toward a quorum until admitted: promoted by a leader once caught up, or told by every
   *   other bootstrap voter that their logs are empty (a brand-new cluster). Safe when the node is a
   *   voter whose data was lost.
   * - 'bootstrap': trusts that the cluster is new and votes at once. Only for tests of other rules:
   *   a wiped voter started this way can vote twice in one term.
   */
  readonly emptyStorage?: 'rejoin' | 'bootstrap';
}

export type CoreEvent =
  | {
      readonly type: 'refusedNonMember';
      readonly from: NodeId;
      readonly messageType: string;
      readonly term: number;
    }
  | {
      readonly type: 'stepDown';
      readonly reason: 'checkQuorum' | 'higherTerm' | 'removed' | 'transfer';
      readonly term: number;
    }
  /** An election (`vote`) or a pre-election (`preVote`, which raises no term) starts for `term`. */
  | { readonly type: 'campaign'; readonly kind: 'preVote' | 'vote'; readonly term: number }
  | { readonly type: 'electionWon'; readonly term: number }
  | { readonly type: 'confApplied'; readonly conf: ConfState; readonly index: number }
  /** This node started with empty storage: it neither votes nor campaigns until admitted. */
  | { readonly type: 'recovering'; readonly incarnation: string }
  /** A recovering node's probe found a peer holding log entries: it waits for a leader to promote it. */
  | { readonly type: 'notFreshCluster'; readonly from: NodeId; readonly term: number }
  /** A recovering node was admitted: promoted by the leader, or every bootstrap voter's log is empty. */
  | { readonly type: 'admitted'; readonly how: 'promoted' | 'newCluster'; readonly term: number }
  /** Leader: demoting a voter that lost its state, or promoting a learner that caught up. */
  | {
      readonly type: 'roleChangeProposed';
      readonly change: ConfChange;
      readonly reason: 'lostState' | 'caughtUp';
      readonly term: number;
    };

/** Where a proposal landed in the log. It is committed once `commit ≥ index` with the same term. */
export interface ProposalPosition {
  readonly index: number;
  readonly term: number;
}

/**
 * The synchronous face of the core (etcd-io/raft's RawNode). Not reentrant; call from one task.
 * Errors thrown: NotLeaderError (propose/confChange/readIndex on a non-leader), ProposalDroppedError
 * (leader transferring, or uncommitted bytes over the limit), ConfChangeInProgressError.
 */
export interface RawNodeApi {
  /** Advances logical time by one tick. */
  tick(): void;
  /** Feeds a message received from a peer (or a local response). Messages from non-members are refused. */
  step(message: Message): void;
  /** Appends `data` as a normal entry (leader only). */
  propose(data: Uint8Array): ProposalPosition;
  /** Appends a single-server membership change (leader only; one pending change at a time). */
  proposeConfChange(change: ConfChange): ProposalPosition;
  /** Starts a linearizable read; the answer arrives as a ReadState carrying `context`. */
  readIndex(context: Uint8Array): void;
  /** Leadership transfer (thesis §3.10): catch `to` up, then send it TimeoutNow. */
  transferLeadership(to: NodeId): void;
  /** Starts an election now (e.g. single-node bootstrap, or an operator's request). */
  campaign(): void;
  /** True when ready() would return something to do. */
  hasReady(): boolean;
  /** Work for the driver; see the Ready contract in types.ts. */
  ready(): Ready;
  /** Acknowledges that everything in `ready` was done. */
  advance(ready: Ready): void;
  /**
   * The application took a snapshot up to `meta.index`: where the log may be compacted, keeping
   * `trailing` entries (only what is applied and persisted), or undefined when nothing may go. The
   * driver drops the entries from storage (`LogStore.compact`) and reports back with `compacted`.
   */
  compactionPoint(meta: SnapshotMeta, trailing: number): SnapshotMeta | undefined;
  /** The driver compacted its log up to `index`. */
  compacted(index: number): void;
  /** The transport could not reach `peer`: the leader slows down replication to it. */
  reportUnreachable(peer: NodeId): void;
  /** The transport's connection to `peer` is (again) open: a leader sends it a heartbeat now. */
  reportReconnected(peer: NodeId): void;
  /** Outcome of sending a snapshot to `peer`. */
  reportSnapshot(peer: NodeId, ok: boolean): void;
  status(): Status;
}
