// Intermediate master death in a chain, leadership lost mid-recovery (and resumed by a new leader),
// and hooks with placeholders and environment, against real MariaDB servers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  replicateFrom,
  startMariaDBTopology,
  type Topology,
  type TopologyOptions,
} from '@orchestrator/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, k, slaveStatus, trail } from './harness.js';

let topology: Topology | undefined;
const orcs: FakeOrchestrator[] = [];
const dir = mkdtempSync(join(tmpdir(), 'recovery-e2e-'));

afterEach(async () => {
  for (const o of orcs.splice(0)) await o.close();
  await topology?.destroy();
  topology = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(opts: TopologyOptions) {
  topology = await startMariaDBTopology(opts);
  await grantReadOnlyAdmin(topology);
  await topology.query(topology.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
  await topology.query(topology.master, 'INSERT INTO test.t VALUES (1)');
  await topology.waitForReplication();
  return topology;
}

async function replicatingFrom(t: Topology, replica: number, master: number) {
  await eventually(async () => {
    const s = await slaveStatus(t, replica);
    return (
      s && Number(s.Master_Port) === master && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes'
    );
  });
}

describe('DeadIntermediateMaster in a chain (master → intermediate → 2 replicas)', () => {
  it('moves the orphaned replicas up under the master', async () => {
    const t = await start({ replicas: 0, chain: { intermediateReplicas: 2 } });
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    const im = t.intermediate as number;
    await t.kill9(im);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(im, 'DeadIntermediateMaster')]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[0]).toMatchObject({
      IsSuccessful: true,
      SuccessorKey: k(t.master),
      Type: 'IntermediateMasterRecovery',
    });
    for (const r of t.intermediateReplicas) await replicatingFrom(t, r, t.master);
    await t.query(t.master, 'INSERT INTO test.t VALUES (2)');
    for (const r of t.intermediateReplicas)
      await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = 2')).length === 1);
  });
});

describe('leadership lost mid-recovery', () => {
  it('stops before the next MySQL step; a new leader resumes the recovery', async () => {
    const t = await start({ replicas: 2 });
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    // Leadership goes away right after the candidate is chosen, before the promotion.
    o.onPublish = (op, value) => {
      if (
        op === 'write-recovery-step' &&
        /^regrouping by .*: candidate /.test(String((value as { Message: string }).Message))
      )
        o.leader = false;
    };
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome).toMatchObject({ outcome: 'failed' });
    if (outcome?.outcome !== 'failed') throw new Error('unexpected');
    expect(outcome.recovery.AllErrors.join('\n')).toMatch(/leadership lost before step/);
    // Nothing was promoted: both replicas still read-only and still pointing at the dead master.
    for (const r of t.replicas) {
      expect(Number((await t.query(r, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(1);
      expect(Number((await slaveStatus(t, r))?.Master_Port)).toBe(t.master);
    }
    expect(o.ops('resolve-recovery')).toEqual([]);
    const interrupted = [...o.recoveries.values()];
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]?.RecoveryEndTimestamp).toBe('');

    // A new leader (another node) inherits the replicated state and resumes.
    const n = new FakeOrchestrator(t, {}, { hostname: 'orc-other', token: 'token-2' });
    orcs.push(n);
    n.snapshot = o.snapshot;
    for (const [uid, r] of o.recoveries) n.recoveries.set(uid, { ...r });
    const results = await n.engine.resumeInterruptedRecoveries();
    expect(results).toHaveLength(1);
    expect(results[0]?.decision.action).toBe('resume');
    expect(results[0]?.resumed, trail(n)).toMatchObject({ IsSuccessful: true });
    const old = n.recoveries.get(interrupted[0]?.UID as string);
    expect(old).toMatchObject({ IsSuccessful: false, Acknowledged: true });
    expect(old?.RecoveryEndTimestamp).not.toBe('');
    expect(n.steps.some((s) => s.uid === old?.UID && /interrupted/.test(s.message))).toBe(true);
    const successor = results[0]?.resumed?.SuccessorKey?.Port as number;
    const other = t.replicas.find((p) => p !== successor) as number;
    await replicatingFrom(t, other, successor);
    // Nothing left running: a second pass finds nothing to resume.
    expect(await n.engine.resumeInterruptedRecoveries()).toEqual([]);
  });
});

describe('DeadCoMaster (A ⇄ B co-masters, A writable)', () => {
  it('promotes the other co-master: replication from the dead one removed, writable', async () => {
    const t = await start({ replicas: 1 });
    const a = t.master;
    const b = t.replicas[0] as number;
    await replicateFrom(t.server(a), b);
    await t.query(a, 'SET GLOBAL read_only = 0');
    await replicatingFrom(t, a, b);
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    await t.kill9(b);
    const e = {
      ...o.deadMasterEntry(b, 'DeadCoMaster'),
      IsMaster: false,
      IsCoMaster: true,
      AnalyzedInstanceMasterKey: k(a),
    };
    const [outcome] = await o.engine.onAnalysis([e]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[0]).toMatchObject({ SuccessorKey: k(a), Type: 'CoMasterRecovery' });
    expect(await slaveStatus(t, a)).toBeUndefined();
    expect(Number((await t.query(a, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
  });
});

describe('stale analysis', () => {
  it('refuses an automated DeadMaster recovery when the master answers and is writable', async () => {
    const t = await start({ replicas: 2 });
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome).toMatchObject({ outcome: 'failed' });
    expect(o.steps.some((s) => /answers and is writable again/.test(s.message))).toBe(true);
    for (const r of t.replicas) await replicatingFrom(t, r, t.master);
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
  });
});

describe('hooks during a real failover', () => {
  it('run with the right placeholders and ORC_* environment; a failing PreFailoverProcesses aborts', async () => {
    const t = await start({ replicas: 2 });
    const out = join(dir, 'hooks.log');
    const o = new FakeOrchestrator(t, {
      OnFailureDetectionProcesses: [`echo "detect {failureType} {failedPort}" >> ${out}`],
      PreFailoverProcesses: [
        `echo "pre {failedHost}:{failedPort} $ORC_FAILURE_CLUSTER_ALIAS {countReplicas}" >> ${out}`,
      ],
      PostMasterFailoverProcesses: [
        `echo "postmaster {successorPort} $ORC_SUCCESSOR_PORT {isSuccessful}" >> ${out}`,
      ],
      PostFailoverProcesses: [`echo "post {recoveryUID} $ORC_RECOVERY_UID" {lostReplicas} x >> ${out}`],
    });
    orcs.push(o);
    await o.takeSnapshot();
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    if (outcome?.outcome !== 'recovered') throw new Error('unexpected');
    const { UID, SuccessorKey } = outcome.recovery;
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual([
      `detect DeadMaster ${t.master}`,
      `pre 127.0.0.1:${t.master} main 2`,
      `postmaster ${SuccessorKey?.Port} ${SuccessorKey?.Port} true`,
      `post ${UID} ${UID}  x`,
    ]);
    expect(o.ops('register-failure-detection')).toHaveLength(1);
    expect(o.steps.filter((s) => /Processes: .*exit code 0/.test(s.message))).toHaveLength(4);

    // A second, independent topology event with a failing PreFailoverProcesses: nothing changes.
    const failing = new FakeOrchestrator(
      t,
      { PreFailoverProcesses: ['exit 3'] },
      { hostname: 'orc-b', token: 'b' },
    );
    orcs.push(failing);
    failing.snapshot = o.snapshot;
    const other = t.replicas.find((p) => p !== SuccessorKey?.Port) as number;
    const entry = {
      ...failing.deadMasterEntry(t.master),
      ClusterDetails: { ClusterName: 'other', ClusterAlias: '', ClusterDomain: '' },
    };
    const before = await slaveStatus(t, other);
    const recovery = await failing.engine.recover(entry);
    expect(recovery.IsSuccessful).toBe(false);
    expect(recovery.AllErrors.join()).toMatch(/PreFailoverProcesses failed/);
    expect(failing.steps.some((s) => /PreFailoverProcesses: exit 3: exit code 3/.test(s.message))).toBe(true);
    expect((await slaveStatus(t, other))?.Master_Port).toBe(before?.Master_Port);
  });
});
