// The raft algorithm as a pure state machine (Ongaro & Ousterhout; etcd-io/raft's structure). Roles
// switch by swapping the step and tick functions (becomeFollower / becomePreCandidate /
// becomeCandidate / becomeLeader). Nothing here touches a clock, timer, socket or disk: time is
// tick(), randomness is config.random, and output is queued in `msgs` and the log's unstable part
// for RawNode.ready() to hand out.

import type { LogStore } from '../storage.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  Message,
  MessageType,
  NodeId,
  ReadState,
  Role,
  Snapshot,
} from '../types.js';
import type { CoreConfig, CoreEvent } from './api.js';
import {
  applyChange,
  confAfter,
  encodeConfChange,
  type Membership,
  membership,
  toConfState,
} from './confchange.js';
import { ConfChangeInProgressError, NotLeaderError, ProposalDroppedError } from './errors.js';
import { RaftLog } from './log.js';
import { hasQuorum, Progress, quorumMatch } from './progress.js';
import { ReadOnlyQueue } from './readonly.js';
import { FreshClusterProbe, newIncarnation } from './rejoin.js';

/** Context of a vote request sent after TimeoutNow: it bypasses leader stickiness (thesis §3.10). */
const TRANSFER_CONTEXT = new Uint8Array([0x74, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72]);
const EMPTY = new Uint8Array(0);

type StepFn = (m: Message) => void;

interface ConfPoint {
  readonly index: number;
  readonly conf: Membership;
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = '';
  lead: NodeId = '';
  role: Role = 'follower';
  readonly log: RaftLog;
  /** Current voters: the newest conf entry in the log, else the snapshot's, else the bootstrap list. */
  voters: readonly NodeId[] = [];
  /** Current learners: members that receive the log but neither vote nor count toward quorums. */
  learners: readonly NodeId[] = [];
  /** Voter → the incarnation it was promoted with; it counts only while reporting that one. */
  private incarnations: Readonly<Record<NodeId, string>> = {};
  /**
   * This node's incarnation while it is recovering (HardState.recovering): it started with empty
   * storage and neither votes, campaigns nor counts until admitted. Undefined once admitted.
   */
  recovering: string | undefined;
  /** Answers to this recovering node's probes (a brand-new cluster?); undefined when not probing. */
  private probe: FreshClusterProbe | undefined;
  private probeElapsed = 0;
  /** Membership history: the base (at the compacted index) then one point per conf entry in the log. */
  private confs: ConfPoint[] = [];
  readonly prs = new Map<NodeId, Progress>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  private readonly electionTimeout: number;
  private readonly heartbeatTimeout: number;
  private randomizedElectionTimeout = 0;
  electionElapsed = 0;
  private heartbeatElapsed = 0;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly maxSizePerMsg: number;
  private readonly maxInflightMsgs: number;
  private readonly maxInflightBytes: number;
  private readonly maxUncommittedBytes: number;
  private readonly lease: boolean;
  private readonly random: () => number;
  /** Observations for the driver, handed out in the next Ready (`events`). */
  events: CoreEvent[] = [];
  private readonly snapshotSource: (() => Snapshot | undefined) | undefined;

  private votes = new Map<NodeId, boolean>();
  leadTransferee: NodeId = '';
  /** A broadcast of appends is due at the next Ready. */
  bcastPending = false;
  /** Index of the newest conf entry the leader appended; a new one waits until it is committed. */
  private pendingConfIndex = 0;
  /** Leader: log index of its own removal, after whose commit it steps down. */
  private removedAt = 0;
  private uncommitted: { index: number; bytes: number }[] = [];
  private uncommittedBytes = 0;
  private readonly readOnly = new ReadOnlyQueue();
  /** Reads that arrived before the leader committed an entry of its term (§6.4 step 1). */
  private pendingReads: Uint8Array[] = [];

  private stepRole: StepFn = (m) => this.stepFollower(m);
  private tickRole: () => void = () => this.tickElection();

