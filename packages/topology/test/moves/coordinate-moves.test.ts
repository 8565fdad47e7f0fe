// Moves with plain binlog coordinates (replicas switched to MASTER_USE_GTID=no), done the
// reference's way: stop the siblings (or the master) and bring them to the same position first.
// A writer keeps inserting on the master during the moves; afterwards every server has every row.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoveRefusedError } from '../../src/moves/index.js';
import { expectReplicating, type Harness, harness, replicationShape } from './harness.js';

describe('binlog-coordinate moves on MariaDB', () => {
  let topology: Topology;
  let h: Harness;
  let M: number;
  let S1: number;
  let S2: number;
  let I: number;
  let R1: number;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2, chain: { intermediateReplicas: 1 } });
    h = harness(topology);
    M = topology.master;
    [S1, S2] = topology.replicas as [number, number];
    I = topology.intermediate as number;
    [R1] = topology.intermediateReplicas as [number];
    // Every replica must have read from its master before it switches to coordinates: a replica
    // that never connected has no coordinates to keep.
    await topology.waitForReplication(30_000);
    for (const p of topology.ports.filter((p) => p !== M)) {
      await topology.query(p, 'STOP SLAVE');
      await topology.query(p, 'CHANGE MASTER TO MASTER_USE_GTID=no');
      await topology.query(p, 'START SLAVE');
    }
    await topology.query(M, 'CREATE TABLE test.writes (id INT PRIMARY KEY)');
    await topology.waitForReplication(30_000);
  });

  afterAll(async () => {
    await h?.close();
    await topology?.destroy();
  });

  /** Runs `fn` while a writer inserts rows on the master; returns how many rows were written. */
  async function whileWriting(fn: () => Promise<unknown>): Promise<void> {
    const [row] = await topology.query<{ n: number }>(M, 'SELECT COALESCE(MAX(id), 0) AS n FROM test.writes');
    let id = Number(row?.n ?? 0);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 10_000; i++) {
        await topology.query(M, 'INSERT INTO test.writes VALUES (?)', [++id]);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await fn();
    } finally {
      writing = false;
      await writer;
    }
  }

  async function expectSameRows(): Promise<void> {
    const [m] = await topology.query<{ n: number }>(M, 'SELECT COUNT(*) AS n FROM test.writes');
    const want = Number(m?.n);
    expect(want).toBeGreaterThan(0);
    for (const p of topology.ports) {
      let n = -1;
      for (let i = 0; i < 200 && n !== want; i++) {
        const [r] = await topology.query<{ n: number }>(p, 'SELECT COUNT(*) AS n FROM test.writes');
        n = Number(r?.n);
        if (n !== want) await new Promise((r) => setTimeout(r, 50));
      }
      expect(n, `rows on ${p}`).toBe(want);
    }
  }

  async function usingGtid(port: number): Promise<string> {
    const [s] = await topology.query<{ Using_Gtid: string }>(port, 'SHOW SLAVE STATUS');
    return s?.Using_Gtid ?? '';
  }

  it('take-master swaps a replica with its intermediate master while the master takes writes', async () => {
    await whileWriting(async () => {
      const outcome = await h.moves.move(h.request('take-master', R1));
      expect(outcome.plan.method).toBe('binlog coordinates');
    });
    await expectReplicating(topology, R1, M);
    await expectReplicating(topology, I, R1);
    expect(await usingGtid(R1)).toBe('No');
    await expectSameRows();
  });

  it('move-up stops the master at a position and moves the replica to the grandmaster', async () => {
    await whileWriting(() => h.moves.move(h.request('move-up', I)));
    await expectReplicating(topology, I, M);
    await expectSameRows();
  });

  it('move-below brings two siblings to the same position first', async () => {
    await whileWriting(() => h.moves.move(h.request('move-below', S2, S1)));
    await expectReplicating(topology, S2, S1);
    expect(await usingGtid(S2)).toBe('No');
    await expectSameRows();
  });

  it('relocate picks binlog coordinates for moving up one level and below a sibling', async () => {
    await whileWriting(() => h.moves.move(h.request('relocate', S2, M)));
    await expectReplicating(topology, S2, M);
    const outcome = await h.moves.move(h.request('relocate', S2, R1));
    expect(outcome.plan.method).toBe('binlog coordinates');
    await expectReplicating(topology, S2, R1);
    await expectSameRows();
  });

  it('refuses what binlog coordinates cannot do, leaving the topology untouched', async () => {
    const before = await replicationShape(topology);
    const noMethod = await h.moves.move(h.request('relocate', S2, S1)).catch((e: unknown) => e);
    expect((noMethod as MoveRefusedError).refusal).toBe('NO_METHOD');
    const noGtid = await h.moves.move(h.request('move-below-gtid', S1, R1)).catch((e: unknown) => e);
    expect((noGtid as MoveRefusedError).refusal).toBe('NO_GTID');
    expect(await replicationShape(topology)).toEqual(before);
  });
});
