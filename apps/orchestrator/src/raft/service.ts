// RaftService: the daemon's face of raft for the API and the leader duties. It adapts RaftNode
// (consensus) to the API's RaftView/RaftControl/CommandPublisher and holds what the replicated
// state says about the cluster (LeaderURI).

import type {
  CommandPublisher,
  RaftControl,
  RaftMemberView,
  RaftProgress,
  RaftState,
  RaftView,
} from '@orchestrator/api';
import { NotLeaderError, type RaftNode, type RaftNodeStatus } from '@orchestrator/consensus';
import { type CommandOp, type CommandPayloads, encodeCommand } from '@orchestrator/model';
import { normalizeNode } from '../config/addresses.js';
import { HealthReports } from './health-reports.js';
import { waitUntilReachable } from './reachability.js';
import {
  checkMembershipChange,
  type MembershipChange,
  MembershipChangeRefusedError,
  type MembershipView,
  refusalMessage,
} from './reconfiguration.js';

/** A replicated command that the FSM refused (unknown op, malformed payload, SQL error). */
export class CommandRejectedError extends Error {
  readonly code = 'COMMAND_REJECTED';
  /** The FSM's code (UNKNOWN_OP, MALFORMED_PAYLOAD, APPLY_FAILED…); the API puts it in Details. */
  readonly fsmCode: string | undefined;
  constructor(message: string, fsmCode?: string) {
    super(message);
    this.name = 'CommandRejectedError';
    this.fsmCode = fsmCode;
  }
}

export interface RaftServiceOptions {
  readonly raftBind: string;
  readonly raftAdvertise: string;
  readonly defaultRaftPort: number;
  /** Reads the LeaderURI the replicated state holds. */
  readonly leaderURI: () => string;
  /** How long raft-add-peer waits for the new peer's raft port to answer. Default 3000. */
  readonly peerReachableWaitMs?: number;
  /**
   * A voter counts as reachable for raft-add-peer / raft-remove-peer when the leader heard from it
   * within this many ms. Default 1000 (the daemon passes two election timeouts).
   */
  readonly reachableWithinMs?: number;
  /**
   * Epoch ms stamped on every proposed command (`at`, the FSM's clock) and used for health-report
   * ages: the daemon's jump-free clock. Default Date.now.
   */
  readonly now?: () => number;
}

/** raft-add-peer / raft-remove-peer options. */
export interface PeerChangeOptions {
  /**
   * Skip the checks (the new peer's port answers; a quorum of the resulting voters is reachable):
   * for emergencies only. A forced add returns once the peer is a learner; the leader promotes it
   * when its log has caught up.
   */
  readonly force?: boolean;
}

const STATE_NAMES: Record<RaftNodeStatus['state'], RaftState> = {
  leader: 'Leader',
  follower: 'Follower',
  candidate: 'Candidate',
  preCandidate: 'Candidate',
};

export class RaftService implements RaftView, RaftControl, CommandPublisher {
  readonly enabled = true;
  readonly raftBind: string;
  readonly raftAdvertise: string;
  readonly healthReports: HealthReports;
  private readonly now: () => number;
  private stopped = false;

  constructor(
    readonly node: RaftNode,
    private readonly options: RaftServiceOptions,
  ) {
    this.raftBind = options.raftBind;
    this.raftAdvertise = options.raftAdvertise;
    this.now = options.now ?? Date.now;
    this.healthReports = new HealthReports(this.now);
  }

  markStopped(): void {
    this.stopped = true;
  }

  /** Why this node takes no part in raft (a write to its raft storage or backend fails), or undefined. */
  storageFault(): string | undefined {
    return this.node.status().storageFault;
  }

  status(): RaftNodeStatus {
    return this.node.status();
  }

  state(): RaftState {
    return this.stopped ? 'Shutdown' : STATE_NAMES[this.node.brief().state];
  }

  isLeader(): boolean {
    return !this.stopped && this.node.brief().state === 'leader';
  }

  leader(): string {
    return this.node.brief().leader;
  }

  leaderURI(): string {
    return this.leader() === '' ? '' : this.options.leaderURI();
  }

  peers(): string[] {
    return [...this.node.status().members];
  }

  progress(): RaftProgress {
    const s = this.node.status();
    return {
      Term: s.term,
      CommitIndex: s.commit,
      AppliedIndex: s.applied,
      LastIndex: s.lastIndex,
      Learners: [...s.learners],
      Recovering: s.recovering,
    };
  }

  members(): RaftMemberView[] {
    const healthy = new Set(this.healthReports.healthyMembers());
    const leader = this.leader();
    return this.node.peerProgress().map((p) => ({
      Address: p.id,
      IsLeader: p.id === leader,
      MatchIndex: p.match,
      Voter: p.voter,
      LastContactSeconds: p.lastContactMs === null ? null : p.lastContactMs / 1000,
      Healthy: healthy.has(p.id),
    }));
  }

