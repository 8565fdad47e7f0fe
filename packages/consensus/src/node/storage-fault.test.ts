// Disk faults (issue 21), with write-failure injection at the storage layer: a node that cannot
// write its raft storage (a full or read-only disk, an I/O error) or its state machine steps down,
// stops voting and acknowledging, says so (status, event, log), never acknowledges what it did not
// persist, and takes part again once writes succeed.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from '../storage/memory.js';
import type { LogStore, SnapshotStore, StableStore } from '../storage.js';
import { MemoryNetwork } from '../transport/memory.js';
import type { Entry, Message } from '../types.js';
import type { InjectedStorage, StateMachine } from './config.js';
import { StateMachineUnavailableError } from './errors.js';
import { RaftNode } from './raft-node.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const running: RaftNode[] = [];

afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

/** Memory storage whose every write throws `SQLITE_FULL` while `failing` is set. */
function faultyStorage(): { storage: InjectedStorage; failing: { on: boolean } } {
  const failing = { on: false };
  const check = () => {
    if (failing.on) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  const log = new MemoryLogStore();
  const stable = new MemoryStableStore();
  const snapshots = new MemorySnapshotStore(3);
  const faultyLog: LogStore = {
    firstIndex: () => log.firstIndex(),
    lastIndex: () => log.lastIndex(),
    term: (i) => log.term(i),
    entries: (lo, hi, max) => log.entries(lo, hi, max),
    compactedMeta: () => log.compactedMeta(),
    append: (e) => {
      check();
      return log.append(e);
    },
    compact: (m) => {
      check();
      return log.compact(m);
    },
    resetTo: (m) => {
      check();
      return log.resetTo(m);
    },
  };
  const faultyStable: StableStore = {
    hardState: () => stable.hardState(),
    setHardState: (h) => {
      check();
      return stable.setHardState(h);
    },
    get: (k) => stable.get(k),
    set: (k, v) => {
      check();
      return stable.set(k, v);
    },
  };
  const faultySnapshots: SnapshotStore = {
    save: async (s) => {
      check();
      return snapshots.save(s);
    },
    latest: () => snapshots.latest(),
    list: () => snapshots.list(),
  };
  return { storage: { log: faultyLog, stable: faultyStable, snapshots: faultySnapshots }, failing };
}

/** Applies entries to a list; throws StateMachineUnavailableError while `down` is set. */
class ListMachine implements StateMachine {
  items: string[] = [];
  down = false;
  apply(e: Entry): unknown {
    if (this.down) throw new StateMachineUnavailableError('backend is read-only');
    this.items.push(dec.decode(e.data));
    return e.index;
  }
  async snapshot(): Promise<Uint8Array> {
    return enc.encode(JSON.stringify(this.items));
  }
  async restore(data: Uint8Array): Promise<void> {
    this.items = JSON.parse(dec.decode(data)) as string[];
  }
}

interface Member {
  node: RaftNode;
  sm: ListMachine;
  failing: { on: boolean };
  sent: { at: number; m: Message }[];
  logs: string[];
}

// Elections after 0.4–0.8 s: a loaded test machine does not cause spurious ones.
const timing = { tickMs: 20, electionTicks: 20, heartbeatTicks: 2, requestTimeoutMs: 5_000 } as const;

async function cluster(ids = ['a', 'b', 'c']) {
  const net = new MemoryNetwork();
  const members = new Map<string, Member>();
  for (const id of ids) {
    const { storage, failing } = faultyStorage();
    const transport = net.transport(id);
    const sent: Member['sent'] = [];
    const send = transport.send.bind(transport);
    transport.send = (m: Message) => {
      sent.push({ at: performance.now(), m });
      send(m);
    };
    const sm = new ListMachine();
    const logs: string[] = [];
    const node = new RaftNode(
      { id, peers: ids, storage, transport, ...timing, log: (level, msg) => logs.push(`${level} ${msg}`) },
      sm,
    );
    await node.start();
    running.push(node);
    members.set(id, { node, sm, failing, sent, logs });
  }
  return members;
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const leaderOf = (members: Map<string, Member>, except?: string) =>
  [...members.values()].find((m) => m.node.id !== except && m.node.status().state === 'leader');

const ANSWERS = new Set(['voteResp', 'preVoteResp', 'appendResp', 'heartbeatResp']);

describe('a node that cannot write its raft storage', () => {
  it('steps down, votes and acknowledges nothing, says so, and takes part again once writes succeed', async () => {
    const members = await cluster();
    const first = await waitFor(() => leaderOf(members), 10_000, 'a leader');
    await first.node.propose(enc.encode('x'));
    const faults: unknown[] = [];
    first.node.on('storageFault', (f) => faults.push(f));

    first.failing.on = true;
    const since = performance.now();
    await expect(first.node.propose(enc.encode('y'))).rejects.toMatchObject({ code: 'STORAGE_FAULT' });
    expect(faults).toEqual([{ where: 'log', error: 'database or disk is full' }]);
    expect(first.node.status()).toMatchObject({
      state: 'follower',
      leader: '',
      isPartOfQuorum: false,
      storageFault: 'the raft log or hard state: database or disk is full',
    });
    expect(first.node.isLeaderWithQuorum()).toBe(false);
    expect(first.node.storageFault()).toMatchObject({ where: 'log', error: 'database or disk is full' });
    expect(
      first.logs.some((l) => l.startsWith('error raft: the raft log or hard state cannot be written')),
    ).toBe(true);
    await expect(first.node.readIndex()).rejects.toMatchObject({ code: 'STORAGE_FAULT' });

    // The others elect a leader without it and keep committing.
    const second = await waitFor(() => leaderOf(members, first.node.id), 10_000, 'another leader');
    await second.node.propose(enc.encode('z'));
    // Without the faulted node, the remaining two cannot elect anyone once the new leader stops.
    const third = [...members.values()].find((m) => m !== first && m !== second) as Member;
    await second.node.stop();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(third.node.status().state).not.toBe('leader');
    // It never answered a vote or an append while it could not write.
    expect(first.sent.filter((s) => s.at > since && ANSWERS.has(s.m.type))).toEqual([]);

    first.failing.on = false;
    const back = await waitFor(() => leaderOf(members, second.node.id), 10_000, 'a leader with it back');
    expect(first.node.status().storageFault).toBeUndefined();
    expect(first.logs).toContain('info raft: storage writable again; this node takes part again');
    await back.node.propose(enc.encode('w'));
    await waitFor(
      () => first.sm.items.at(-1) === 'w' && third.sm.items.at(-1) === 'w',
      5_000,
      'both to apply w',
    );
    expect(first.sm.items).toEqual(third.sm.items);
    expect(first.sm.items.filter((i) => i === 'x' || i === 'z')).toEqual(['x', 'z']);
  });

  it('a follower that cannot write sends no acknowledgement; the others commit without it; it catches up', async () => {
    const members = await cluster();
    const leader = await waitFor(() => leaderOf(members), 10_000, 'a leader');
    const follower = [...members.values()].find((m) => m !== leader) as Member;
    follower.failing.on = true;
    const since = performance.now();
    for (let i = 0; i < 5; i++) await leader.node.propose(enc.encode(`e${i}`));
    await waitFor(() => follower.node.storageFault(), 5_000, 'the follower to notice');
    expect(follower.sent.filter((s) => s.at > since + 50 && ANSWERS.has(s.m.type))).toEqual([]);
    expect(follower.sm.items).not.toContain('e4');
    follower.failing.on = false;
    await waitFor(() => follower.sm.items.includes('e4'), 10_000, 'the follower to catch up');
    expect(follower.sm.items).toEqual(leader.sm.items);
  });
});

describe('a node whose state machine cannot write', () => {
  it('takes no part and never skips an entry: it applies every entry once, in order, when it can', async () => {
    const members = await cluster();
    const leader = await waitFor(() => leaderOf(members), 10_000, 'a leader');
    const follower = [...members.values()].find((m) => m !== leader) as Member;
    await leader.node.propose(enc.encode('before'));
    await waitFor(() => follower.sm.items.includes('before'), 5_000, 'before');
    follower.sm.down = true;
    for (let i = 0; i < 5; i++) await leader.node.propose(enc.encode(`d${i}`));
    await waitFor(() => follower.node.storageFault(), 5_000, 'the follower to notice');
    expect(follower.node.status().storageFault).toBe('the state machine: backend is read-only');
    expect(follower.sm.items).toEqual(['before']);
    follower.sm.down = false;
    await waitFor(() => follower.sm.items.includes('d4'), 10_000, 'the follower to apply everything');
    await waitFor(() => follower.node.storageFault() === undefined, 5_000, 'the fault to clear');
    expect(follower.sm.items).toEqual(leader.sm.items);
    expect(follower.sm.items).toEqual(['before', 'd0', 'd1', 'd2', 'd3', 'd4']);
  });
});
