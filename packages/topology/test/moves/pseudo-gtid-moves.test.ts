// Moves by Pseudo-GTID on MariaDB replicating by binlog coordinates (MASTER_USE_GTID=no), with the
// reference's AutoPseudoGTID markers written on the master: match-below to a cousin (impossible by
// plain coordinates), relocate choosing Pseudo-GTID, regroup-replicas-pgtid, and the reference's
// refusal when PseudoGTIDPattern is not configured.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoveRefusedError } from '../../src/moves/index.js';
import {
  expectDataFlows,
  expectReplicating,
  type Harness,
  harness,
  key,
  replicationShape,
} from './harness.js';

describe('Pseudo-GTID moves on MariaDB (file:pos)', () => {
  let topology: Topology;
  let h: Harness;
  let plain: Harness;
  let M: number;
  let S1: number;
  let S2: number;
  let I: number;
  let R1: number;
  let markers = 0;

  const inject = async () => {
    markers++;
    await h.mysql.injectPseudoGtid(
      key(M),
      `${(0x60000000 + markers).toString(16)}:00000001:${String(markers).padStart(16, '0')}`,
    );
  };

  beforeAll(async () => {
    topology = await startMariaDBTopology({
      replicas: 2,
      chain: { intermediateReplicas: 1 },
      masterUseGtid: 'no',
    });
    h = harness(topology, undefined, {
      pseudoGtid: { AutoPseudoGTID: true, PseudoGTIDMatchTimeoutSeconds: 30 },
    });
    plain = harness(topology);
    M = topology.master;
    [S1, S2] = topology.replicas as [number, number];
    I = topology.intermediate as number;
    [R1] = topology.intermediateReplicas as [number];
    await topology.query(M, 'CREATE TABLE test.p (id INT PRIMARY KEY)');
    await inject();
    await topology.query(M, 'INSERT INTO test.p VALUES (1), (2)');
    await topology.waitForReplication(30_000);
  });

  afterAll(async () => {
    await h?.close();
    await plain?.close();
    await topology?.destroy();
  });

  it('without PseudoGTIDPattern: match-below is refused with the reference reason, nothing changes', async () => {
    const before = await replicationShape(topology);
    const refusal = await plain.moves
      .move(plain.request('match-below', R1, S1))
      .catch((e: MoveRefusedError) => e);
    expect((refusal as MoveRefusedError).refusal).toBe('NO_METHOD');
    expect((refusal as MoveRefusedError).message).toBe(
      'PseudoGTIDPattern not configured; cannot use Pseudo-GTID',
    );
    expect(await replicationShape(topology)).toEqual(before);
  });

  it('match-below: a replica of the intermediate master continues under a cousin', async () => {
    const outcome = await h.moves.move(h.request('match-below', R1, S1));
    expect(outcome.plan).toMatchObject({ method: 'Pseudo-GTID' });
    await expectReplicating(topology, R1, S1);
    expect(h.audit.some((a) => a.type === 'match-below' && /validated events: \d+/.test(a.message))).toBe(
      true,
    );
    await expectDataFlows(topology, M, [S1, R1, I]);
  });

  it('relocate chooses Pseudo-GTID for a cousin move', async () => {
    await inject();
    await topology.waitForReplication(30_000);
    const plan = await h.moves.plan(h.request('relocate', R1, I));
    expect(plan).toMatchObject({ possible: true, method: 'Pseudo-GTID' });
    await h.moves.move(h.request('relocate', R1, I));
    await expectReplicating(topology, R1, I);
    await expectDataFlows(topology, M, [R1]);
  });

  it('regroup-replicas-pgtid: the most advanced replica of the master takes its siblings', async () => {
    await inject();
    await topology.waitForReplication(30_000);
    const outcome = await h.moves.move(h.request('regroup-replicas-pgtid', M));
    const promoted = outcome.plan.target?.Port as number;
    expect([S1, S2, I]).toContain(promoted);
    expect(outcome.failed).toEqual([]);
    for (const p of [S1, S2, I].filter((x) => x !== promoted)) await expectReplicating(topology, p, promoted);
    await expectReplicating(topology, promoted, M);
    await expectDataFlows(topology, M, [S1, S2, I, R1]);
  });
});
