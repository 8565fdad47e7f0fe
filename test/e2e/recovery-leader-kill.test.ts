// Recovery and raft leadership through 3-node daemon clusters on real MariaDB: the raft leader
// killed (kill -9) in the middle of a master recovery never leaves the cluster blocked (a new
// leader closes the interrupted recovery and finishes the failover), and hooks receive the right
// placeholders and ORC_* environment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  type AuditedRecovery,
  everyNodeRecords,
  readOnly,
  recoveriesOf,
  recoveryOf,
  stepsOf,
  waitForInstances,
  waitReplicatingFrom,
  waitRowCount,
} from '../src/recovery-helpers.js';

/** Kills hook shells a killed daemon left behind (they record their pid first). */
function killRecordedPids(file: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const pid of text
    .split('\n')
    .map(Number)
    .filter((p) => p > 0)) {
    try {
      // Only a hook shell of ours: its command line names the pid file (pids get reused).
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file)) continue;
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('the raft leader killed in the middle of a master recovery', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let dir: string;
  let hookLog: string;
  let hookPids: string;

  beforeAll(async () => {
    dir = makeTempDir('leader-kill-hooks');
    hookLog = join(dir, 'pre-failover.log');
    hookPids = join(dir, 'pids');
    topology = await startMariaDBTopology({ replicas: 2 });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: (i) => ({
        ...topologyConfig(topology, 1),
        // Runs inside the recovery, after its registration and before any MySQL change: the
        // leader is killed while it sleeps.
        PreFailoverProcesses: [
          `echo $$ >> ${hookPids}; echo "node${i} {recoveryUID} $ORC_ORCHESTRATOR_HOST" >> ${hookLog}; sleep 3`,
        ],
      }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
    if (hookPids) killRecordedPids(hookPids);
    if (dir) removeTempDir(dir);
  });

  it('a new leader closes the interrupted recovery and finishes the failover; every node agrees', async () => {
    await topology.query(topology.master, 'CREATE TABLE test.lk (id INT PRIMARY KEY)');
    await topology.query(topology.master, 'INSERT INTO test.lk VALUES (1)');
    await topology.waitForReplication();
    await topology.kill9(topology.master);

    // The recovery is registered and its PreFailoverProcesses hook is sleeping on the leader.
    const [first] = await eventually('the leader to start the recovery hook', async () => {
      const l = lines(hookLog);
      return l.length > 0 ? l : undefined;
    });
    const [hookNode, interruptedUid, orchestratorHost] = first!.split(' ');
    // The node running it is the leader (normally the one found above; a loaded machine may have
    // moved leadership since): that is the node killed.
    const running = cluster.node(Number(hookNode!.replace('node', '')));
    expect(orchestratorHost).toBe(running.raftAddress);
    await running.process.kill9();

    const survivors = cluster.nodes.filter((n) => n !== running);
    const next = await cluster.waitForLeader();
    expect(survivors).toContain(next);

    const finished = await recoveryOf(next, topology.master, (r) => r.IsSuccessful, 40_000);
    const successor = finished.SuccessorKey!.Port;
    expect(topology.replicas).toContain(successor);
    const other = topology.replicas.find((p) => p !== successor)!;

    // The interrupted recovery is closed: failed, ended, acknowledged, with a step that says why.
    const audit = (await next.get<AuditedRecovery[]>('audit-recovery')).body;
    const interrupted = audit.find((r) => r.UID === interruptedUid);
    expect(interrupted, JSON.stringify(audit)).toMatchObject({ IsSuccessful: false, Acknowledged: true });
    expect(interrupted?.RecoveryEndTimestamp).not.toBe('');
    expect(stepsOf(next, interruptedUid!).some((m) => /interrupted/.test(m))).toBe(true);
    // The new leader resumed it (rather than waiting, or the analysis loop racing it).
    const ofMaster = audit.filter((r) => r.AnalysisEntry.AnalyzedInstanceKey.Port === topology.master);
    expect(
      ofMaster.some((r) => stepsOf(next, r.UID)[0] === `resuming interrupted recovery ${interruptedUid}`),
    ).toBe(true);
    // One recovery did the job; every other one (normally just the interrupted one; more only if a
    // loaded machine made a leader stop again) is closed and acknowledged: nothing blocks the cluster.
    expect(ofMaster.filter((r) => r.IsSuccessful)).toHaveLength(1);
    for (const r of ofMaster.filter((x) => !x.IsSuccessful))
      expect(r, JSON.stringify(r)).toMatchObject({
        Acknowledged: true,
        RecoveryEndTimestamp: expect.any(String),
      });
    expect(ofMaster.every((r) => r.RecoveryEndTimestamp !== '')).toBe(true);

    // The topology is whole again.
    expect(await readOnly(topology, successor)).toBe(0);
    await waitReplicatingFrom(topology, other, successor);
    await topology.query(successor, 'INSERT INTO test.lk VALUES (2)');
    await waitRowCount(topology, other, 'test.lk', 2);

    // Every surviving node's own backend holds the same recoveries, in the same state.
    const perNode = await everyNodeRecords(
      survivors,
      'the same recoveries, ended',
      (rows) =>
        rows.length === ofMaster.length &&
        rows.every((r) => r.ended) &&
        rows.filter((r) => r.successful).length === 1,
    );
    for (const rows of perNode) expect(rows).toEqual(perNode[0]);
    // The killed node, started again, catches up to the same records.
    running.process.start();
    const [rejoined] = await everyNodeRecords(
      [running],
      'the same recoveries after restarting',
      (rows) => rows.length === ofMaster.length && rows.every((r) => r.ended),
      20_000,
    );
    expect(rejoined).toEqual(perNode[0]);
    expect(recoveriesOf(next).find((r) => r.successful)?.successorPort).toBe(successor);
  });
});

