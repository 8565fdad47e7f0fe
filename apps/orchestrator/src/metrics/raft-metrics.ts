// Raft's Prometheus series, adapted from the consensus library's RaftObserver (the library knows no
// metrics client). Gauges (term, role, indexes, peers) are read from the node when scraped; counters
// are plain numbers bumped on the raft path and copied at scrape time; latencies are histograms.
import type {
  CoreEvent,
  DropReason,
  MessageType,
  RaftNodeStatus,
  RaftObserver,
  RaftPeerProgress,
  Role,
} from '@orchestrator/consensus';
import type { Histogram, Registry } from 'prom-client';
import { prom } from './prom.js';
import { readCounter, Tally, tallyCounter } from './tallies.js';

/** What is read from the raft node at scrape time. */
export interface RaftSource {
  status(): RaftNodeStatus;
  peerProgress(): RaftPeerProgress[];
}

const ROLES: readonly Role[] = ['follower', 'preCandidate', 'candidate', 'leader'];
const COMMON_TYPES: readonly MessageType[] = [
  'append',
  'appendResp',
  'heartbeat',
  'heartbeatResp',
  'vote',
  'voteResp',
];
/** Fast on loopback, tens of ms on a loaded disk; past a second an election timeout has passed. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SNAPSHOT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class RaftMetrics {
  private source: RaftSource | undefined;
  private leaderChanges = 0;
  private readonly campaigns = new Tally<'vote' | 'preVote'>();
  private electionsWon = 0;
  private refusedNonMembers = 0;
  private readonly snapshots = new Tally<'taken' | 'received'>();
  private lastSnapshotBytes = 0;
  private readonly sent = new Tally<MessageType>();
  private readonly received = new Tally<MessageType>();
  private readonly dropped = new Tally<`${MessageType} ${DropReason}`>();
  private readonly fsync: Histogram;
  private readonly commitLatency: Histogram;
  private readonly snapshotDuration: Histogram<'origin'>;

  /** Hand this to the RaftNode's config (`observer`). */
  readonly observer: RaftObserver;

  constructor(registry: Registry) {
    this.fsync = new (prom().Histogram)({
      name: 'orchestrator_raft_fsync_duration_seconds',
      help: 'Durable (fsynced) writes of raft log entries and hard state.',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.commitLatency = new (prom().Histogram)({
      name: 'orchestrator_raft_proposal_commit_duration_seconds',
      help: 'From propose() on this node to its entry being committed (leader only).',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.snapshotDuration = new (prom().Histogram)({
      name: 'orchestrator_raft_snapshot_duration_seconds',
      help: 'Time to take (capture and write) or to store a received raft snapshot.',
      labelNames: ['origin'],
      buckets: SNAPSHOT_BUCKETS,
      registers: [registry],
    });
    this.registerGauges(registry);
    this.registerCounters(registry);
    this.observer = {
      event: (e) => this.onEvent(e),
      persisted: (seconds, synced) => {
        if (synced) this.fsync.observe(seconds);
      },
      proposalCommitted: (seconds) => this.commitLatency.observe(seconds),
      snapshotSaved: (origin, bytes, seconds) => {
        this.snapshots.add(origin);
        this.lastSnapshotBytes = bytes;
        this.snapshotDuration.observe({ origin }, seconds);
      },
      messageSent: (type) => this.sent.add(type),
      messageReceived: (type) => this.received.add(type),
      messageDropped: (type, reason) => this.dropped.add(`${type} ${reason}`),
    };
  }

  /** The node to read gauges from, and whose leader changes to count. */
  watch(
    node: RaftSource & { on(event: 'leaderChanged', fn: (e: { leader: string }) => void): unknown },
  ): void {
    this.source = node;
    node.on('leaderChanged', () => {
      this.leaderChanges++;
    });
  }

  private onEvent(e: CoreEvent): void {
    if (e.type === 'campaign') this.campaigns.add(e.kind);
    else if (e.type === 'electionWon') this.electionsWon++;
    else if (e.type === 'refusedNonMember') this.refusedNonMembers++;
  }

  private registerGauges(registry: Registry): void {
    const status = () => this.source?.status();
    const gauge = (name: string, help: string, read: (s: RaftNodeStatus) => number) =>
      new (prom().Gauge)({
        name,
        help,
        registers: [registry],
        collect() {
          const s = status();
          if (s) this.set(read(s));
        },
      });
    gauge('orchestrator_raft_term', 'Current raft term.', (s) => s.term);
    gauge('orchestrator_raft_commit_index', 'Highest log index known to be committed.', (s) => s.commit);
    gauge('orchestrator_raft_applied_index', 'Highest log index applied to the backend.', (s) => s.applied);
    gauge('orchestrator_raft_last_index', "Last index in this node's raft log.", (s) => s.lastIndex);
    gauge(
      'orchestrator_raft_apply_lag_entries',
      'Committed entries not yet applied to the backend (commit - applied).',
      (s) => Math.max(0, s.commit - s.applied),
    );
    gauge('orchestrator_raft_voters', 'Voting members of the raft group.', (s) => s.members.length);
    gauge(
      'orchestrator_raft_part_of_quorum',
      '1 while this node is part of a quorum (a leader heard from a majority, or a follower from its leader).',
      (s) => (s.isPartOfQuorum ? 1 : 0),
    );
    gauge('orchestrator_raft_leader_known', '1 while this node knows a leader.', (s) =>
      s.leader === '' ? 0 : 1,
    );
    new (prom().Gauge)({
      name: 'orchestrator_raft_role',
      help: "This node's raft role: 1 for the current role, 0 for the others.",
      labelNames: ['role'],
      registers: [registry],
      collect() {
        const s = status();
        for (const role of ROLES) this.set({ role }, s?.state === role ? 1 : 0);
      },
    });
    const peers = () => this.source?.peerProgress() ?? [];
    new (prom().Gauge)({
      name: 'orchestrator_raft_peer_last_contact_seconds',
      help: 'Leader only: seconds since the leader last heard from each member (-1: never).',
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of peers())
          this.set({ peer: p.id }, p.lastContactMs === null ? -1 : p.lastContactMs / 1000);
      },
    });
    new (prom().Gauge)({
      name: 'orchestrator_raft_peer_match_lag_entries',
      help: "Leader only: entries each member is behind the leader's last index.",
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        const last = status()?.lastIndex ?? 0;
        for (const p of peers()) this.set({ peer: p.id }, Math.max(0, last - p.match));
      },
    });
    const lastSnapshotBytes = () => this.lastSnapshotBytes;
    new (prom().Gauge)({
      name: 'orchestrator_raft_snapshot_last_bytes',
      help: 'Size of the last raft snapshot taken or received by this node.',
      registers: [registry],
      collect() {
        this.set(lastSnapshotBytes());
      },
    });
  }

  private registerCounters(registry: Registry): void {
    readCounter(
      registry,
      'orchestrator_raft_leader_changes_total',
      'Times the leader this node knows changed (including to none).',
      () => this.leaderChanges,
    );
    tallyCounter(registry, {
      name: 'orchestrator_raft_elections_started_total',
      help: 'Elections (kind="vote") and pre-elections (kind="preVote") this node started.',
      labelNames: ['kind'],
      tally: this.campaigns,
      labels: (kind) => ({ kind }),
      known: ['vote', 'preVote'],
    });
    readCounter(
      registry,
      'orchestrator_raft_elections_won_total',
      'Elections this node won.',
      () => this.electionsWon,
    );
    readCounter(
      registry,
      'orchestrator_raft_refused_non_members_total',
      'Raft messages refused because the sender is not a member.',
      () => this.refusedNonMembers,
    );
    tallyCounter(registry, {
      name: 'orchestrator_raft_snapshots_total',
      help: 'Raft snapshots taken here (origin="taken") or received from the leader (origin="received").',
      labelNames: ['origin'],
      tally: this.snapshots,
      labels: (origin) => ({ origin }),
      known: ['taken', 'received'],
    });
    tallyCounter(registry, {
      name: 'orchestrator_raft_messages_sent_total',
      help: 'Raft messages handed to the transport, by type.',
      labelNames: ['type'],
      tally: this.sent,
      labels: (type) => ({ type }),
      known: COMMON_TYPES,
    });
    tallyCounter(registry, {
      name: 'orchestrator_raft_messages_received_total',
      help: 'Raft messages received and stepped into the raft core, by type.',
      labelNames: ['type'],
      tally: this.received,
      labels: (type) => ({ type }),
      known: COMMON_TYPES,
    });
    tallyCounter(registry, {
      name: 'orchestrator_raft_messages_dropped_total',
      help: 'Raft messages dropped, by type and reason (unreachable, notRunning, refused).',
      labelNames: ['type', 'reason'],
      tally: this.dropped,
      labels: (key) => {
        const [type = '', reason = ''] = key.split(' ');
        return { type, reason };
      },
    });
  }
}
