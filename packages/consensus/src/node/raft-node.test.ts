import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderError } from '../core/errors.js';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from '../storage/memory.js';
import { MemoryNetwork } from '../transport/memory.js';
import { SingleNodeTransport } from '../transport/single-node.js';
import type { Transport } from '../transport/transport.js';
import type { Entry } from '../types.js';
import type { RaftNodeConfig, StateMachine } from './config.js';
import { ProposalLostError, RaftConfigError, RaftStoppedError } from './errors.js';
import { RaftNode } from './raft-node.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Records applied commands; apply is async with a random-ish delay to prove ordering holds. */
class ListMachine implements StateMachine {
  items: string[] = [];
  constructor(private readonly async = false) {}
  apply(entry: Entry): unknown {
    const text = dec.decode(entry.data);
    if (text === 'boom') throw new Error('boom refused');
    const run = () => {
      this.items.push(text);
      return `${text}@${entry.index}`;
    };
    if (!this.async) return run();
    return new Promise((r) => setTimeout(() => r(run()), (entry.index * 7) % 3));
  }
  async snapshot(): Promise<Uint8Array> {
    return enc.encode(JSON.stringify(this.items));
  }
  async restore(data: Uint8Array): Promise<void> {
    this.items = JSON.parse(dec.decode(data)) as string[];
  }
}

const running: RaftNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fast = { tickMs: 10, electionTicks: 10, heartbeatTicks: 2, requestTimeoutMs: 3_000 } as const;

function memoryStorage() {
  return {
    log: new MemoryLogStore(),
    stable: new MemoryStableStore(),
    snapshots: new MemorySnapshotStore(3),
  };
}

interface Member {
  node: RaftNode;
  sm: ListMachine;
}

