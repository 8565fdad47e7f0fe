import { EventEmitter } from 'node:events';
import type { RaftNodeStatus, RaftPeerProgress } from '@orchestrator/consensus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProberMetrics } from './prober-metrics.js';
import { RaftMetrics } from './raft-metrics.js';

const status: RaftNodeStatus = {
  id: 'a:1',
  state: 'leader',
  term: 4,
  leader: 'a:1',
  commit: 10,
  applied: 7,
  lastIndex: 12,
  members: ['a:1', 'b:1', 'c:1'],
  learners: [],
  recovering: false,
  isPartOfQuorum: true,
};
const peers: RaftPeerProgress[] = [
  { id: 'b:1', match: 12, voter: true, counted: true, lastContactMs: 150 },
  { id: 'c:1', match: 2, voter: true, counted: true, lastContactMs: null },
];

/** `name{labels} value` lines of the exposition, without HELP/TYPE. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('RaftMetrics', () => {
  it('reads role, term, indexes and peers from the node when scraped', async () => {
    const registry = new Registry();
    const metrics = new RaftMetrics(registry);
    const node = Object.assign(new EventEmitter(), { status: () => status, peerProgress: () => peers });
    metrics.watch(node);
    node.emit('leaderChanged', { leader: 'a:1', term: 4 });
    const lines = await samples(registry);
    expect(lines).toEqual(
      expect.arrayContaining([
        'orchestrator_raft_role{role="leader"} 1',
        'orchestrator_raft_role{role="follower"} 0',
        'orchestrator_raft_term 4',
        'orchestrator_raft_commit_index 10',
        'orchestrator_raft_applied_index 7',
        'orchestrator_raft_apply_lag_entries 3',
        'orchestrator_raft_voters 3',
        'orchestrator_raft_peer_last_contact_seconds{peer="b:1"} 0.15',
        'orchestrator_raft_peer_last_contact_seconds{peer="c:1"} -1',
        'orchestrator_raft_peer_match_lag_entries{peer="b:1"} 0',
        'orchestrator_raft_peer_match_lag_entries{peer="c:1"} 10',
        'orchestrator_raft_leader_changes_total 1',
      ]),
    );
  });

  it('counts what the raft library observes', async () => {
    const registry = new Registry();
    const { observer } = new RaftMetrics(registry);
    observer.event?.({ type: 'campaign', kind: 'preVote', term: 3 });
    observer.event?.({ type: 'campaign', kind: 'vote', term: 3 });
    observer.event?.({ type: 'electionWon', term: 3 });
    observer.event?.({ type: 'refusedNonMember', from: 'x:1', messageType: 'vote', term: 9 });
    observer.messageSent?.('append');
    observer.messageSent?.('append');
    observer.messageReceived?.('appendResp');
    observer.messageDropped?.('heartbeat', 'unreachable');
    observer.persisted?.(0.002, true);
    observer.persisted?.(0.001, false);
    observer.proposalCommitted?.(0.004);
    observer.snapshotSaved?.('taken', 2048, 0.3);
    const lines = await samples(registry);
    expect(lines).toEqual(
      expect.arrayContaining([
        'orchestrator_raft_elections_started_total{kind="vote"} 1',
        'orchestrator_raft_elections_started_total{kind="preVote"} 1',
        'orchestrator_raft_elections_won_total 1',
        'orchestrator_raft_refused_non_members_total 1',
        'orchestrator_raft_messages_sent_total{type="append"} 2',
        'orchestrator_raft_messages_received_total{type="appendResp"} 1',
        'orchestrator_raft_messages_dropped_total{type="heartbeat",reason="unreachable"} 1',
        // Only the fsynced write is an fsync.
        'orchestrator_raft_fsync_duration_seconds_count 1',
        'orchestrator_raft_proposal_commit_duration_seconds_count 1',
        'orchestrator_raft_snapshots_total{origin="taken"} 1',
        'orchestrator_raft_snapshot_last_bytes 2048',
        'orchestrator_raft_snapshot_duration_seconds_count{origin="taken"} 1',
      ]),
    );
  });
});

describe('ProberMetrics', () => {
  it('counts probes by result and errors by kind, and instances by state', async () => {
    const registry = new Registry();
    const now = Date.parse('2026-01-01T00:01:00Z');
    const metrics = new ProberMetrics(registry, { now: () => now, staleAfterMs: () => 10_000 });
    metrics.watch({
      instances: () =>
        [
          { IsLastCheckValid: true, LastCheckedTimestamp: '2026-01-01T00:00:59Z' },
          { IsLastCheckValid: false, LastCheckedTimestamp: '2026-01-01T00:00:59Z' },
          { IsLastCheckValid: true, LastCheckedTimestamp: '2026-01-01T00:00:00Z' },
        ] as never,
      queue: () => ({ backlog: 4, active: 2, slowLane: 1 }),
    });
    const key = { Hostname: 'db1', Port: 3306 };
    metrics.record({ key, startedAt: now, durationMs: 5 });
    metrics.record({ key, startedAt: now, durationMs: 2000, error: 'refused', errorKind: 'refused' });
    const lines = await samples(registry);
    expect(lines).toEqual(
      expect.arrayContaining([
        'orchestrator_probes_total{result="ok"} 1',
        'orchestrator_probes_total{result="error"} 1',
        'orchestrator_probe_errors_total{kind="refused"} 1',
        'orchestrator_probe_errors_total{kind="timeout"} 0',
        'orchestrator_probe_duration_seconds_count 2',
        'orchestrator_instances{state="ok"} 1',
        'orchestrator_instances{state="unreachable"} 1',
        'orchestrator_instances{state="stale"} 1',
        'orchestrator_discovery_queue_depth 4',
        'orchestrator_discovery_probes_in_flight 2',
        'orchestrator_discovery_slow_lane_instances 1',
      ]),
    );
  });
});
