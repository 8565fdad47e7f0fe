// A 5-node cluster of real processes: election, replication, and failover with two nodes down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcNode, waitFor } from './harness.js';

describe('5-node cluster of processes', () => {
  let c: ProcessCluster;
  beforeAll(async () => {
    c = await ProcessCluster.create({ size: 5 });
    await c.startAll();
  });
  afterAll(async () => {
    await c?.destroy();
  });

  it('elects a leader, replicates, and survives losing the leader and one more node', async () => {
    let leader: ProcNode = await waitFor(() => c.leader(), 10_000, 'a leader');
    const res = await c.post(leader, '/bulk?n=2000&concurrency=32&size=64&prefix=f');
    expect(res.status).toBe(200);
    const first = await c.status(leader);
    await c.kill9(leader);
    const dead = [leader.id];
    leader = await waitFor(() => c.leader(dead), 10_000, 'a new leader');
    // Then lose one more (a follower): three of five remain, still a quorum.
    const other = c.nodes.find((n) => n.proc && n.id !== leader.id) as ProcNode;
    await c.kill9(other);
    dead.push(other.id);
    leader = await waitFor(() => c.leader(dead), 10_000, 'a leader with three of five');
    expect((await c.status(leader))?.term).toBeGreaterThan(first?.term ?? 0);
    const more = await c.post(leader, '/bulk?n=500&concurrency=16&size=64&prefix=g');
    expect(more.status).toBe(200);
    let last: unknown;
    await waitFor(
      async () => {
        const sts = await Promise.all(c.nodes.filter((n) => n.proc).map((n) => c.status(n)));
        last = sts.map(
          (s) =>
            s && {
              id: s.id,
              state: s.state,
              term: s.term,
              leader: s.leader,
              commit: s.commit,
              applied: s.applied,
              keys: s.keys,
            },
        );
        return sts.length === 3 && sts.every((s) => s?.keys === 2500 && s.chain === sts[0]?.chain);
      },
      15_000,
      'the survivors to agree',
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
  });
});