async function makeCluster(ids: string[], extra: Partial<RaftNodeConfig> = {}, asyncApply = false) {
  const net = new MemoryNetwork();
  const members = new Map<string, Member>();
  const startNode = async (id: string, peers = ids, storage = memoryStorage()) => {
    const sm = new ListMachine(asyncApply);
    const node = new RaftNode({ id, peers, storage, transport: net.transport(id), ...fast, ...extra }, sm);
    await node.start();
    running.push(node);
    members.set(id, { node, sm });
    return { node, sm };
  };
  for (const id of ids) await startNode(id);
  return { net, members, startNode };
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 5_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function leaderOf(members: Map<string, Member>, exclude: string[] = []): Member | undefined {
  const leaders = [...members.entries()].filter(
    ([id, m]) => !exclude.includes(id) && m.node.status().state === 'leader',
  );
  return leaders.length === 1 ? leaders[0]?.[1] : undefined;
}

describe('RaftNode', () => {
  it('refuses an invalid configuration, naming every bad key', () => {
    let err: unknown;
    try {
      new RaftNode({ id: '', peers: [], tickMs: -1, heartbeatTicks: 9, electionTicks: 4 }, new ListMachine());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RaftConfigError);
    const problems = (err as RaftConfigError).problems.join('\n');
    for (const key of ['id', 'dataDir', 'tickMs', 'heartbeatTicks (9)']) expect(problems).toContain(key);
  });

  it('elects one leader, replicates proposals and returns apply results', async () => {
    const { members } = await makeCluster(['a', 'b', 'c']);
    const changes: unknown[] = [];
    for (const m of members.values()) m.node.on('leaderChanged', (e) => changes.push(e));
    const leader = await waitFor(() => leaderOf(members), 5_000, 'a leader');
    const results = await Promise.all(['x', 'y', 'z'].map((t) => leader.node.propose(enc.encode(t))));
    expect(results.map((r) => String(r).split('@')[0])).toEqual(['x', 'y', 'z']);
    await waitFor(() => [...members.values()].every((m) => m.sm.items.length === 3), 5_000, 'replication');
    for (const m of members.values()) expect(m.sm.items).toEqual(['x', 'y', 'z']);
    const st = leader.node.status();
    expect(st.state).toBe('leader');
    expect(st.members.slice().sort()).toEqual(['a', 'b', 'c']);
    expect(st.applied).toBeGreaterThanOrEqual(4);
    expect(st.isPartOfQuorum).toBe(true);
    expect(leader.node.isLeaderWithQuorum()).toBe(true);
    expect(leader.node.brief()).toEqual({ state: 'leader', leader: leader.node.id });
    await waitFor(() => [...members.values()].every((m) => m.node.status().isPartOfQuorum), 2_000, 'quorum');
    for (const m of members.values()) {
      if (m === leader) continue;
      expect(m.node.isLeaderWithQuorum()).toBe(false);
      expect(m.node.brief()).toEqual({ state: 'follower', leader: leader.node.id });
    }
    expect(changes.length).toBeGreaterThanOrEqual(2);
  });

  it("sends the leader's appends before its own persist, but commits only after it", async () => {
    // Every node's log writes and sends, in one timeline.
    const events: string[] = [];
    const net = new MemoryNetwork();
    const members = new Map<string, Member>();
    for (const id of ['a', 'b', 'c']) {
      const storage = memoryStorage();
      const append = storage.log.append.bind(storage.log);
      storage.log.append = (entries) => {
        events.push(`${id} persist ${entries[entries.length - 1]?.index}`);
        append(entries);
      };
      const inner = net.transport(id);
      const transport: Transport = {
        id: inner.id,
        start: (handler) => inner.start(handler),
        send(m) {
          const last = m.entries?.[m.entries.length - 1]?.index;
          if (m.type === 'append') events.push(`${id} send-append ${last ?? '-'} commit ${m.commit ?? 0}`);
          inner.send(m);
        },
        setPeerAddresses: () => inner.setPeerAddresses(),
        stop: () => inner.stop(),
      };
      const sm = new ListMachine();
      const node = new RaftNode({ id, peers: ['a', 'b', 'c'], storage, transport, ...fast }, sm);
      await node.start();
      running.push(node);
      members.set(id, { node, sm });
    }
    const leader = await waitFor(() => leaderOf(members), 5_000, 'a leader');
    const id = leader.node.id;
    // Followers first catch up (a new leader probes them before it streams appends to them).
    await leader.node.propose(enc.encode('warm-up'));
    await waitFor(() => [...members.values()].every((m) => m.sm.items.includes('warm-up')), 5_000, 'warm-up');
    const result = String(await leader.node.propose(enc.encode('x')));
    const index = Number(result.split('@')[1]);
    const at = (e: string) => events.indexOf(e);
    const sent = events.findIndex((e) => e.startsWith(`${id} send-append ${index} `));
    const persisted = at(`${id} persist ${index}`);
    expect(sent).toBeGreaterThanOrEqual(0);
    expect(persisted).toBeGreaterThan(sent);
    // No message tells anybody the entry is committed before the leader holds it durably.
    const firstCommit = events.findIndex((e) => {
      const m = /^\S+ send-append \S+ commit (\d+)$/.exec(e);
      return m !== null && Number(m[1]) >= index;
    });
    if (firstCommit >= 0) expect(firstCommit).toBeGreaterThan(persisted);
    await waitFor(() => [...members.values()].every((m) => m.sm.items.includes('x')), 5_000, 'replication');
  });

  it('rejects proposals on a follower with NotLeaderError naming the leader', async () => {
    const { members } = await makeCluster(['a', 'b', 'c']);
    const leader = await waitFor(() => leaderOf(members));
    await leader.node.propose(enc.encode('first'));
    const follower = [...members.values()].find((m) => m !== leader);
    await waitFor(() => follower?.node.status().leader === leader.node.id);
    let err: unknown;
    try {
      await follower?.node.propose(enc.encode('nope'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leader).toBe(leader.node.id);
    await expect(follower?.node.readIndex()).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('applies many concurrent proposals in log order with an async state machine', async () => {
    const { members } = await makeCluster(['a', 'b', 'c'], {}, true);
    const leader = await waitFor(() => leaderOf(members));
    const texts = Array.from({ length: 300 }, (_, i) => `p${i}`);
    const results = (await Promise.all(texts.map((t) => leader.node.propose(enc.encode(t))))) as string[];
    const indexes = results.map((r) => Number(r.split('@')[1]));
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
    expect(leader.sm.items).toEqual(texts);
    await waitFor(() => [...members.values()].every((m) => m.sm.items.length === 300), 5_000, 'followers');
    for (const m of members.values()) expect(m.sm.items).toEqual(texts);
    // An error thrown by apply rejects that proposal only.
    await expect(leader.node.propose(enc.encode('boom'))).rejects.toThrow('boom refused');
    await expect(leader.node.propose(enc.encode('after'))).resolves.toMatch(/^after@/);
  });

  it('serves linearizable reads on the leader', async () => {
    const { members } = await makeCluster(['a', 'b', 'c']);
    const leader = await waitFor(() => leaderOf(members));
    void leader.node.propose(enc.encode('w'));
    await leader.node.readIndex();
    expect(leader.sm.items).toContain('w');
  });

  it('fails over when the leader is cut off, and its stranded proposal is lost, not applied', async () => {
    const { net, members } = await makeCluster(['a', 'b', 'c']);
    const old = await waitFor(() => leaderOf(members));
    await old.node.propose(enc.encode('before'));
    net.isolate(old.node.id);
    const stranded = old.node.propose(enc.encode('stranded'));
    stranded.catch(() => {});
    await waitFor(() => !old.node.status().isPartOfQuorum, 2_000, 'the cut-off leader to leave the quorum');
    expect(old.node.isLeaderWithQuorum()).toBe(false);
    const fresh = await waitFor(() => leaderOf(members, [old.node.id]), 5_000, 'a new leader');
    await fresh.node.propose(enc.encode('after'));
    net.heal();
    await expect(stranded).rejects.toBeInstanceOf(ProposalLostError);
    await waitFor(() => old.sm.items.includes('after'), 5_000, 'the old leader to catch up');
    expect(old.sm.items).toEqual(['before', 'after']);
    expect(old.node.status().state).toBe('follower');
  });

  it('transfers leadership to a chosen node', async () => {
    const { members } = await makeCluster(['a', 'b', 'c']);
    const leader = await waitFor(() => leaderOf(members));
    const target = [...members.keys()].find((id) => id !== leader.node.id) as string;
    await leader.node.transferLeadership(target);
    await waitFor(() => members.get(target)?.node.status().state === 'leader', 2_000, 'the transfer');
  });

  it('hands off leadership before stopping: a follower leads long before any election timeout', async () => {
    // Election timeouts of 5 s: only the hand-off's TimeoutNow can make a follower lead within 2 s.
    const { members } = await makeCluster(['a', 'b', 'c'], { electionTicks: 500 });
    const leader = await waitFor(() => leaderOf(members), 3_000, 'the bootstrap leader');
    await leader.node.propose(enc.encode('before'));
    await leader.node.handOffLeadership();
    await leader.node.stop();
    const next = await waitFor(() => leaderOf(members, [leader.node.id]), 2_000, 'the hand-off');
    await next.node.propose(enc.encode('after'));
    expect(next.sm.items).toEqual(['before', 'after']);
  });

  it('holds nothing per request once idle, and a bounded log, however many entries it committed', async () => {
    const storages = new Map<string, ReturnType<typeof memoryStorage>>();
    const net = new MemoryNetwork();
    const members = new Map<string, Member>();
    for (const id of ['a', 'b', 'c']) {
      const storage = memoryStorage();
      storages.set(id, storage);
      const sm = new ListMachine();
      const node = new RaftNode(
        {
          id,
          peers: ['a', 'b', 'c'],
          storage,
          transport: net.transport(id),
          ...fast,
          snapshotThreshold: 200,
          trailingEntries: 50,
        },
        sm,
      );
      await node.start();
      running.push(node);
      members.set(id, { node, sm });
    }
    const leader = await waitFor(() => leaderOf(members));
    const round = async (r: number) => {
      for (let batch = 0; batch < 30; batch++) {
        const writes = Array.from({ length: 50 }, (_, i) =>
          leader.node.propose(enc.encode(`${r}-${batch}-${i}`)),
        );
        await Promise.all([...writes, leader.node.readIndex()]);
      }
      const commit = leader.node.status().commit;
      await waitFor(
        () => [...members.values()].every((m) => m.node.status().applied >= commit),
        5_000,
        'every node to apply',
      );
      // Snapshots are taken between applies; let the last one be saved and compacted.
      await waitFor(
        () =>
          [...storages.values()].every((st) => st.log.lastIndex() - st.log.firstIndex() + 1 <= 200 + 50 + 60),
        5_000,
        'compaction',
      );
      return [...members.values()].map((m) => m.node.footprint());
    };
    const idle = {
      pendingProposals: 0,
      pendingReads: 0,
      pendingTransfers: 0,
      unstableEntries: 0,
      queuedApplies: 0,
    };
    expect(await round(1)).toEqual([idle, idle, idle]);
    expect(await round(2)).toEqual([idle, idle, idle]);
    expect(leader.sm.items.length).toBe(2 * 30 * 50);
  });

  it('refuses a hand-off on a follower', async () => {
    const { members } = await makeCluster(['a', 'b', 'c']);
    const leader = await waitFor(() => leaderOf(members));
    const follower = [...members.values()].find((m) => m !== leader) as Member;
    await expect(follower.node.handOffLeadership()).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('snapshots, compacts, and catches up a wiped node by InstallSnapshot', async () => {
    const { members, startNode } = await makeCluster(['a', 'b', 'c'], {
      snapshotThreshold: 50,
      trailingEntries: 5,
    });
    const leader = await waitFor(() => leaderOf(members));
    for (let i = 0; i < 120; i++) await leader.node.propose(enc.encode(`e${i}`));
    const victim = [...members.keys()].find((id) => id !== leader.node.id) as string;
    const old = members.get(victim) as Member;
    await old.node.stop();
    for (let i = 120; i < 180; i++) await leader.node.propose(enc.encode(`e${i}`));
    await waitFor(() => leader.node.status().applied >= 180, 2_000);
    // The wiped node starts from nothing; the leader's log no longer holds index 1.
    const reborn = await startNode(victim, ['a', 'b', 'c']);
    await waitFor(() => reborn.sm.items.length === 180, 10_000, 'catch-up by snapshot');
    expect(reborn.sm.items).toEqual(leader.sm.items);
  });

  it('adds and removes voters', async () => {
    const { members, startNode } = await makeCluster(['a', 'b', 'c']);
    const leader = await waitFor(() => leaderOf(members));
    await leader.node.propose(enc.encode('one'));
    const d = await startNode('d', ['a', 'b', 'c', 'd']);
    await leader.node.addVoter('d');
    expect(leader.node.status().members.slice().sort()).toEqual(['a', 'b', 'c', 'd']);
    await waitFor(() => d.sm.items.includes('one'), 5_000, 'the new voter to catch up');
    const gone = [...members.keys()].find((id) => id !== leader.node.id && id !== 'd') as string;
    await leader.node.removeServer(gone);
    expect(leader.node.status().members).not.toContain(gone);
    await leader.node.propose(enc.encode('two'));
    await waitFor(() => d.sm.items.includes('two'));
  });

  it('neither restores nor replays what a durable state machine already holds of this log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftnode-'));
    dirs.push(dir);
    const cfg = {
      id: '127.0.0.1:1',
      peers: ['127.0.0.1:1'],
      dataDir: dir,
      snapshotThreshold: 20,
      trailingEntries: 3,
    };
    const net = new MemoryNetwork();
    const first = new RaftNode({ ...cfg, ...fast, transport: net.transport(cfg.id) }, new ListMachine());
    await first.start();
    await waitFor(() => first.status().state === 'leader', 2_000, 'single-node leader');
    for (let i = 0; i < 45; i++) await first.propose(enc.encode(`s${i}`));
    await first.stop();
    /** A durable state machine: it claims to hold the log up to `held` (in term 1 or `term`). */
    class DurableMachine extends ListMachine {
      restores = 0;
      constructor(
        readonly held: number,
        readonly term = 1,
      ) {
        super();
      }
      override async restore(data: Uint8Array): Promise<void> {
        this.restores++;
        await super.restore(data);
      }
      durablePosition() {
        return { index: this.held, term: this.term };
      }
    }
    // Holds entry 46 of this log (term 1): not restored. Holds nothing, or an entry of another
    // log (term 7 at 46, or an index this log does not have): restored.
    for (const [held, term, restores] of [
      [0, 1, 1],
      [46, 7, 1],
      [1_000, 1, 1],
      [46, 1, 0], // last: it adds an entry
    ] as const) {
      const sm = new DurableMachine(held, term);
      const again = new RaftNode({ ...cfg, ...fast, transport: net.transport(cfg.id) }, sm);
      await again.start();
      expect(sm.restores).toBe(restores);
      await waitFor(() => again.status().state === 'leader', 2_000, 'leader after restart');
      if (restores === 0) {
        // It holds everything: nothing is restored or replayed, and new entries apply as usual.
        await again.propose(enc.encode('after'));
        expect(sm.items).toEqual(['after']);
      } else {
        // Restored from the snapshot, then the log after it replayed.
        await waitFor(() => sm.items.at(-1) === 's44', 2_000, 'replay');
        expect(sm.items).toEqual(Array.from({ length: 45 }, (_, i) => `s${i}`));
      }
      await again.stop();
    }
  });

  it('survives a restart from its data dir (single-node mode)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftnode-'));
    dirs.push(dir);
    const cfg = {
      id: '127.0.0.1:1',
      peers: ['127.0.0.1:1'],
      dataDir: dir,
      snapshotThreshold: 20,
      trailingEntries: 3,
    };
    const net = new MemoryNetwork();
    const sm = new ListMachine();
    const node = new RaftNode({ ...cfg, ...fast, transport: net.transport(cfg.id) }, sm);
    await node.start();
    await waitFor(() => node.status().state === 'leader', 2_000, 'single-node leader');
    for (let i = 0; i < 45; i++) await node.propose(enc.encode(`s${i}`));
    await node.stop();
    await expect(node.propose(enc.encode('late'))).rejects.toBeInstanceOf(RaftStoppedError);
    const sm2 = new ListMachine();
    const again = new RaftNode({ ...cfg, ...fast, transport: net.transport(cfg.id) }, sm2);
    await again.start();
    running.push(again);
    await waitFor(() => again.status().state === 'leader', 2_000, 'leader after restart');
    await waitFor(() => sm2.items.length === 45, 2_000, 'replay');
    expect(sm2.items).toEqual(sm.items);
    await again.propose(enc.encode('more'));
    expect(sm2.items.at(-1)).toBe('more');
  });
});

describe('a one-member group on SingleNodeTransport', () => {
  it('elects itself and applies proposals without a network', async () => {
    const sm = new ListMachine();
    const node = new RaftNode(
      {
        id: 'solo',
        peers: ['solo'],
        storage: memoryStorage(),
        transport: new SingleNodeTransport('solo'),
        ...fast,
      },
      sm,
    );
    running.push(node);
    await node.start();
    const deadline = Date.now() + 5000;
    while (node.status().state !== 'leader' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(node.status().state).toBe('leader');
    expect(await node.propose(enc.encode('x'))).toMatch(/^x@\d+$/);
    expect(sm.items).toEqual(['x']);
  });
});