describe('hooks of an automated master failover, through the daemon', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let dir: string;
  const lists = [
    'OnFailureDetectionProcesses',
    'PreFailoverProcesses',
    'PostMasterFailoverProcesses',
    'PostFailoverProcesses',
  ] as const;
  const placeholders = [
    'failureType',
    'instanceType',
    'isMaster',
    'command',
    'failedHost',
    'failedPort',
    'failureCluster',
    'countReplicas',
    'replicaHosts',
    'lostReplicas',
    'countLostReplicas',
    'isSuccessful',
    'autoMasterRecovery',
    'orchestratorHost',
    'recoveryUID',
    'successorHost',
    'successorPort',
  ];

  beforeAll(async () => {
    dir = makeTempDir('hooks');
    topology = await startMariaDBTopology({ replicas: 2 });
    // Each hook appends its placeholders as name=value words to <list>.log and its ORC_* environment to <list>.env.
    const hookConfig = Object.fromEntries(
      lists.map((list) => [
        list,
        [
          `echo ${placeholders.map((p) => `${p}={${p}}`).join(' ')} >> ${join(dir, `${list}.log`)}`,
          `env | grep ^ORC_ | sort > ${join(dir, `${list}.env`)}`,
        ],
      ]),
    );
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({ ...topologyConfig(topology, 1), ...hookConfig }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
    if (dir) removeTempDir(dir);
  });

  const words = (line: string): Record<string, string> =>
    Object.fromEntries(
      line.split(' ').map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] as const),
    );
  const envOf = (list: string): Record<string, string> =>
    Object.fromEntries(
      lines(join(dir, `${list}.env`)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('every hook list runs once with the failure, the successor and the recovery in placeholders and ORC_*', async () => {
    const master = topology.master;
    await topology.kill9(master);
    const recovery = await recoveryOf(leader, master, (r) => r.IsSuccessful);
    const successor = recovery.SuccessorKey!.Port;
    await eventually('PostFailoverProcesses to have run', async () =>
      lines(join(dir, 'PostFailoverProcesses.env')).length > 0 ? true : undefined,
    );

    const failure = {
      failureType: 'DeadMaster',
      instanceType: 'master',
      isMaster: 'true',
      command: '', // automated recoveries have no command
      failedHost: '127.0.0.1',
      failedPort: String(master),
      failureCluster: `127.0.0.1:${master}`,
      countReplicas: '2',
      autoMasterRecovery: 'true',
      orchestratorHost: recovery.ProcessingNodeHostname,
    };
    const [detection] = lines(join(dir, 'OnFailureDetectionProcesses.log'));
    expect(lines(join(dir, 'OnFailureDetectionProcesses.log'))).toHaveLength(1);
    expect(words(detection!)).toMatchObject({ ...failure, isSuccessful: 'false' });

    // (Only the successful recovery's run: a loaded machine may have stopped and resumed one.)
    const pre = lines(join(dir, 'PreFailoverProcesses.log')).find(
      (l) => words(l).recoveryUID === recovery.UID,
    );
    // Before the promotion there is no successor: its placeholders stay as written.
    expect(words(pre!)).toMatchObject({
      ...failure,
      recoveryUID: recovery.UID,
      isSuccessful: 'false',
      successorHost: '{successorHost}',
      successorPort: '{successorPort}',
    });
    const replicaHosts = (v: string) => v.split(',').sort();
    expect(replicaHosts(words(pre!).replicaHosts!)).toEqual(
      topology.replicas.map((p) => `127.0.0.1:${p}`).sort(),
    );

    for (const list of ['PostMasterFailoverProcesses', 'PostFailoverProcesses']) {
      const all = lines(join(dir, `${list}.log`));
      expect(all, list).toHaveLength(1);
      expect(words(all[0]!), list).toMatchObject({
        ...failure,
        recoveryUID: recovery.UID,
        isSuccessful: 'true',
        successorHost: '127.0.0.1',
        successorPort: String(successor),
        lostReplicas: '',
        countLostReplicas: '0',
      });
      const env = envOf(list);
      expect(env, list).toMatchObject({
        ORC_FAILURE_TYPE: 'DeadMaster',
        ORC_INSTANCE_TYPE: 'master',
        ORC_IS_MASTER: 'true',
        ORC_FAILED_HOST: '127.0.0.1',
        ORC_FAILED_PORT: String(master),
        ORC_FAILURE_CLUSTER: `127.0.0.1:${master}`,
        ORC_COUNT_REPLICAS: '2',
        ORC_IS_SUCCESSFUL: 'true',
        ORC_AUTO_MASTER_RECOVERY: 'true',
        ORC_ORCHESTRATOR_HOST: recovery.ProcessingNodeHostname,
        ORC_RECOVERY_UID: recovery.UID,
        ORC_SUCCESSOR_HOST: '127.0.0.1',
        ORC_SUCCESSOR_PORT: String(successor),
        ORC_LOST_REPLICAS: '',
      });
      expect(env.ORC_SUCCESSOR_BINLOG_COORDINATES, list).toMatch(/^\S+\.\d+:\d+$/);
      expect(env.ORC_FAILURE_DESCRIPTION, list).not.toBe('');
      expect(replicaHosts(env.ORC_REPLICA_HOSTS ?? '')).toEqual(replicaHosts(words(pre!).replicaHosts!));
    }

    // Every hook run is a recovery step, with its exit code (recorded once its list is done).
    for (const list of ['PreFailoverProcesses', 'PostMasterFailoverProcesses', 'PostFailoverProcesses'])
      await eventually(`both ${list} runs in the recovery steps`, async () =>
        stepsOf(leader, recovery.UID).filter((m) => m.startsWith(`${list}:`) && m.includes('exit code 0'))
          .length === 2
          ? true
          : undefined,
      );
  });
});
