// What only the leader does for the raft group (reference §1.7): publish leader-uri on election,
// a heartbeat command every minute, health-report requests every RaftHealthPollSeconds, and
// steering membership toward the configured RaftNodes.

import { randomBytes } from 'node:crypto';
import type { CommandOp, CommandPayloads } from '@orchestrator/model';
import type { Logger } from '../logger.js';
import { type MembershipIntent, nextMembershipChange } from './membership.js';
import type { RaftService } from './service.js';

export interface LeaderDutiesOptions {
  readonly httpURL: string;
  readonly healthPollSeconds: number;
  readonly membership: MembershipIntent;
  readonly log: Logger;
  /** Called once this node leads and has published leader-uri (e.g. start recoveries). */
  readonly onLeading?: () => void;
}

const HEARTBEAT_MS = 60_000;

export class LeaderDuties {
  private timers: NodeJS.Timeout[] = [];
  private term = -1;
  private stopped = false;
  private membershipBusy = false;

  constructor(
    private readonly raft: RaftService,
    private readonly o: LeaderDutiesOptions,
  ) {}

  start(): void {
    this.raft.node.on('stateChanged', () => this.check());
    this.raft.node.on('leaderChanged', () => this.check());
    this.check();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private check(): void {
    const s = this.raft.status();
    if (this.stopped || s.state !== 'leader') {
      if (this.term !== -1) this.o.log.info({ term: s.term }, 'no longer the raft leader');
      this.term = -1;
      this.clear();
      return;
    }
    if (this.term === s.term) return;
    this.term = s.term;
    this.clear();
    this.o.log.info({ term: s.term }, 'became the raft leader');
    void this.publishLeaderURI(s.term);
    this.timers.push(setInterval(() => this.publish('heartbeat', ''), HEARTBEAT_MS));
    this.timers.push(setInterval(() => this.requestHealthReports(), this.o.healthPollSeconds * 1000));
    this.timers.push(setInterval(() => void this.steerMembership(), 1000));
  }

  private async publishLeaderURI(term: number): Promise<void> {
    for (
      let attempt = 0;
      !this.stopped && this.raft.status().term === term && this.raft.isLeader();
      attempt++
    ) {
      try {
        await this.raft.propose('leader-uri', this.o.httpURL);
        this.requestHealthReports();
        this.o.onLeading?.();
        return;
      } catch (err) {
        this.o.log.warn({ error: (err as Error).message, attempt }, 'publishing leader-uri failed; retrying');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private requestHealthReports(): void {
    const token = randomBytes(8).toString('hex');
    this.raft.healthReports.issueToken(token);
    this.publish('request-health-report', token);
  }

  private publish<O extends CommandOp>(op: O, payload: CommandPayloads[O]): void {
    this.raft
      .propose(op, payload)
      .catch((err: Error) => this.o.log.debug({ op, error: err.message }, 'publish failed'));
  }

  private async steerMembership(): Promise<void> {
    const intent = this.o.membership;
    if (this.membershipBusy || !intent.pending || !this.raft.isLeader()) return;
    const current = this.raft.peers();
    if (intent.isReached(current)) {
      intent.settle();
      this.o.log.info({ members: current }, 'raft membership matches RaftNodes');
      return;
    }
    const change = nextMembershipChange(current, intent.desired, this.raft.raftAdvertise);
    if (!change) return;
    this.membershipBusy = true;
    try {
      this.o.log.info(
        { change, members: current, desired: intent.desired },
        'moving raft membership toward RaftNodes',
      );
      if (change.type === 'remove') await this.raft.removePeer(change.node);
      else await this.raft.addPeer(change.node);
    } catch (err) {
      this.o.log.warn({ change, error: (err as Error).message }, 'membership change failed; will retry');
    } finally {
      this.membershipBusy = false;
    }
  }
}
