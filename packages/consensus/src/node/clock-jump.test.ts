// Raft timing never reads the wall clock (issue 21, clock jumps): ticks come from timers and every
// deadline from performance.now, so stepping Date forward or back — or freezing it — changes no
// election, no leadership and no request deadline.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from '../storage/memory.js';
import { MemoryNetwork } from '../transport/memory.js';
import type { Entry } from '../types.js';
import type { StateMachine } from './config.js';
import { RaftNode } from './raft-node.js';

const HOUR = 3_600_000;
const enc = new TextEncoder();
const nodes: RaftNode[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const n of nodes.splice(0)) await n.stop();
});

const sm = (): StateMachine => ({
  apply: (e: Entry) => e.index,
  snapshot: async () => new Uint8Array(),
  restore: async () => {},
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a wall-clock jump', () => {
  it('changes no raft timing: no election, same leader, proposals and reads within their deadlines', async () => {
    const ids = ['a', 'b', 'c'];
    const net = new MemoryNetwork();
    for (const id of ids) {
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
          // Elections after 1–2 s: long enough that a loaded machine never causes one, while a
          // Date-based timer would fire at once on a jump of hours.
          tickMs: 20,
          electionTicks: 50,
          heartbeatTicks: 2,
          requestTimeoutMs: 5_000,
        },
        sm(),
      );
      await node.start();
      nodes.push(node);
    }
    const deadline = performance.now() + 5_000;
    let leader: RaftNode | undefined;
    while (!leader && performance.now() < deadline) {
      leader = nodes.find((n) => n.status().state === 'leader');
      await sleep(10);
    }
    if (!leader) throw new Error('no leader');
    await leader.propose(enc.encode('before'));
    const term = leader.status().term;

    // Only Date is faked: timers and performance.now keep real time.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const step of [HOUR, -3 * HOUR, 24 * HOUR, -48 * HOUR]) {
      vi.setSystemTime(Date.now() + step);
      // Heartbeats, check-quorum rounds and request sweeps run with the wall clock jumped and frozen.
      await sleep(300);
      expect(leader.status().state).toBe('leader');
      expect(leader.isLeaderWithQuorum()).toBe(true);
      await expect(leader.propose(enc.encode(`after ${step}`))).resolves.toBeGreaterThan(0);
      await expect(leader.readIndex()).resolves.toBeUndefined();
    }
    for (const n of nodes) {
      expect(n.status().term).toBe(term);
      expect(n.status().leader).toBe(leader.id);
    }
  });
});
