// DeadMaster on MariaDB topologies replicating by binlog file:pos (MASTER_USE_GTID=no), through a
// 3-node daemon cluster: kill -9 of the master of a 1+2 promotes a replica and the other follows it;
// in a 1+3 with one replica behind the others, the others are regrouped and the one behind is lost
// with its reason — or, with AutoPseudoGTID, matched below the promoted replica by Pseudo-GTID.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  everyNodeRecords,
  oneSuccessfulRecovery,
  readOnly,
  recoveryOf,
  slaveStatus,
  stepsOf,
  waitForInstances,
  waitRowCount,
} from '../src/recovery-helpers.js';

async function start(replicas: number, extra: Record<string, unknown> = {}) {
  const topology = await startMariaDBTopology({ replicas, masterUseGtid: 'no' });
  const cluster = await OrchestratorCluster.start({
    nodes: 3,
    config: () => ({ ...topologyConfig(topology, 1), ...extra }),
  });
  const leader = await cluster.waitForLeader();
  await waitForInstances(leader, topology.master, replicas + 1);
  await topology.query(topology.master, 'CREATE TABLE test.fp (id INT PRIMARY KEY)');
  await topology.query(topology.master, 'INSERT INTO test.fp VALUES (1)');
  await topology.waitForReplication();
  await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up
  return { topology, cluster, leader };
}

async function followsByCoordinates(topology: Topology, replica: number, master: number) {
  await eventually(`${replica} to replicate from ${master} by coordinates`, async () => {
    const s = await slaveStatus(topology, replica);
    return s?.Master_Port === master &&
      s.Using_Gtid === 'No' &&
      s.Slave_IO_Running === 'Yes' &&
      s.Slave_SQL_Running === 'Yes'
      ? true
      : undefined;
  });
}

describe('file:pos 1+2: kill -9 of the master', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    ({ topology, cluster, leader } = await start(2));
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('promotes a replica; the other follows it by coordinates and receives its writes', async () => {
    await topology.kill9(topology.master);
    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    expect(recovery.AnalysisEntry.Analysis).toBe('DeadMaster');
    expect(recovery.LostReplicas ?? [], stepsOf(leader, recovery.UID).join('\n')).toEqual([]);
    const successor = recovery.SuccessorKey?.Port as number;
    const other = topology.replicas.find((p) => p !== successor) as number;
    expect(await readOnly(topology, successor)).toBe(0);
    expect(stepsOf(leader, recovery.UID).join('\n')).toMatch(/regrouping by binlog coordinates/);
    await followsByCoordinates(topology, other, successor);
    await topology.query(successor, 'INSERT INTO test.fp VALUES (2)');
    await waitRowCount(topology, other, 'test.fp', 2);
    await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
  });
});

describe('file:pos 1+3 with one replica behind', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    ({ topology, cluster, leader } = await start(3));
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('regroups the replicas at the newest position; the one behind is lost with its reason', async () => {
    const [behind, ...ahead] = topology.replicas as [number, ...number[]];
    await topology.query(behind, 'STOP SLAVE IO_THREAD');
    await topology.query(topology.master, 'INSERT INTO test.fp VALUES (10)');
    for (const r of ahead) await waitRowCount(topology, r, 'test.fp', 2);
    await topology.kill9(topology.master);
    await topology.query(behind, 'START SLAVE IO_THREAD'); // nothing to connect to any more

    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    const steps = stepsOf(leader, recovery.UID).join('\n');
    const successor = recovery.SuccessorKey?.Port as number;
    expect(ahead, steps).toContain(successor);
    expect(recovery.LostReplicas?.map((k) => k.Port)).toEqual([behind]);
    expect(steps).toContain(
      `lost 127.0.0.1:${behind} (behind the candidate, and neither GTID nor Pseudo-GTID can place it)`,
    );
    const other = ahead.find((p) => p !== successor) as number;
    await followsByCoordinates(topology, other, successor);
    await topology.query(successor, 'INSERT INTO test.fp VALUES (11)');
    await waitRowCount(topology, other, 'test.fp', 3);
    // The lost replica is detached (master host prefixed with //) and downtimed, as the reference does.
    expect(String((await slaveStatus(topology, behind))?.Master_Host)).toMatch(/^\/\//);
    await eventually('the lost replica to show as downtimed', async () => {
      const r = await leader.get<{ IsDowntimed: boolean; DowntimeReason: string }>(
        `instance/127.0.0.1/${behind}`,
      );
      return r.body?.IsDowntimed ? r.body : undefined;
    });
  });
});

describe('file:pos 1+3 with one replica behind, AutoPseudoGTID', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    ({ topology, cluster, leader } = await start(3, { AutoPseudoGTID: true, PseudoGTIDIntervalSeconds: 1 }));
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  /** The newest Pseudo-GTID entry in `port`'s binlogs, through the API. */
  const lastEntry = async (port: number) => {
    const r = await leader.get<{ Code: string; Details: string }>(`last-pseudo-gtid/127.0.0.1/${port}`);
    return r.body.Code === 'OK' ? r.body.Details : undefined;
  };

  it('matches the replica behind below the promoted one: nobody is lost', async () => {
    const [behind, ...ahead] = topology.replicas as [number, ...number[]];
    const first = await eventually('a Pseudo-GTID entry on the replica', () => lastEntry(behind));
    expect(first).toMatch(
      /^drop view if exists `_pseudo_gtid_`\.`_asc:[0-9a-f]{8}:[0-9a-f]{8}:[0-9a-f]{16}`$/,
    );
    await topology.query(behind, 'STOP SLAVE IO_THREAD');
    await topology.query(topology.master, 'INSERT INTO test.fp VALUES (10)');
    for (const r of ahead) await waitRowCount(topology, r, 'test.fp', 2);
    await topology.kill9(topology.master);
    await topology.query(behind, 'START SLAVE IO_THREAD');

    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    const steps = stepsOf(leader, recovery.UID).join('\n');
    const successor = recovery.SuccessorKey?.Port as number;
    expect(ahead, steps).toContain(successor);
    expect(recovery.LostReplicas ?? [], steps).toEqual([]);
    expect(steps).toMatch(
      new RegExp(`matched 127\\.0\\.0\\.1:${behind} below 127\\.0\\.0\\.1:${successor} by Pseudo-GTID`),
    );
    await topology.query(successor, 'INSERT INTO test.fp VALUES (11)');
    for (const r of topology.replicas.filter((p) => p !== successor)) {
      await followsByCoordinates(topology, r, successor);
      await waitRowCount(topology, r, 'test.fp', 3);
    }
  });
});
