// RaftService's strict reconfiguration over real RaftNodes on the in-memory network: a change that
// leaves fewer reachable voters than a quorum is refused, naming why; `force` overrides it.
import {
  type Entry,
  MemoryLogStore,
  MemoryNetwork,
  MemorySnapshotStore,
  MemoryStableStore,
  RaftNode,
  type StateMachine,
} from '@orchestrator/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { MembershipChangeRefusedError } from './reconfiguration.js';
import { RaftService } from './service.js';

const noop: StateMachine = {
  apply: (_e: Entry) => undefined,
  snapshot: async () => new Uint8Array(),
  restore: async () => {},
};

const fast = { tickMs: 10, electionTicks: 10, heartbeatTicks: 2, requestTimeoutMs: 3_000 } as const;
const IDS = ['a:1', 'b:1', 'c:1'];
const nodes: RaftNode[] = [];

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

async function cluster() {
  const net = new MemoryNetwork();
  const byId = new Map<string, RaftNode>();
  for (const id of IDS) {
    const node = new RaftNode(
      {
        id,
        peers: IDS,
        storage: {
          log: new MemoryLogStore(),
          stable: new MemoryStableStore(),
          snapshots: new MemorySnapshotStore(3),
        },
        transport: net.transport(id),
        ...fast,
      },
      noop,
    );
    await node.start();
    nodes.push(node);
    byId.set(id, node);
  }
  const leader = await waitFor(() => [...byId.values()].find((n) => n.status().state === 'leader'));
  const service = new RaftService(leader, {
    raftBind: leader.id,
    raftAdvertise: leader.id,
    defaultRaftPort: 1,
    leaderURI: () => '',
    peerReachableWaitMs: 200,
    reachableWithinMs: 200,
  });
  const followers = IDS.filter((id) => id !== leader.id);
  return { net, leader, service, followers };
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RaftService strict reconfiguration', () => {
  it('refuses to remove a healthy voter while another is down, and says why; force removes it', async () => {
    const { net, leader, service, followers } = await cluster();
    const [up, down] = followers as [string, string];
    net.isolate(down);
    await waitFor(() => service.membershipView().reachable.length === 2);
    const err = await service.removePeer(up).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MembershipChangeRefusedError);
    expect((err as MembershipChangeRefusedError).message).toContain(
      `raft-remove-peer ${up} refused: the membership would have 2 voters, which need 2 for a quorum, but only 1 is reachable (not reachable: ${down})`,
    );
    expect((err as MembershipChangeRefusedError).details).toMatchObject({
      Quorum: 2,
      ReachableVoters: [leader.id],
    });
    expect(leader.status().members).toHaveLength(3);
    // Removing the one that is down keeps a quorum: allowed.
    await expect(service.removePeer(down)).resolves.toBe(down);
    expect([...leader.status().members].sort()).toEqual([leader.id, up].sort());
  });

  it('force removes a healthy voter anyway: the cluster then needs the one that is down to commit', async () => {
    const { net, leader, service, followers } = await cluster();
    const [up, down] = followers as [string, string];
    net.isolate(down);
    await waitFor(() => service.membershipView().reachable.length === 2);
    const removal = service.removePeer(up, { force: true });
    // The change takes effect when appended; it commits only once `down` is back.
    await waitFor(() => !leader.status().members.includes(up));
    expect([...leader.status().members].sort()).toEqual([leader.id, down].sort());
    expect(leader.status().commit).toBeLessThan(leader.status().lastIndex);
    net.heal();
    await expect(removal).resolves.toBe(up);
  });

  it('refuses to add a peer whose raft port does not answer; force adds it as a learner that never counts', async () => {
    const { leader, service } = await cluster();
    const nobody = '127.0.0.1:9';
    await expect(service.addPeer(nobody)).rejects.toThrow(`raft peer ${nobody} is not reachable`);
    await expect(service.addPeer(nobody, { force: true })).resolves.toBe(nobody);
    expect(leader.status()).toMatchObject({ learners: [nobody] });
    expect(leader.status().members).toHaveLength(3);
    expect(service.membershipView().reachable).toHaveLength(3);
    // A learner is removed without any check.
    await expect(service.removePeer(nobody)).resolves.toBe(nobody);
    expect(leader.status().learners).toEqual([]);
  });

  it('a member already there, or not there, is a no-op', async () => {
    const { service, followers } = await cluster();
    await expect(service.addPeer(followers[0] as string)).resolves.toBe(followers[0]);
    await expect(service.removePeer('z:1')).resolves.toBe('z:1');
  });
});
