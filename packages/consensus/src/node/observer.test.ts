import { afterEach, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../core/api.js';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from '../storage/memory.js';
import { MemoryNetwork } from '../transport/memory.js';
import type { Entry, MessageType } from '../types.js';
import type { StateMachine } from './config.js';
import type { DropReason, RaftObserver } from './observer.js';
import { RaftNode } from './raft-node.js';

const enc = new TextEncoder();

class CountingMachine implements StateMachine {
  applied = 0;
  apply(_entry: Entry): unknown {
    return ++this.applied;
  }
  async snapshot(): Promise<Uint8Array> {
    return enc.encode(String(this.applied));
  }
  async restore(data: Uint8Array): Promise<void> {
    this.applied = Number(new TextDecoder().decode(data));
  }
}

/** Records every observer call. */
class Recorder implements RaftObserver {
  events: CoreEvent[] = [];
  persists: { seconds: number; synced: boolean }[] = [];
  commits: number[] = [];
  snapshots: { origin: string; bytes: number; seconds: number }[] = [];
  sent = new Map<MessageType, number>();
  received = new Map<MessageType, number>();
  dropped: { type: MessageType; reason: DropReason }[] = [];
  event(e: CoreEvent) {
    this.events.push(e);
  }
  persisted(seconds: number, synced: boolean) {
    this.persists.push({ seconds, synced });
  }
  proposalCommitted(seconds: number) {
    this.commits.push(seconds);
  }
  snapshotSaved(origin: 'taken' | 'received', bytes: number, seconds: number) {
    this.snapshots.push({ origin, bytes, seconds });
  }
  messageSent(type: MessageType) {
    this.sent.set(type, (this.sent.get(type) ?? 0) + 1);
  }
  messageReceived(type: MessageType) {
    this.received.set(type, (this.received.get(type) ?? 0) + 1);
  }
  messageDropped(type: MessageType, reason: DropReason) {
    this.dropped.push({ type, reason });
  }
}

const running: RaftNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

const fast = { tickMs: 10, electionTicks: 10, heartbeatTicks: 2, requestTimeoutMs: 3_000 } as const;

async function cluster(ids: string[], snapshotThreshold = 10_000) {
  const net = new MemoryNetwork();
  const nodes = new Map<string, { node: RaftNode; observer: Recorder }>();
  for (const id of ids) {
    const observer = new Recorder();
    const node = new RaftNode(
      {
        id,
        peers: ids,
        storage: {
          log: new MemoryLogStore(),
          stable: new MemoryStableStore(),
          snapshots: new MemorySnapshotStore(3),
        },
        transport: net.transport(id),
        snapshotThreshold,
        observer,
        ...fast,
      },
      new CountingMachine(),
    );
    await node.start();
    running.push(node);
    nodes.set(id, { node, observer });
  }
  return { net, nodes };
}

async function leaderOf(nodes: Map<string, { node: RaftNode; observer: Recorder }>) {
  const end = Date.now() + 5_000;
  for (;;) {
    for (const n of nodes.values()) if (n.node.status().state === 'leader') return n;
    if (Date.now() > end) throw new Error('no leader elected');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RaftObserver', () => {
  it('reports the election, durable writes, commit latency and messages of a 3-node group', async () => {
    const { nodes } = await cluster(['a', 'b', 'c']);
    const leader = await leaderOf(nodes);
    for (let i = 0; i < 5; i++) await leader.node.propose(enc.encode(`x${i}`));

    const won = leader.observer.events.filter((e) => e.type === 'electionWon');
    expect(won.length).toBeGreaterThanOrEqual(1);
    const campaigns = leader.observer.events.filter((e) => e.type === 'campaign' && e.kind === 'vote');
    expect(campaigns.length).toBeGreaterThanOrEqual(1);
    // One commit latency per proposal made on this node, each a real duration.
    expect(leader.observer.commits).toHaveLength(5);
    for (const s of leader.observer.commits) expect(s).toBeGreaterThanOrEqual(0);
    expect(leader.observer.persists.some((p) => p.synced)).toBe(true);
    expect(leader.observer.sent.get('append') ?? 0).toBeGreaterThan(0);
    expect(leader.observer.received.get('appendResp') ?? 0).toBeGreaterThan(0);
    // Followers propose nothing, so they report no commit latency, but they do receive appends.
    for (const n of nodes.values()) {
      if (n === leader) continue;
      expect(n.observer.commits).toHaveLength(0);
      expect(n.observer.received.get('append') ?? 0).toBeGreaterThan(0);
    }
  });

  it('reports a snapshot taken with its size', async () => {
    const { nodes } = await cluster(['solo'], 3);
    const solo = await leaderOf(nodes);
    for (let i = 0; i < 4; i++) await solo.node.propose(enc.encode(`x${i}`));
    const end = Date.now() + 3_000;
    while (solo.observer.snapshots.length === 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 10));
    expect(solo.observer.snapshots[0]).toMatchObject({ origin: 'taken' });
    expect(solo.observer.snapshots[0]?.bytes).toBeGreaterThan(0);
  });
});