  constructor(config: CoreConfig) {
    if (config.heartbeatTicks <= 0 || config.electionTicks <= config.heartbeatTicks) {
      throw new RangeError(
        `electionTicks (${config.electionTicks}) must exceed heartbeatTicks (${config.heartbeatTicks}) > 0`,
      );
    }
    this.id = config.id;
    this.electionTimeout = config.electionTicks;
    this.heartbeatTimeout = config.heartbeatTicks;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.maxSizePerMsg = config.maxSizePerMsg ?? 1024 * 1024;
    this.maxInflightMsgs = config.maxInflightMsgs ?? 256;
    this.maxInflightBytes = config.maxInflightBytes ?? 0;
    this.maxUncommittedBytes = config.maxUncommittedBytes ?? 0;
    this.lease = config.readOnlyOption === 'lease';
    this.random = config.random;
    this.snapshotSource = config.snapshotSource;

    const storage = config.log;
    const hs = config.stable.hardState();
    const meta = storage.compactedMeta();
    const committed = Math.min(Math.max(hs.commit, meta.index), storage.lastIndex());
    const applied = Math.min(Math.max(config.applied ?? meta.index, meta.index), committed);
    this.log = new RaftLog(storage, committed, applied);
    this.term = hs.term;
    this.vote = hs.vote;
    this.recovering = hs.recovering;
    const pristine =
      hs.term === 0 && hs.vote === '' && hs.recovering === undefined && storage.lastIndex() === 0;
    if (pristine && (config.emptyStorage ?? 'rejoin') === 'rejoin') {
      this.recovering = newIncarnation(this.random);
    }

    // Membership is recovered from the snapshot meta and the conf entries of the log (thesis §4.1:
    // a server uses the newest configuration in its log, committed or not).
    const base =
      meta.conf.voters.length > 0 ? membership(meta.conf) : membership({ voters: config.bootstrapVoters });
    this.confs = [{ index: meta.index, conf: base }];
    for (const e of confEntriesOf(storage)) this.pushConf(e);
    this.useConf(this.confs[this.confs.length - 1]!.conf);
    this.becomeFollower(this.term, '');
    if (this.recovering !== undefined) {
      this.events.push({ type: 'recovering', incarnation: this.recovering });
      if (this.log.lastIndex() === 0) {
        this.probe = new FreshClusterProbe();
        this.sendProbes();
      }
    }
  }

  // ---- membership ----------------------------------------------------------------------------

  private pushConf(e: Entry): void {
    const prev = this.confs[this.confs.length - 1]!.conf;
    this.confs.push({ index: e.index, conf: confAfter(e.data, prev) });
  }

  /** Membership as of log index `index` (≥ the compacted index). */
  membershipAt(index: number): Membership {
    let m = this.confs[0]!.conf;
    for (const c of this.confs) {
      if (c.index > index) break;
      m = c.conf;
    }
    return m;
  }

  /** Voters as of log index `index` (≥ the compacted index). */
  confAt(index: number): readonly NodeId[] {
    return this.membershipAt(index).voters;
  }

  /** The current membership in its stored form. */
  confState(index?: number): ConfState {
    return toConfState(index === undefined ? this.currentMembership() : this.membershipAt(index));
  }

  private currentMembership(): Membership {
    return { voters: this.voters, learners: this.learners, incarnations: this.incarnations };
  }

  private useConf(m: Membership): void {
    this.voters = m.voters;
    this.learners = m.learners;
    this.incarnations = m.incarnations;
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.voters.includes(id) || this.learners.includes(id);
  }

  /**
   * Leader: whether voter `id` counts toward quorums. A voter that reported an incarnation other than
   * the one it was promoted with lost its state (it may have forgotten votes and acknowledgements);
   * it counts again only after it was demoted and promoted with its new incarnation.
   */
  counted(id: NodeId): boolean {
    if (id === this.id) return true;
    const reported = this.prs.get(id)?.incarnation;
    return reported === undefined || reported === this.incarnations[id];
  }

  /** Conf entries take effect when appended (thesis §4.1), and are undone if the entry is truncated. */
  private appendToLog(ents: readonly Entry[]): void {
    const first = ents[0];
    if (!first) return;
    this.log.append(ents);
    let changed = false;
    while (this.confs.length > 1 && this.confs[this.confs.length - 1]!.index >= first.index) {
      this.confs.pop();
      changed = true;
    }
    for (const e of ents) {
      if (e.kind === 'conf') {
        this.pushConf(e);
        changed = true;
      }
    }
    if (changed) this.setConf(this.confs[this.confs.length - 1]!.conf, this.log.lastIndex());
  }

  private setConf(m: Membership, index: number): void {
    this.useConf(m);
    this.events.push({ type: 'confApplied', conf: toConfState(m), index });
    if (this.role !== 'leader') return;
    for (const v of [...m.voters, ...m.learners]) {
      if (!this.prs.has(v)) {
        const pr = this.newProgress();
        pr.recentActive = true;
        this.prs.set(v, pr);
      }
    }
    for (const id of [...this.prs.keys()]) {
      if (id !== this.id && !this.isMember(id)) this.prs.delete(id);
    }
    if (this.leadTransferee !== '' && !m.voters.includes(this.leadTransferee)) this.leadTransferee = '';
    this.removedAt = m.voters.includes(this.id) ? 0 : index;
    // A smaller quorum may already cover a higher index.
    if (this.maybeCommit()) this.bcastAppend();
  }

