// Real failures, not only crashes: MariaDB servers and three orchestrator nodes on hosts of their own
// (network namespaces), an application writing rows throughout. A master that hangs or whose
// packets vanish is recovered, with what a DBA would check afterwards; a master that is alive is
// never failed over, whoever loses sight of it; a data-centre isolation is recovered by the majority
// only; a leader lost mid-recovery does not leave the cluster half-recovered; a replica whose SQL
// thread is behind is promoted (or not) as the reference's settings say, losing nothing.
//
// Needs root and `ip netns`: without them every case fails with a message saying so.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../src/cluster.js';
import {
  dbaChecks,
  FailureLab,
  type FailureLabOptions,
  oldMasterUntouched,
  recoveries,
  waitForRecovery,
  watchAnalysis,
} from '../src/failure-lab.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let fl: FailureLab | undefined;
afterEach(async () => {
  await fl?.destroy();
  fl = undefined;
});

async function startLab(options: FailureLabOptions = {}): Promise<FailureLab> {
  fl = await FailureLab.start(options);
  fl.writer.start();
  fl.watcher.start();
  await sleep(1500); // rows flowing, past the recovery warm-up
  return fl;
}

async function masterState(lab: FailureLab) {
  const [row] = await lab.topology.query<{ ro: number; id: number }>(
    lab.topology.master,
    'SELECT @@read_only AS ro, @@server_id AS id',
  );
  return { readOnly: Number(row?.ro), serverId: Number(row?.id) };
}

/** After a failover: the app follows the new master, then everything a DBA checks. */
async function afterFailover(lab: FailureLab, successor: string): Promise<void> {
  lab.watcher.stop(); // what the replicas had received from the old master is known now
  lab.writer.retarget(() => successor);
  await eventually('the application writing to the new master', async () =>
    lab.writer.ackedBy(successor).length >= 10 ? true : undefined,
  );
  await eventually(
    'replicas replicating from the new master',
    async () => ((await dbaChecks(lab, successor)).length === 0 ? true : undefined),
    20_000,
  ).catch(() => undefined);
  expect(await dbaChecks(lab, successor)).toEqual([]);
}

/** A live master stays the master: no recovery anywhere, still writable, the app's writes kept landing on it. */
async function expectNoFailover(lab: FailureLab, ackedBefore: number): Promise<void> {
  expect(await recoveries(lab)).toEqual([]);
  const [ro] = await lab.topology.query<{ ro: number }>(lab.topology.master, 'SELECT @@read_only AS ro');
  expect(Number(ro?.ro)).toBe(0);
  expect(lab.writer.ackedBy(lab.topology.master).length).toBeGreaterThan(ackedBefore);
  await lab.topology.waitForReplication(20_000);
  for (const replica of lab.topology.replicas) {
    const [s] = await lab.topology.query<Record<string, unknown>>(replica, 'SHOW SLAVE STATUS');
    expect(s?.Master_Host).toBe(lab.ipOf(lab.topology.master));
  }
}

describe('failures a master really has, recovered', () => {
  it('1. master hung (SIGSTOP): recovered; after SIGCONT the old master was never written to', async () => {
    const lab = await startLab();
    const before = await masterState(lab);
    await lab.topology.hang(lab.topology.master);
    const { recovery, successor } = await waitForRecovery(lab, lab.topology.master);
    expect(recovery.AnalysisEntry.Analysis).toMatch(/^DeadMaster/);
    await afterFailover(lab, successor);
    await sleep(5000); // longer than any bounded attempt on the old master
    await lab.topology.resume(lab.topology.master);
    await sleep(2000);
    expect(await oldMasterUntouched(lab, before)).toEqual([]);
  });

  it('2. master blackholed (its link down, no reset): recovered; old master untouched after the link is back', async () => {
    const lab = await startLab();
    const before = await masterState(lab);
    lab.lab.blackhole(lab.topology.master, { maxMs: 120_000 });
    const { recovery, successor } = await waitForRecovery(lab, lab.topology.master);
    expect(recovery.AnalysisEntry.Analysis).toMatch(/^DeadMaster/);
    await afterFailover(lab, successor);
    lab.lab.restore(lab.topology.master);
    await sleep(3000);
    expect(await oldMasterUntouched(lab, before)).toEqual([]);
  });
});