  isPartOfQuorum(): boolean {
    const s = this.node.status();
    return (
      !this.stopped && (s.state === 'leader' || s.state === 'follower') && s.leader !== '' && s.isPartOfQuorum
    );
  }

  /** 200 on /api/leader-check: leader AND heard from a quorum within an election timeout. */
  isLeaderWithQuorum(): boolean {
    return !this.stopped && this.node.isLeaderWithQuorum();
  }

  async propose<O extends CommandOp>(op: O, payload: CommandPayloads[O]): Promise<unknown> {
    if (!this.isLeader()) throw new NotLeaderError(this.leader());
    const outcome = (await this.node.propose(encodeCommand(op, payload, this.now()))) as ApplyResult;
    if (outcome && typeof outcome === 'object' && 'error' in outcome) {
      throw new CommandRejectedError(outcome.error, outcome.code);
    }
    return outcome?.result;
  }

  /** raft-yield: hand leadership to `node` (our improvement over the reference's 5 s candidacy pause). */
  async yield(node: string): Promise<void> {
    if (!this.isLeader()) return;
    const target = this.resolveMember(node);
    if (target === undefined || target === this.raftAdvertise) return;
    await this.node.transferLeadership(target);
  }

  /** raft-yield-hint: hand leadership to the first member whose address contains `hint`. */
  async yieldHint(hint: string): Promise<void> {
    if (!this.isLeader()) return;
    if (this.raftAdvertise.includes(hint)) return;
    const target = this.peers().find((p) => p.includes(hint));
    if (target !== undefined) await this.node.transferLeadership(target);
  }

  async snapshot(): Promise<void> {
    await this.node.snapshotNow();
  }

  reportHealth(token: string, _raftBind: string, raftAdvertise: string, httpURL?: string): boolean {
    return this.healthReports.report(token, raftAdvertise, httpURL);
  }

  /**
   * raft-add-peer: the peer joins as a learner and the leader promotes it once caught up; resolves
   * once it is a voter. Refused (MembershipChangeRefusedError, PeerUnreachableError) when its raft
   * port does not answer or fewer than a quorum of the resulting voters would be reachable, unless
   * `force`.
   */
  async addPeer(addr: string, options: PeerChangeOptions = {}): Promise<string> {
    const normalized = this.normalize(addr);
    if (!this.isLeader()) throw new NotLeaderError(this.leader());
    if (this.peers().includes(normalized)) return normalized;
    if (options.force) {
      await this.node.addVoter(normalized, { waitForPromotion: false });
      return normalized;
    }
    await waitUntilReachable(normalized, this.options.peerReachableWaitMs ?? 3000);
    if (!this.isLeader()) throw new NotLeaderError(this.leader());
    this.assertSafe('raft-add-peer', { type: 'add', node: normalized, nodeReachable: true });
    await this.node.addVoter(normalized);
    return normalized;
  }

  /** raft-remove-peer: refused when fewer than a quorum of the remaining voters would be reachable, unless `force`. */
  async removePeer(addr: string, options: PeerChangeOptions = {}): Promise<string> {
    const normalized = this.normalize(addr);
    if (!this.isLeader()) throw new NotLeaderError(this.leader());
    const s = this.node.status();
    if (!s.members.includes(normalized) && !s.learners.includes(normalized)) return normalized;
    if (!options.force && s.members.includes(normalized)) {
      this.assertSafe('raft-remove-peer', { type: 'remove', node: normalized });
    }
    await this.node.removeServer(normalized);
    return normalized;
  }

  /** The leader's view for the reconfiguration check: voters, and those heard from recently that count. */
  membershipView(): MembershipView {
    const within = this.options.reachableWithinMs ?? 1000;
    const reachable = this.node
      .peerProgress()
      .filter((p) => p.voter && p.counted && p.lastContactMs !== null && p.lastContactMs <= within)
      .map((p) => p.id);
    return { voters: this.peers(), reachable };
  }

  private assertSafe(route: string, change: MembershipChange): void {
    const check = checkMembershipChange(this.membershipView(), change);
    if (!check.Safe) throw new MembershipChangeRefusedError(refusalMessage(route, change.node, check), check);
  }

  private normalize(addr: string): string {
    const n = normalizeNode(addr, this.options.defaultRaftPort);
    if ('error' in n) throw new CommandRejectedError(`raft peer ${JSON.stringify(addr)}: ${n.error}`);
    return n.address;
  }

  private resolveMember(node: string): string | undefined {
    const peers = this.peers();
    if (peers.includes(node)) return node;
    const n = normalizeNode(node, this.options.defaultRaftPort);
    return 'address' in n && peers.includes(n.address) ? n.address : undefined;
  }
}

/** What the daemon's state machine returns for an applied command entry. */
export type ApplyResult = { result: unknown } | { error: string; code?: string } | undefined;