  /** The log was compacted up to `index`: membership before it is folded into the base. */
  compacted(index: number): void {
    const base = this.membershipAt(index);
    this.confs = [{ index, conf: base }, ...this.confs.filter((c) => c.index > index)];
  }

  private resetConfs(snapshotIndex: number, conf: ConfState): void {
    const m = membership(conf);
    this.confs = [{ index: snapshotIndex, conf: m }];
    this.useConf(m);
    this.events.push({ type: 'confApplied', conf: toConfState(m), index: snapshotIndex });
  }

  // ---- role transitions -----------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = '';
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.random() * this.electionTimeout);
    this.leadTransferee = '';
    this.votes = new Map();
    this.readOnly.reset();
    this.pendingReads = [];
    this.uncommitted = [];
    this.uncommittedBytes = 0;
    this.removedAt = 0;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.stepRole = (m) => this.stepFollower(m);
    this.tickRole = () => this.tickElection();
  }

  private becomePreCandidate(): void {
    // Pre-vote (thesis §9.6): neither the term nor the vote changes until the pre-election is won.
    this.votes = new Map();
    this.lead = '';
    this.role = 'preCandidate';
    this.stepRole = (m) => this.stepCandidate(m);
    this.tickRole = () => this.tickElection();
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.stepRole = (m) => this.stepCandidate(m);
    this.tickRole = () => this.tickElection();
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.stepRole = (m) => this.stepLeader(m);
    this.tickRole = () => this.tickHeartbeat();
    this.prs.clear();
    for (const v of [...this.voters, ...this.learners]) this.prs.set(v, this.newProgress());
    const self = this.prs.get(this.id);
    if (self) {
      self.match = this.log.lastIndex();
      self.becomeReplicate();
    }
    this.removedAt = this.isVoter(this.id) ? 0 : this.log.lastIndex() + 1;
    this.events.push({ type: 'electionWon', term: this.term });
    // §8: a new leader appends a no-op so it can commit (and learn the commit index) in its term.
    this.appendEntries([{ index: 0, term: 0, kind: 'noop', data: EMPTY }]);
    // A conf change waits until the leader commits an entry of its own term (the fix to the
    // single-server change bug, thesis §4.1 and the raft-dev post of 2015): the no-op.
    this.pendingConfIndex = this.log.lastIndex();
  }

  private newProgress(): Progress {
    return new Progress(this.log.lastIndex() + 1, this.maxInflightMsgs, this.maxInflightBytes);
  }

  // ---- elections ------------------------------------------------------------------------------

  /** Starts an election (or a pre-election) if this node may; `transfer` skips pre-vote (§3.10). */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.isVoter(this.id)) return;
    if (this.recovering !== undefined) {
      // Not admitted: it may not campaign. A probe round may show this is a brand-new cluster.
      this.sendProbes();
      return;
    }
    if (this.preVote && !transfer) this.campaign('preVote', false);
    else this.campaign('vote', transfer);
  }

  private campaign(kind: 'preVote' | 'vote', transfer: boolean): void {
    let voteTerm: number;
    if (kind === 'preVote') {
      this.becomePreCandidate();
      voteTerm = this.term + 1;
    } else {
      this.becomeCandidate();
      voteTerm = this.term;
    }
    this.events.push({ type: 'campaign', kind, term: voteTerm });
    this.votes.set(this.id, true);
    if (this.tallyVotes() === 'won') {
      if (kind === 'preVote') this.campaign('vote', transfer);
      else this.becomeLeader();
      return;
    }
    for (const v of this.voters) {
      if (v === this.id) continue;
      // Naming the incarnation our log promoted v with lets a v that has not received its promotion
      // yet vote for us (see handleVoteRequest).
      const incarnation = this.incarnations[v];
      this.send({
        type: kind,
        from: this.id,
        to: v,
        term: voteTerm,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        ...(transfer ? { context: TRANSFER_CONTEXT } : {}),
        ...(incarnation !== undefined ? { incarnation } : {}),
      });
    }
  }

  private tallyVotes(): 'won' | 'lost' | 'pending' {
    if (hasQuorum(this.voters, (v) => this.votes.get(v) === true)) return 'won';
    if (hasQuorum(this.voters, (v) => this.votes.get(v) === false)) return 'lost';
    return 'pending';
  }

  // ---- ticks ----------------------------------------------------------------------------------

  tick(): void {
    this.tickRole();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.recovering !== undefined) {
      if (++this.probeElapsed >= this.heartbeatTimeout) {
        this.probeElapsed = 0;
        this.sendProbes();
      }
      return;
    }
    if (!this.isVoter(this.id)) return;
    // Single-node mode: the only voter need not wait for anybody.
    const alone = this.voters.length === 1;
    if (alone || this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        const active = hasQuorum(
          this.voters,
          (v) => v === this.id || (this.prs.get(v)?.recentActive === true && this.counted(v)),
        );
        for (const [id, pr] of this.prs) if (id !== this.id) pr.recentActive = false;
        if (!active) {
          this.events.push({ type: 'stepDown', reason: 'checkQuorum', term: this.term });
          this.becomeFollower(this.term, '');
          return;
        }
      }
      // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
      this.leadTransferee = '';
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastContext());
    }
  }

  // ---- message handling -----------------------------------------------------------------------

  private send(m: Message): void {
    // A recovering node tells the leader so with every answer: it must not count toward a quorum.
    if (this.recovering !== undefined && (m.type === 'appendResp' || m.type === 'heartbeatResp')) {
      this.msgs.push({ ...m, incarnation: this.recovering });
      return;
    }
    this.msgs.push(m);
  }

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    // Non-members may not disturb us (not even our term): their elections and answers are refused.
    // Traffic from a leader is the exception (thesis §4.1: servers accept a leader without consulting
    // their configuration): a lagging follower must hear the leader that will bring it the newer
    // configuration, and a non-member can never become leader since voters refuse its vote requests.
    const fromLeader =
      m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'timeoutNow';
    const member =
      fromLeader ||
      this.isMember(m.from) ||
      (this.role === 'leader' && this.prs.has(m.from)) ||
      ((m.type === 'vote' || m.type === 'preVote') && this.logBehind(m));
    if (!member) {
      this.events.push({ type: 'refusedNonMember', from: m.from, messageType: m.type, term: m.term });
      return;
    }
    // Probes neither carry nor change terms.
    if (m.type === 'probe') {
      this.send({
        type: 'probeResp',
        from: this.id,
        to: m.from,
        term: this.term,
        index: this.log.lastIndex(),
        ...(m.incarnation !== undefined ? { incarnation: m.incarnation } : {}),
      });
      return;
    }
    if (m.type === 'probeResp') {
      this.handleProbeResp(m);
      return;
    }

    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const transfer = m.context !== undefined && sameBytes(m.context, TRANSFER_CONTEXT);
        // Leader stickiness (thesis §4.2.3): while we hear from a leader, ignore elections.
        const inLease = this.lead !== '' && this.electionElapsed < this.electionTimeout;
        if (!transfer && inLease) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // A pre-vote never changes terms; a granted pre-vote answer carries the term to come.
      } else {
        const wasLeader = this.role === 'leader';
        const lead = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' ? m.from : '';
        if (wasLeader) {
          const reason = this.leadTransferee === m.from ? 'transfer' : 'higherTerm';
          this.events.push({ type: 'stepDown', reason, term: m.term });
        }
        this.becomeFollower(m.term, lead);
      }
    } else if (m.term < this.term) {
      if (m.type === 'append' || m.type === 'heartbeat') {
        // A stale leader (e.g. back from a partition) learns our term and steps down; with pre-vote and
        // check-quorum it could otherwise never do so (etcd-io/raft does the same).
        this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term });
      } else if (m.type === 'preVote' || m.type === 'vote') {
        // Figure 2 RequestVote rule 1: reply false with our term, so a candidate that cannot hear our
        // own campaigns (we are not in its configuration) still learns the term it must exceed.
        const type = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
        this.send({ type, from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    this.stepRole(m);
  }

  /**
   * A candidate we do not know whose log is strictly ahead of ours holds entries we lack, among them
   * possibly the conf entry that made it a member: refusing it could leave a lagging voter unable to
   * ever elect the leader that would bring it up to date. A removed server or a stranger with an
   * empty log is never ahead of a member that holds its removal, so it stays refused.
   */
  private logBehind(m: Message): boolean {
    const lastTerm = this.log.lastTerm();
    const t = m.logTerm ?? 0;
    return t > lastTerm || (t === lastTerm && (m.index ?? 0) > this.log.lastIndex());
  }

  /** Figure 2 RequestVote receiver rules, plus pre-vote (thesis §9.6). */
  private handleVoteRequest(m: Message): void {
    const pre = m.type === 'preVote';
    if (this.recovering !== undefined && m.incarnation !== this.recovering) {
      // Not admitted: an earlier life of this node may have voted in this very term. A candidate
      // whose log promotes this very incarnation is the exception: that promotion was created after
      // this node started, so the candidacy began after every vote of its earlier lives and no
      // earlier life can have voted in its term (docs/core.md); without it, a leader that appended
      // the promotion and restarted could wait forever for the vote of the node it promoted.
      this.send({
        type: pre ? 'preVoteResp' : 'voteResp',
        from: this.id,
        to: m.from,
        term: this.term,
        reject: true,
      });
      return;
    }
    const canVote =
      this.vote === m.from || (this.vote === '' && this.lead === '') || (pre && (m.term ?? 0) > this.term);
    // §5.4.1 election restriction: grant only to a candidate whose log is at least as up to date.
    const granted = canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0);
    const type: MessageType = pre ? 'preVoteResp' : 'voteResp';
    if (granted) {
      // A pre-vote answer carries the candidate's future term so it can tell it apart.
      this.send({ type, from: this.id, to: m.from, term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeoutNow':
        this.hup(true);
        break;
      default:
        break;
    }
  }

  private stepCandidate(m: Message): void {
    const expected: MessageType = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Figure 2: a candidate hearing from a leader of its term returns to follower.
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      default:
        break;
    }
    if (m.type !== expected) return;
    this.votes.set(m.from, m.reject !== true);
    const result = this.tallyVotes();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.campaign('vote', false);
      else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === 'lost') {
      this.becomeFollower(this.term, '');
    }
  }

  /** Figure 2 AppendEntries receiver rules 2–5. */
  private handleAppend(m: Message): void {
    const prevIndex = m.index ?? 0;
    const prevTerm = m.logTerm ?? 0;
    const ents = m.entries ?? [];
    if (prevIndex < this.log.committed) {
      // Everything up to commit already matches (Log Matching); tell the leader where we are.
      this.send({
        type: 'appendResp',
        from: this.id,
        to: m.from,
        term: this.term,
        index: this.log.committed,
      });
      return;
    }
    if (this.log.matchTerm(prevIndex, prevTerm)) {
      const lastNew = prevIndex + ents.length;
      const conflict = this.log.findConflict(ents);
      if (conflict !== 0) {
        const from = ents.findIndex((e) => e.index === conflict);
        this.appendToLog(ents.slice(from));
      }
      // Rule 5: commit = min(leaderCommit, index of last new entry).
      this.log.commitTo(Math.min(m.commit ?? 0, lastNew));
      this.maybeAdmit();
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, index: lastNew });
      return;
    }
    // Rule 2: reject, with a hint for fast back-off: the last index whose term is ≤ prevTerm.
    const hint = this.log.findConflictByTerm(Math.min(prevIndex, this.log.lastIndex()), prevTerm);
    this.send({
      type: 'appendResp',
      from: this.id,
      to: m.from,
      term: this.term,
      index: prevIndex,
      reject: true,
      rejectHint: hint,
      logTerm: this.log.term(hint) ?? 0,
    });
  }

  private handleHeartbeat(m: Message): void {
    // The leader sends min(follower match, leader commit), so this never exceeds our matching log.
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    this.maybeAdmit();
    this.send({
      type: 'heartbeatResp',
      from: this.id,
      to: m.from,
      term: this.term,
      ...(m.context ? { context: m.context } : {}),
    });
  }

  /** InstallSnapshot receiver (Figure 13 of the paper, §7). */
  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (!snap) return;
    const { index, term } = snap.meta;
    if (index <= this.log.committed) {
      this.send({
        type: 'appendResp',
        from: this.id,
        to: m.from,
        term: this.term,
        index: this.log.committed,
      });
      return;
    }
    if (this.log.matchTerm(index, term)) {
      // Rule 6: our log already holds the snapshot's last entry; keep the entries after it.
      this.log.commitTo(index);
    } else {
      // Rule 7: discard the whole log and take the snapshot's membership.
      this.log.restore(snap);
      this.resetConfs(index, snap.meta.conf);
    }
    this.maybeAdmit();
    this.send({
      type: 'appendResp',
      from: this.id,
      to: m.from,
      term: this.term,
      index: this.log.lastIndex(),
    });
  }

  private stepLeader(m: Message): void {
    const pr = this.prs.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'appendResp':
        pr.recentActive = true;
        // Sticky for this term: a late answer of the node's earlier life must not make it count.
        if (m.incarnation !== undefined) pr.incarnation = m.incarnation;
        this.handleAppendResp(m, pr);
        this.maybeChangeRole(m.from, pr);
        break;
      case 'heartbeatResp':
        pr.recentActive = true;
        if (m.incarnation !== undefined) pr.incarnation = m.incarnation;
        pr.probeSent = false;
        // A full window may be waiting on a lost message: free one slot so the follower is probed.
        if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, pr);
        if (!this.lease && m.context) this.handleReadAck(m.from, m.context);
        this.maybeChangeRole(m.from, pr);
        break;
      default:
        break;
    }
  }

  /**
   * A voter that lost its state is demoted to learner; a learner whose log has caught up with the
   * commit index is promoted, naming the incarnation it reports. One change at a time: while another
   * is pending this waits for a later answer.
   */
  private maybeChangeRole(id: NodeId, pr: Progress): void {
    if (this.role !== 'leader' || id === this.id || this.pendingConfIndex > this.log.committed) return;
    if (this.leadTransferee !== '') return;
    let change: ConfChange;
    if (this.isVoter(id)) {
      if (this.counted(id)) return;
      change = { type: 'addLearner', node: id };
    } else if (this.learners.includes(id)) {
      if (pr.match === 0 || pr.match < this.log.committed) return;
      change =
        pr.incarnation === undefined
          ? { type: 'addVoter', node: id }
          : { type: 'addVoter', node: id, incarnation: pr.incarnation };
    } else {
      return;
    }
    const reason = change.type === 'addLearner' ? 'lostState' : 'caughtUp';
    try {
      this.proposeConfChange(change);
    } catch (err) {
      // Back-pressure or a transfer in progress: try again with a later answer.
      if ((err as { code?: string }).code === 'PROPOSAL_DROPPED') return;
      throw err;
    }
    this.events.push({ type: 'roleChangeProposed', change, reason, term: this.term });
  }

  private handleAppendResp(m: Message, pr: Progress): void {
    const index = m.index ?? 0;
    if (m.reject) {
      let hint = m.rejectHint ?? 0;
      if ((m.logTerm ?? 0) > 0) hint = this.log.findConflictByTerm(hint, m.logTerm ?? 0);
      if (pr.maybeDecrTo(index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, pr);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (pr.maybeUpdate(index)) {
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === 'replicate') pr.inflights.freeLE(index);
      if (this.maybeCommit()) {
        // Followers learn the new commit index with the next Ready's appends (one per follower).
        this.bcastPending = true;
      } else if (wasPaused) {
        this.sendAppend(m.from, pr);
      }
      if (this.role !== 'leader') return;
      this.sendAppend(m.from, pr, false);
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
    }
  }

  // ---- replication (leader) -------------------------------------------------------------------

  /** Sends entries (or a snapshot) to `to` while its flow control allows (pipelining). */
  private sendAppend(to: NodeId, pr: Progress, sendIfEmpty = true): void {
    let first = true;
    while (!pr.isPaused()) {
      const prevIndex = pr.next - 1;
      const prevTerm = this.log.term(prevIndex);
      const ents = this.log.slice(pr.next, this.log.lastIndex() + 1, this.maxSizePerMsg);
      if (prevTerm === undefined || ents === undefined) {
        this.sendSnapshot(to, pr);
        return;
      }
      if (ents.length === 0 && !(first && sendIfEmpty)) return;
      first = false;
      this.send({
        type: 'append',
        from: this.id,
        to,
        term: this.term,
        index: prevIndex,
        logTerm: prevTerm,
        entries: ents,
        commit: this.log.committed,
      });
      const last = ents[ents.length - 1];
      if (!last) return;
      if (pr.state === 'replicate') {
        let bytes = 0;
        for (const e of ents) bytes += e.data.byteLength;
        pr.next = last.index + 1;
        pr.inflights.add(last.index, bytes);
      } else {
        pr.probeSent = true;
      }
    }
  }

  private sendSnapshot(to: NodeId, pr: Progress): void {
    const snap = pr.recentActive ? this.snapshotSource?.() : undefined;
    // No snapshot (or one older than our compacted log, which would leave a gap): keep probing, one
    // attempt per heartbeat answer.
    if (!snap || snap.meta.index < this.log.firstIndex() - 1) {
      if (pr.state !== 'probe') pr.becomeProbe();
      pr.probeSent = true;
      return;
    }
    pr.becomeSnapshot(snap.meta.index);
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, snapshot: snap });
  }

  /** Sends the broadcast deferred by proposals and commit advances, if any (called by ready()). */
  flushBcast(): void {
    if (!this.bcastPending) return;
    this.bcastPending = false;
    if (this.role === 'leader') this.bcastAppend();
  }

  bcastAppend(): void {
    this.bcastPending = false;
    for (const [id, pr] of this.prs) if (id !== this.id) this.sendAppend(id, pr);
  }

  private bcastHeartbeat(context: Uint8Array | undefined): void {
    for (const [id, pr] of this.prs) if (id !== this.id) this.sendHeartbeat(id, pr, context);
  }

  /** A heartbeat never carries a commit index beyond what the follower is known to hold. */
  private sendHeartbeat(to: NodeId, pr: Progress, context?: Uint8Array): void {
    this.send({
      type: 'heartbeat',
      from: this.id,
      to,
      term: this.term,
      commit: Math.min(pr.match, this.log.committed),
      ...(context ? { context } : {}),
    });
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  /** Assigns indexes and the current term, appends, and counts the leader's own copy. */
  private appendEntries(ents: readonly Entry[]): Entry[] {
    let index = this.log.lastIndex();
    const stamped = ents.map((e) => ({ ...e, index: ++index, term: this.term }));
    this.appendToLog(stamped);
    this.prs.get(this.id)?.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
    return stamped;
  }

  /** §5.3/§5.4.2: commit the highest index on a quorum, but only directly if it is from this term. */
  maybeCommit(): boolean {
    if (this.role !== 'leader') return false;
    const mci = quorumMatch(this.voters, (v) => (this.counted(v) ? (this.prs.get(v)?.match ?? 0) : 0));
    if (mci <= this.log.committed || this.log.term(mci) !== this.term) return false;
    const wasInTerm = this.log.term(this.log.committed) === this.term;
    this.log.commitTo(mci);
    while (this.uncommitted.length > 0 && this.uncommitted[0]!.index <= mci) {
      this.uncommittedBytes -= this.uncommitted.shift()!.bytes;
    }
    if (!wasInTerm) this.releasePendingReads();
    if (this.removedAt > 0 && mci >= this.removedAt) {
      // Thesis §4.2.2: a leader removed from the cluster steps down once the removal is committed.
      this.events.push({ type: 'stepDown', reason: 'removed', term: this.term });
      this.bcastAppend();
      this.becomeFollower(this.term, '');
    }
    return true;
  }

  // ---- client requests (leader) ---------------------------------------------------------------

  private requireLeader(): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
  }

  propose(kind: 'normal' | 'conf', data: Uint8Array): Entry {
    this.requireLeader();
    if (this.leadTransferee !== '') {
      throw new ProposalDroppedError(`leadership is being transferred to ${this.leadTransferee}`);
    }
    if (this.maxUncommittedBytes > 0 && this.uncommittedBytes + data.byteLength > this.maxUncommittedBytes) {
      throw new ProposalDroppedError(`uncommitted entries exceed ${this.maxUncommittedBytes} bytes`);
    }
    const [e] = this.appendEntries([{ index: 0, term: 0, kind, data }]);
    this.uncommitted.push({ index: e!.index, bytes: data.byteLength });
    this.uncommittedBytes += data.byteLength;
    // Deferred to the next Ready, so proposals made in one turn travel in one append per follower.
    this.bcastPending = true;
    return e!;
  }

  /**
   * Appends a single-server change (leader only, one at a time). `addVoter` of a node that is not a
   * member becomes `addLearner` (it is promoted once caught up); `addVoter` of a learner names the
   * incarnation it reported.
   */
  proposeConfChange(change: ConfChange): Entry {
    this.requireLeader();
    if (this.pendingConfIndex > this.log.committed) {
      throw new ConfChangeInProgressError(
        `the change at index ${this.pendingConfIndex} (or this term's first entry) is not committed yet`,
      );
    }
    let c = change;
    if (c.type === 'addVoter' && !this.isMember(c.node)) c = { type: 'addLearner', node: c.node };
    else if (c.type === 'addVoter' && c.incarnation === undefined) {
      const reported = this.prs.get(c.node)?.incarnation;
      if (reported !== undefined && this.learners.includes(c.node)) c = { ...c, incarnation: reported };
    }
    const next = applyChange(this.currentMembership(), c);
    if (next.voters.length === 0) throw new ConfChangeInProgressError('cannot remove the last voter');
    const e = this.propose('conf', encodeConfChange(c, next));
    this.pendingConfIndex = e.index;
    return e;
  }

  readIndex(context: Uint8Array): void {
    this.requireLeader();
    if (this.log.term(this.log.committed) !== this.term) {
      // §6.4 step 1: the leader's commit index is only known current once it commits in its term.
      this.pendingReads.push(context);
      return;
    }
    this.serveRead(context);
  }

  private serveRead(context: Uint8Array): void {
    const index = this.log.committed;
    if (this.lease || this.voters.length === 1) {
      // Lease reads trust the election timeout instead of a heartbeat round (explicit opt-in only).
      this.readStates.push({ index, context });
      return;
    }
    this.readOnly.add(index, context);
    if (!this.isVoter(this.id)) {
      this.bcastHeartbeat(context);
      return;
    }
    this.readOnly.ack(context, this.id);
    this.bcastHeartbeat(context);
  }

  private releasePendingReads(): void {
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (const r of reads) this.serveRead(r);
  }

  private handleReadAck(from: NodeId, context: Uint8Array): void {
    const acks = this.readOnly.ack(context, from);
    if (!acks || !hasQuorum(this.voters, (v) => acks.has(v) && this.counted(v))) return;
    for (const r of this.readOnly.release(context)) this.readStates.push(r);
  }

  transferLeadership(to: NodeId): void {
    this.requireLeader();
    if (to === this.id) return;
    const pr = this.prs.get(to);
    if (!pr || !this.isVoter(to) || !this.counted(to)) {
      throw new ProposalDroppedError(`transfer target ${to} is not a voter`);
    }
    if (this.leadTransferee === to) return;
    this.leadTransferee = to;
    // The transfer must finish within an election timeout, counted from now.
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to, pr);
  }

  // ---- a node with empty storage (see rejoin.ts) ------------------------------------------------

  private sendProbes(): void {
    const probe = this.probe;
    if (probe === undefined || this.recovering === undefined) return;
    if (this.log.lastIndex() > 0) {
      // A leader already sent entries: not a new cluster; wait to be promoted.
      this.probe = undefined;
      return;
    }
    for (const v of this.voters) {
      if (v === this.id || probe.answered(v)) continue;
      this.send({ type: 'probe', from: this.id, to: v, term: this.term, incarnation: this.recovering });
    }
    this.maybeAdmitFresh();
  }

  private handleProbeResp(m: Message): void {
    const probe = this.probe;
    if (probe === undefined || m.incarnation !== this.recovering) return;
    probe.record(m.from, m.term, m.index ?? 0);
    if (probe.notFresh) {
      this.probe = undefined;
      this.events.push({ type: 'notFreshCluster', from: m.from, term: this.term });
      return;
    }
    this.maybeAdmitFresh();
  }

  /**
   * Every other bootstrap voter reported an empty log: no entry was ever committed, so there is
   * nothing this node could have acknowledged and lost. Any term in which an earlier life of it voted
   * was reached by that vote's candidate, which reported it: the node takes the highest term reported
   * and spends that term's vote on itself, so it only votes in later terms.
   */
  private maybeAdmitFresh(): void {
    const probe = this.probe;
    if (probe === undefined || this.log.lastIndex() > 0) return;
    const term = probe.freshTerm(this.voters.filter((v) => v !== this.id));
    if (term === undefined) return;
    if (term > this.term) this.becomeFollower(term, '');
    if (this.vote === '') this.vote = this.id;
    this.recovering = undefined;
    this.probe = undefined;
    this.events.push({ type: 'admitted', how: 'newCluster', term: this.term });
  }

  /**
   * A recovering node is admitted once its log holds the promotion naming its own incarnation (like
   * any membership change, from the moment it is appended): it then holds every entry committed
   * before the promotion was created. It spends the current term's vote on the leader it hears from
   * now, so it votes only in later terms. Waiting for the promotion to commit would add nothing to
   * safety and could deadlock: a cluster that needs this node's vote to elect the leader that would
   * tell it the promotion committed.
   */
  private maybeAdmit(): void {
    if (this.recovering === undefined) return;
    if (!this.voters.includes(this.id) || this.incarnations[this.id] !== this.recovering) return;
    this.recovering = undefined;
    this.probe = undefined;
    if (this.vote === '') this.vote = this.lead;
    this.events.push({ type: 'admitted', how: 'promoted', term: this.term });
  }

  // ---- driver reports -------------------------------------------------------------------------

  reportUnreachable(peer: NodeId): void {
    const pr = this.role === 'leader' ? this.prs.get(peer) : undefined;
    if (pr?.state === 'replicate') pr.becomeProbe();
  }

  /**
   * A restarted or reachable-again follower hears from its leader at once instead of at the next
   * heartbeat tick; its answer tells the leader how far behind it is.
   */
  reportReconnected(peer: NodeId): void {
    const pr = this.role === 'leader' && peer !== this.id ? this.prs.get(peer) : undefined;
    if (pr !== undefined) this.sendHeartbeat(peer, pr);
  }

  reportSnapshot(peer: NodeId, ok: boolean): void {
    const pr = this.role === 'leader' ? this.prs.get(peer) : undefined;
    if (pr?.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's answer (or the next heartbeat answer) before probing again.
    pr.probeSent = true;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The conf entries of the log: from the store's index when it has one, else by a scan. */
function confEntriesOf(storage: LogStore): Entry[] {
  if (storage.confEntries) return storage.confEntries();
  const out: Entry[] = [];
  const last = storage.lastIndex();
  for (let lo = storage.firstIndex(); lo <= last; ) {
    const batch = storage.entries(lo, last + 1, 4 * 1024 * 1024);
    for (const e of batch) if (e.kind === 'conf') out.push(e);
    lo += batch.length;
  }
  return out;
}