describe('a master that is alive is never failed over', () => {
  it('3. only the orchestrator leader loses the master: no failover, the analysis says the others reach it', async () => {
    const lab = await startLab();
    const leader = await lab.leader();
    const acked = lab.writer.ackedBy(lab.topology.master).length;
    const seen = await watchAnalysis(lab, lab.topology.master, async () => {
      const cut = lab.lab.partition([lab.hostOf(leader)], [lab.topology.master], { maxMs: 60_000 });
      await sleep(12_000);
      cut.heal();
      await sleep(2000);
    });
    expect([...seen.codes].filter((c) => c.startsWith('Dead'))).toEqual([]);
    expect(seen.codes).toContain('UnreachableMaster');
    await expectNoFailover(lab, acked);
  });

  it('4. every orchestrator node loses the master, the replicas keep replicating: no failover, and the analysis says so', async () => {
    const lab = await startLab();
    const acked = lab.writer.ackedBy(lab.topology.master).length;
    const seen = await watchAnalysis(lab, lab.topology.master, async () => {
      const cut = lab.lab.partition(['orc1', 'orc2', 'orc3'], [lab.topology.master], { maxMs: 60_000 });
      await sleep(12_000);
      cut.heal();
      await sleep(2000);
    });
    expect([...seen.codes].filter((c) => c.startsWith('Dead'))).toEqual([]);
    expect(seen.codes).toContain('UnreachableMaster');
    expect([...seen.descriptions].some((d) => /replicating replicas/.test(d))).toBe(true);
    await expectNoFailover(lab, acked);
  });

  it('6. a link flapping faster than the detection bound: no failover', async () => {
    const lab = await startLab();
    const acked = lab.writer.ackedBy(lab.topology.master).length;
    // Down 400 ms at a time: a third of the detection bound here (heartbeat 1 s → 1.2 s of silence).
    await lab.lab.flap(lab.topology.master, { downMs: 400, upMs: 600, cycles: 6 });
    await sleep(5000);
    await expectNoFailover(lab, acked);
  });
});

describe('partitions and a lost leader', () => {
  it('5. the master and the orchestrator leader cut off from the rest: the majority recovers, the isolated node never acts, hooks name the old master', async () => {
    const lab = await startLab();
    const isolated = await lab.leader();
    const isolatedHost = lab.hostOf(isolated);
    const before = await masterState(lab);
    const rest = [...lab.topology.replicas, ...['orc1', 'orc2', 'orc3'].filter((h) => h !== isolatedHost)];
    const cut = lab.lab.partition([lab.topology.master, isolatedHost], rest, { maxMs: 120_000 });
    const { recovery, successor } = await waitForRecovery(lab, lab.topology.master);
    expect(recovery.ProcessingNodeHostname).not.toBe(isolated.address);
    expect(lab.topology.replicas).toContain(successor);
    await afterFailover(lab, successor);
    cut.heal();
    await sleep(3000);
    // The isolated node started no recovery of its own, and the old master was left alone.
    expect((await recoveries(lab)).every((r) => r.ProcessingNodeHostname !== isolated.address)).toBe(true);
    expect(await oldMasterUntouched(lab, before)).toEqual([]);
    // The old master is reported: back, writable, replaced — fence it.
    const failed = `${lab.ipOf(lab.topology.master)}:3306`;
    await eventually(
      'the analysis to report the deposed master as writable',
      async () => {
        const r = await (await lab.leader()).get<{
          Details: {
            AnalyzedInstanceKey: { Hostname: string };
            StructureAnalysis: string[];
            StructureDetails?: string[];
          }[];
        }>('replication-analysis');
        const entry = r.body.Details.find(
          (e) => e.AnalyzedInstanceKey.Hostname === lab.ipOf(lab.topology.master),
        );
        return entry?.StructureAnalysis.includes('DeposedMasterWritableStructureWarning') &&
          entry.StructureDetails?.some((d) => d.includes(`replaced as master by ${lab.ipOf(successor)}:3306`))
          ? true
          : undefined;
      },
      20_000,
    );
    // The hooks were told which master failed, so the operator can fence it.
    expect(lab.hookLines('pre-failover').some((l) => l.startsWith(failed))).toBe(true);
    expect(
      lab
        .hookLines('post-master-failover')
        .some((l) => l.startsWith(`${failed} ${lab.ipOf(successor)}:3306`)),
    ).toBe(true);
  });

  it('7. the raft leader blackholed in the middle of a recovery: the new leader finishes it safely', async () => {
    // The pre-failover hook holds the recovery for 3 s, long enough to cut the leader off inside it.
    const lab = await startLab({ config: { PreFailoverProcesses: ['sleep 3'] } });
    const leader = await lab.leader();
    await lab.topology.kill9(lab.topology.master);
    await eventually('the recovery to start on the leader', async () =>
      (await leader.tryGet<unknown[]>('audit-recovery'))?.body?.length ? true : undefined,
    );
    lab.lab.blackhole(lab.hostOf(leader), { maxMs: 120_000 });
    const { successor } = await waitForRecovery(lab, lab.topology.master, 90_000);
    await afterFailover(lab, successor);
    lab.lab.restore(lab.hostOf(leader));
    await eventually(
      'every recovery ended, exactly one successful',
      async () => {
        const all = await recoveries(lab);
        return all.every((r) => r.RecoveryEndTimestamp !== '') &&
          all.filter((r) => r.IsSuccessful).length === 1
          ? true
          : undefined;
      },
      30_000,
    );
    expect(await dbaChecks(lab, successor)).toEqual([]);
  });
});

