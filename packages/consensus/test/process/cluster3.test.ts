// A 3-node cluster of real processes over gRPC on loopback, driven through one scenario: election,
// 10k entries, kill -9 of the leader, catch-up from the log and by snapshot, a wiped voter rejoining
// under its old id, an empty data dir re-added, a non-member, and a corrupted entry on disk. Steps run in order and share the cluster.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcNode, waitFor } from './harness.js';

describe('3-node cluster of processes', () => {
  let c: ProcessCluster;
  let leader: ProcNode;

  beforeAll(async () => {
    c = await ProcessCluster.create({
      size: 3,
      extraArgs: ['--snapshot-threshold', '3000', '--trailing', '200'],
    });
    await c.startAll();
  });
  afterAll(async () => {
    await c?.destroy();
  });

  /** Waits until every running node has applied the same history as the leader. */
  async function converged(what: string, nodes = c.nodes.filter((n) => n.proc)): Promise<void> {
    await waitFor(
      async () => {
        const sts = await Promise.all(nodes.map((n) => c.status(n)));
        const first = sts[0];
        return (
          first &&
          first.applied > 0 &&
          sts.every((s) => s && s.applied === first.applied && s.chain === first.chain)
        );
      },
      20_000,
      what,
    );
  }

  async function bulk(n: number, prefix: string): Promise<void> {
    const res = await c.post(leader, `/bulk?n=${n}&concurrency=64&size=64&prefix=${prefix}`);
    expect(res.status).toBe(200);
    expect(res.body.n).toBe(n);
  }

  it('elects exactly one leader that every node knows', async () => {
    leader = await waitFor(() => c.leader(), 10_000, 'a leader');
    await waitFor(
      async () => (await Promise.all(c.nodes.map((n) => c.status(n)))).every((s) => s?.leader === leader.id),
      5_000,
      'every node to know the leader',
    );
  });

  it('replicates 10k entries identically to every node', async () => {
    await bulk(10_000, 'a');
    await converged('10k entries everywhere');
    const st = await c.status(leader);
    expect(st?.keys).toBe(10_000);
  });

  it('elects a new leader after kill -9 of the leader, and the restarted node catches up from the log', async () => {
    const before = await c.status(leader);
    const dead = leader;
    await c.kill9(dead);
    leader = await waitFor(() => c.leader([dead.id]), 10_000, 'a new leader');
    expect((await c.status(leader))?.term).toBeGreaterThan(before?.term ?? 0);
    await bulk(100, 'b');
    await c.start(dead);
    await converged('the restarted node to catch up');
    const st = await c.status(dead);
    expect(st?.installs).toBe(0);
    expect(st?.keys).toBe(10_100);
  });

  it('catches up a node that fell behind the compacted log with a snapshot', async () => {
    const follower = c.nodes.find((n) => n.proc && n.id !== leader.id) as ProcNode;
    await c.kill9(follower);
    await bulk(7_000, 'c');
    await c.start(follower);
    await converged('the lagging node to catch up');
    expect((await c.status(follower))?.installs).toBeGreaterThanOrEqual(1);
  });

  it('a voter whose data dir was wiped rejoins under its old id as a learner and is promoted once caught up', async () => {
    // Nothing but a restart: it may have voted in the current term and acknowledged entries it no
    // longer holds, so it neither votes nor counts until the leader promotes its new incarnation.
    const follower = c.nodes.find((n) => n.proc && n.id !== leader.id) as ProcNode;
    await c.kill9(follower);
    rmSync(follower.dataDir, { recursive: true, force: true });
    await c.start(follower);
    await converged('the wiped voter to catch up');
    await waitFor(
      async () => (await c.status(follower))?.recovering === false,
      10_000,
      'the leader to promote it again',
    );
    const st = await c.status(follower);
    expect(st?.installs).toBeGreaterThanOrEqual(1);
    expect(st?.keys).toBe(17_100);
    expect((await c.status(leader))?.members.length).toBe(3);
    expect((await c.status(leader))?.learners).toEqual([]);
    // The leader noticed (a warning, even with --quiet) and demoted it before promoting it again.
    expect(leader.stderr).toMatch(/raft: roleChangeProposed.*"reason":"lostState"/);
  });

  it('catches up a node with an empty data dir (removed, wiped, re-added) with a snapshot', async () => {
    // The procedure for a node that is gone for good: remove it, wipe it, add it back (as a learner
    // that the leader promotes once caught up).
    const follower = c.nodes.find((n) => n.proc && n.id !== leader.id) as ProcNode;
    await c.kill9(follower);
    expect((await c.post(leader, `/remove?id=${follower.id}`)).status).toBe(200);
    rmSync(follower.dataDir, { recursive: true, force: true });
    await c.start(follower);
    expect((await c.post(leader, `/add?id=${follower.id}`)).status).toBe(200);
    await converged('the wiped node to catch up');
    const st = await c.status(follower);
    expect(st?.installs).toBeGreaterThanOrEqual(1);
    expect(st?.keys).toBe(17_100);
    expect(st?.members.length).toBe(3);
  });

  it('refuses a non-member, whose messages do not disturb the term', async () => {
    const before = await c.status(leader);
    const outsider = await c.outsider();
    await c.start(outsider, [outsider.id, ...c.peers]);
    // Three election timeouts at the default timing: the outsider campaigns repeatedly meanwhile.
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await c.status(leader);
    expect(after?.state).toBe('leader');
    expect(after?.term).toBe(before?.term);
    expect((await c.status(outsider))?.leader).toBe('');
    const members = c.nodes.filter((n) => n.proc && n !== outsider);
    expect(members.some((n) => n.stderr.includes('refusedNonMember'))).toBe(true);
    await c.kill9(outsider);
  });

  it('detects a corrupted entry on disk at restart, naming the file and index', async () => {
    await bulk(50, 'zz');
    await converged(
      'the last writes everywhere',
      c.nodes.filter((n) => n.proc),
    );
    const follower = c.nodes.find((n) => n.proc && n.id !== leader.id) as ProcNode;
    await c.stop(follower); // graceful: the WAL is checkpointed into raft.db
    const file = join(follower.dataDir, 'raft.db');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('zz25='));
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt8(bytes.readUInt8(at + 6) ^ 0x20, at + 6);
    writeFileSync(file, bytes);
    const { code, stderr } = await c.startExpectingFailure(follower);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`corrupt raft log entry at index \\d+ in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });
});
