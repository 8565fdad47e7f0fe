// RawNode: the synchronous face of the core (etcd-io/raft's rawnode.go). It wraps the Raft state
// machine and turns its pending output into Ready batches, following the contract in types.ts.
import type {
  ConfChange,
  ConfState,
  HardState,
  Message,
  NodeId,
  Ready,
  Role,
  SnapshotMeta,
  SoftState,
  Status,
} from '../types.js';
import type { CoreConfig, ProposalPosition, RawNodeApi } from './api.js';
import { Raft } from './raft.js';

export class RawNode implements RawNodeApi {
  private readonly raft: Raft;
  private prevHard: HardState;
  private prevSoft: SoftState;
  /** Committed entries up to this index were already handed out in a Ready. */
  private applying: number;

  constructor(config: CoreConfig) {
    this.raft = new Raft(config);
    this.prevHard = config.stable.hardState();
    this.prevSoft = { leader: '', role: 'follower' };
    this.applying = this.raft.log.applied;
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  propose(data: Uint8Array): ProposalPosition {
    const e = this.raft.propose('normal', data);
    return { index: e.index, term: e.term };
  }

  proposeConfChange(change: ConfChange): ProposalPosition {
    const e = this.raft.proposeConfChange(change);
    return { index: e.index, term: e.term };
  }

  readIndex(context: Uint8Array): void {
    this.raft.readIndex(context);
  }

  transferLeadership(to: string): void {
    this.raft.transferLeadership(to);
  }

  campaign(): void {
    this.raft.hup(false);
  }

  private hardState(): HardState {
    const r = this.raft;
    const hs = { term: r.term, vote: r.vote, commit: r.log.committed };
    return r.recovering === undefined ? hs : { ...hs, recovering: r.recovering };
  }

  hasReady(): boolean {
    const r = this.raft;
    const hs = this.hardState();
    return (
      r.bcastPending ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.events.length > 0 ||
      r.log.hasUnstable() ||
      r.log.committed > this.applying ||
      r.lead !== this.prevSoft.leader ||
      r.role !== this.prevSoft.role ||
      !sameHard(hs, this.prevHard)
    );
  }

  ready(): Ready {
    const r = this.raft;
    const marker = this.hardState();
    if (marker.recovering !== undefined && marker.recovering !== this.prevHard.recovering) {
      // The recovering marker is made durable before anything else of this node (entries, answers):
      // a crash must never leave entries on disk without it, or the node would restart admitted.
      this.prevHard = marker;
      return { hardState: marker, entries: [], committedEntries: [], messages: [], readStates: [] };
    }
    r.flushBcast();
    const log = r.log;
    const snapshot = log.pendingSnapshot && !log.snapshotHandedOut ? log.pendingSnapshot : undefined;
    if (snapshot) {
      log.snapshotHandedOut = true;
      this.applying = Math.max(this.applying, snapshot.meta.index);
    }
    const entries = log.takeUnstable();
    const committedEntries =
      log.committed > this.applying ? (log.slice(this.applying + 1, log.committed + 1) ?? []) : [];
    const last = committedEntries[committedEntries.length - 1];
    if (last) this.applying = last.index;
    const hs = this.hardState();
    const soft: SoftState = { leader: r.lead, role: r.role };
    const softChanged = soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role;
    const hardChanged = !sameHard(hs, this.prevHard);
    const rd: Ready = {
      ...(softChanged ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hs } : {}),
      entries,
      ...(snapshot ? { snapshot } : {}),
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      events: r.events,
    };
    r.msgs = [];
    r.readStates = [];
    r.events = [];
    this.prevSoft = soft;
    if (hardChanged) this.prevHard = hs;
    return rd;
  }

  advance(ready: Ready): void {
    const log = this.raft.log;
    if (ready.snapshot) {
      log.stableSnapTo(ready.snapshot.meta.index);
      log.applied = Math.max(log.applied, ready.snapshot.meta.index);
    }
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry) log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted) log.applied = Math.max(log.applied, lastCommitted.index);
  }

  compactionPoint(meta: SnapshotMeta, trailing: number): SnapshotMeta | undefined {
    const log = this.raft.log;
    const storage = log.storage;
    // Only what is both applied (covered by the application's snapshot) and persisted may go.
    const upTo = Math.min(meta.index, log.applied, storage.lastIndex()) - Math.max(0, trailing);
    if (upTo <= storage.firstIndex() - 1) return undefined;
    const term = storage.term(upTo);
    if (term === undefined) return undefined;
    return { index: upTo, term, conf: this.raft.confState(upTo) };
  }

  compacted(index: number): void {
    this.raft.compacted(index);
  }

  reportUnreachable(peer: string): void {
    this.raft.reportUnreachable(peer);
  }

  reportSnapshot(peer: string, ok: boolean): void {
    this.raft.reportSnapshot(peer, ok);
  }

  reportReconnected(peer: string): void {
    this.raft.reportReconnected(peer);
  }

  /**
   * Membership as of log index `index` (default: the newest, in effect now). Not part of RawNodeApi:
   * the driver uses it to fill SnapshotMeta.conf for the snapshot it takes at its applied index.
   */
  confState(index?: number): ConfState {
    return this.raft.confState(index);
  }

  /** The role, leader and voters without building a Status: for per-request checks on hot paths. */
  brief(): { readonly role: Role; readonly leader: NodeId; readonly voters: readonly NodeId[] } {
    const r = this.raft;
    return { role: r.role, leader: r.lead, voters: r.voters };
  }

  /**
   * Leader: the voters that count toward quorums now (not one that reported it lost its data).
   * Elsewhere: the voters.
   */
  /** Log entries held in memory until persisted. */
  unstableEntries(): number {
    return this.raft.log.unstableCount;
  }

  countedVoters(): readonly NodeId[] {
    const r = this.raft;
    return r.role === 'leader' ? r.voters.filter((v) => r.counted(v)) : r.voters;
  }

  status(): Status {
    const r = this.raft;
    const base = {
      id: r.id,
      role: r.role,
      term: r.term,
      leader: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      voters: [...r.voters],
      learners: [...r.learners],
      recovering: r.recovering !== undefined,
    };
    if (r.role !== 'leader') return base;
    const progress: Record<string, { match: number; next: number; recentActive: boolean; counted: boolean }> =
      {};
    for (const [id, pr] of r.prs) {
      progress[id] = {
        match: pr.match,
        next: pr.next,
        recentActive: id === r.id || pr.recentActive,
        counted: r.isVoter(id) && r.counted(id),
      };
    }
    return { ...base, progress };
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit && a.recovering === b.recovering;
}