describe('a replica whose SQL thread is behind when the master dies', () => {
  /** Holds every replica's SQL thread behind a table lock; returns a function that releases them. */
  async function stallAppliers(lab: FailureLab): Promise<() => Promise<void>> {
    const sessions = await Promise.all(lab.topology.replicas.map((h) => lab.topology.server(h).connect()));
    await Promise.all(sessions.map((s) => s.query('LOCK TABLES test.app WRITE')));
    return async () => {
      await Promise.all(sessions.map((s) => s.query('UNLOCK TABLES').then(() => s.end())));
    };
  }

  it('8a. DelayMasterPromotionIfSQLThreadNotUpToDate: waits for the relay logs, then promotes; no relay-logged row is lost', async () => {
    const lab = await startLab({ config: { DelayMasterPromotionIfSQLThreadNotUpToDate: true } });
    const release = await stallAppliers(lab);
    await sleep(1000); // rows reach the relay logs, not the tables
    lab.writer.stop();
    await sleep(300);
    const acked = lab.writer.ackedBy(lab.topology.master);
    await lab.topology.kill9(lab.topology.master);
    setTimeout(() => void release(), 8000); // the lock goes while the recovery waits for the SQL thread
    const { successor, recovery } = await waitForRecovery(lab, lab.topology.master, 90_000);
    const steps = await (await lab.leader()).get<{ Message: string }[]>(
      `audit-recovery-steps/${recovery.UID}`,
    );
    expect(steps.body.map((s) => s.Message)).toContainEqual(
      expect.stringMatching(/applied its relay logs \(DelayMasterPromotionIfSQLThreadNotUpToDate\)/),
    );
    const present = new Set(
      (await lab.topology.query<{ id: number }>(successor, 'SELECT id FROM test.app')).map((r) =>
        Number(r.id),
      ),
    );
    expect(acked.filter((id) => !present.has(id))).toEqual([]);
  });

  it('8b. FailMasterPromotionIfSQLThreadNotUpToDate: no promotion, replication left running, the relay logs kept', async () => {
    const lab = await startLab({ config: { FailMasterPromotionIfSQLThreadNotUpToDate: true } });
    const release = await stallAppliers(lab);
    await sleep(1000);
    lab.writer.stop();
    await sleep(300);
    const acked = lab.writer.ackedBy(lab.topology.master);
    await lab.topology.kill9(lab.topology.master);
    const ended = await eventually(
      'a recovery that ends without promoting',
      async () => (await recoveries(lab)).find((r) => r.RecoveryEndTimestamp !== '' && !r.IsSuccessful),
      60_000,
    );
    expect(ended.SuccessorKey?.Hostname ?? '').toBe('');
    await release();
    for (const replica of lab.topology.replicas) {
      const [ro] = await lab.topology.query<{ ro: number }>(replica, 'SELECT @@read_only AS ro');
      expect(Number(ro?.ro)).toBe(1); // nobody promoted
      const [s] = await lab.topology.query<Record<string, unknown>>(replica, 'SHOW SLAVE STATUS');
      expect(s?.Slave_SQL_Running).toBe('Yes');
      expect(s?.Slave_IO_Running).not.toBe('No');
      // What was in its relay log is applied once the lock goes: nothing acknowledged was thrown away.
      await eventually(`${replica} to apply its relay log`, async () => {
        const ids = new Set(
          (await lab.topology.query<{ id: number }>(replica, 'SELECT id FROM test.app')).map((r) =>
            Number(r.id),
          ),
        );
        return acked.every((id) => ids.has(id)) ? true : undefined;
      });
    }
  });
});
