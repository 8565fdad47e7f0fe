// Real mariadbd topologies from the test kit: discovery, the instance view against SHOW SLAVE
// STATUS, broken replicas, and fast DeadMaster / DeadIntermediateMaster detection after kill -9.
import type { Instance } from '@orchestrator/store';
import { startMariaDBTopology, TOPOLOGY_PASSWORD, TOPOLOGY_USER, type Topology } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.js';
import type { AnalysisCode, ReplicationAnalysis } from '../src/analysis/types.js';
import { proberConfig } from '../src/config.js';
import { DiscoveryLoop } from '../src/discovery/loop.js';
import { InMemoryInstanceRepository } from '../src/discovery/repository.js';
import { MySQLProber } from '../src/probe/probe.js';

// The kit's orc_topology user lacks REPLICATION MASTER ADMIN, which MariaDB ≥ 10.5 requires for
// SHOW SLAVE HOSTS; without it every replica on 127.0.0.1 would be assumed to listen on the master's
// port. Root (no password in the kit) sees the registered report_port. A test below checks the
// limited user too.
const config = proberConfig({
  MySQLTopologyUser: 'root',
  MySQLTopologyPassword: '',
  MySQLHostnameResolveMethod: '@@report_host',
  InstancePollSeconds: 5,
});

let topology: Topology | undefined;
let loop: DiscoveryLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
  await topology?.destroy();
  topology = undefined;
});

const key = (port: number) => ({ Hostname: '127.0.0.1', Port: port });

/** Starts a loop seeded with the master; `onChange` runs analysis on every topology change. */
function startLoop(t: Topology, seedPort: number, onAnalysis?: (entries: ReplicationAnalysis[]) => void) {
  const repository = new InMemoryInstanceRepository();
  const l = new DiscoveryLoop({
    config: proberConfig({ ...config, DiscoverySeeds: [`127.0.0.1:${seedPort}`] }),
    prober: new MySQLProber(config),
    repository,
    onTopologyChange: () => {
      if (!onAnalysis) return;
      void repository.readAll().then((all) => onAnalysis(analyze(all, { config, now: Date.now() })));
    },
  });
  loop = l;
  return { loop: l, repository, topology: t };
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForCode(
  repository: InMemoryInstanceRepository,
  port: number,
  code: AnalysisCode,
  analysisConfig = config,
  timeoutMs?: number,
): Promise<ReplicationAnalysis> {
  return waitFor(
    `${code} on ${port}`,
    async () =>
      analyze(await repository.readAll(), { config: analysisConfig, now: Date.now() }).find(
        (e) => e.AnalyzedInstanceKey.Port === port && e.Analysis === code,
      ),
    timeoutMs,
  );
}

describe('prober against real MariaDB', () => {
  it('discovers a 1+2 topology from the master alone, and the view matches SHOW SLAVE STATUS', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    await t.query(t.master, 'CREATE TABLE test.seed (id INT PRIMARY KEY)');
    await t.waitForReplication();
    const { loop: l, repository } = startLoop(t, t.master);
    await l.start();
    const rows = await waitFor('3 instances', () =>
      repository.rows.size === 3 ? [...repository.rows.values()] : undefined,
    );
    const master = rows.find((r) => r.Key.Port === t.master) as Instance;
    expect(master.MasterKey.Hostname).toBe('');
    expect(master.Replicas.map((k) => k.Port).sort()).toEqual([...t.replicas].sort());
    expect(master.LogBinEnabled).toBe(true);
    expect(master.FlavorName).toBe('MariaDB');
    expect(master.ReadOnly).toBe(false);
    expect(master.SelfBinlogCoordinates.LogFile).not.toBe('');
    expect(master.MariaDBGtidBinlogPos).toMatch(/^\d+-\d+-\d+/);

    for (const port of t.replicas) {
      const r = repository.rows.get(`127.0.0.1:${port}`) as Instance;
      expect(r).toMatchObject({
        MasterKey: key(t.master),
        ClusterName: `127.0.0.1:${t.master}`,
        ReplicationDepth: 1,
        ReadOnly: true,
      });
      const probed = await new MySQLProber(config).probe({
        key: key(port),
        address: { host: '127.0.0.1', port },
      });
      const [s] = await t.query<Record<string, unknown>>(port, 'SHOW SLAVE STATUS');
      if (!probed.ok || !s) throw new Error('probe failed');
      const i = probed.instance;
      expect(i.SlaveIORunningText).toBe(s.Slave_IO_Running);
      expect(i.ReplicationIOThreadRuning).toBe(s.Slave_IO_Running === 'Yes');
      expect(i.ReplicationSQLThreadRuning).toBe(s.Slave_SQL_Running === 'Yes');
      expect(i.MasterKey).toEqual({ Hostname: s.Master_Host, Port: Number(s.Master_Port) });
      expect(i.ReadBinlogCoordinates.LogFile).toBe(s.Master_Log_File);
      expect(i.ExecBinlogCoordinates.LogFile).toBe(s.Relay_Master_Log_File);
      expect(i.RelaylogCoordinates.LogFile).toBe(s.Relay_Log_File);
      expect(i.LastIOErrno).toBe(Number(s.Last_IO_Errno));
      expect(i.LastSQLErrno).toBe(Number(s.Last_SQL_Errno));
      expect(i.LastIOError).toBe(s.Last_IO_Error);
      expect(i.LastSQLError).toBe(s.Last_SQL_Error);
      expect(i.SQLDelay).toBe(Number(s.SQL_Delay));
      expect(i.UsingMariaDBGTID).toBe(s.Using_Gtid !== 'No');
      expect(i.UsingOracleGTID).toBe(false);
      expect(i.SecondsBehindMaster).toEqual({
        Int64: Number(s.Seconds_Behind_Master),
        Valid: s.Seconds_Behind_Master !== null,
      });
      expect(i.HasReplicationFilters).toBe(false);
      expect(i.HasReplicationCredentials).toBe(true);
      expect(i.ServerID).toBeGreaterThan(0);
    }
  });

  it("reads each replica's link: slave_net_timeout, heartbeat period and counter", async () => {
    topology = await startMariaDBTopology({ replicas: 1 });
    const t = topology;
    const prober = new MySQLProber(config);
    try {
      await new Promise((r) => setTimeout(r, 1200)); // at least one heartbeat (period 1 s)
      const r = await prober.probe({
        key: key(t.replicas[0]!),
        address: { host: '127.0.0.1', port: t.replicas[0]! },
      });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.partial).toBe(false);
      expect(r.instance.ReplicationLink).toMatchObject({ NetTimeoutSeconds: 4, HeartbeatPeriodSeconds: 1 });
      expect(r.instance.ReplicationLink.HeartbeatsReceived).toBeGreaterThan(0);
    } finally {
      await prober.closeAll();
    }
  });

  it('with the limited topology user the probe still succeeds, without partial-success noise', async () => {
    topology = await startMariaDBTopology({ replicas: 1 });
    const t = topology;
    const limited = new MySQLProber(
      proberConfig({ ...config, MySQLTopologyUser: TOPOLOGY_USER, MySQLTopologyPassword: TOPOLOGY_PASSWORD }),
    );
    for (let round = 0; round < 2; round++) {
      const r = await limited.probe({ key: key(t.master), address: { host: '127.0.0.1', port: t.master } });
      expect(r.ok && r.partial).toBe(false);
    }
    await limited.closeAll();
  });

  it('a stopped replica and a replica with an SQL error give AllMasterReplicasNotReplicating', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    const [r1, r2] = t.replicas as [number, number];
    const { loop: l, repository } = startLoop(t, t.master);
    await l.start();
    await waitFor('3 instances', () => repository.rows.size === 3 || undefined);
    await t.query(r1, 'STOP SLAVE');
    await t.query(r2, 'SET SESSION sql_log_bin = 0');
    await t.query(r2, 'CREATE TABLE test.clash (id INT PRIMARY KEY)');
    await t.query(t.master, 'CREATE TABLE test.clash (id INT PRIMARY KEY)');
    l.refresh([key(r1), key(r2)]);
    const entry = await waitForCode(repository, t.master, 'AllMasterReplicasNotReplicating');
    expect(entry.CountValidReplicatingReplicas).toBe(0);
    const broken = await waitFor('SQL error recorded', () => {
      const row = repository.rows.get(`127.0.0.1:${r2}`);
      return row?.LastSQLErrno ? row : undefined;
    });
    // 1050 (table exists) or, under gtid_strict_mode, 1950 (out-of-order GTID): either way an SQL-thread error.
    expect(broken).toMatchObject({
      ReplicationSQLThreadState: 0,
      ReplicationIOThreadState: 1,
      ReplicationSQLThreadRuning: false,
    });
    expect(broken.LastSQLErrno).toBeGreaterThan(0);
    expect(broken.LastSQLError).not.toBe('');
    expect(repository.rows.get(`127.0.0.1:${r1}`)).toMatchObject({
      ReplicationSQLThreadState: 0,
      ReplicationIOThreadState: 0,
    });
  });

  it('detects DeadMaster quickly after kill -9 of the master', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    let detectedAt = 0;
    const { loop: l, repository } = startLoop(t, t.master, (entries) => {
      if (
        !detectedAt &&
        entries.some((e) => e.AnalyzedInstanceKey.Port === t.master && e.Analysis === 'DeadMaster')
      ) {
        detectedAt = Date.now();
      }
    });
    await l.start();
    await waitFor('3 instances', () => repository.rows.size === 3 || undefined);
    // Let one quiet poll pass so the connections are warm, as in steady state.
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    await t.kill9(t.master);
    await waitFor('DeadMaster via onTopologyChange', () => detectedAt || undefined, 15_000);
    const latency = detectedAt - killedAt;
    console.log(`kill -9 → DeadMaster: ${latency} ms`);
    const entry = await waitForCode(repository, t.master, 'DeadMaster');
    expect(entry).toMatchObject({
      IsMaster: true,
      LastCheckValid: false,
      CountReplicas: 2,
      CountValidReplicas: 2,
      IsActionableRecovery: true,
    });
    for (const port of t.replicas) {
      expect(repository.rows.get(`127.0.0.1:${port}`)?.ReplicationIOThreadRuning).toBe(false);
    }
    expect(latency).toBeGreaterThan(0);
  });

  it('detects DeadMaster after SIGSTOP of the master (a hung server keeps its sockets open), and sees it again after SIGCONT', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    const hungConfig = proberConfig({
      ...config,
      MySQLConnectTimeoutSeconds: 1,
      MySQLDiscoveryReadTimeoutSeconds: 3,
      DiscoverySeeds: [`127.0.0.1:${t.master}`],
    });
    const repository = new InMemoryInstanceRepository();
    const l = new DiscoveryLoop({ config: hungConfig, prober: new MySQLProber(hungConfig), repository });
    loop = l;
    await l.start();
    await waitFor('3 instances', () => repository.rows.size === 3 || undefined);
    await new Promise((r) => setTimeout(r, 1200)); // warm connections, pings running
    const masterId = `127.0.0.1:${t.master}`;
    const stoppedAt = new Date().toISOString();
    await t.hang(t.master);
    try {
      // The daemon analyses the loop's in-memory view: that view must see the master's failed checks.
      const entry = await waitFor(
        'DeadMaster in the in-memory view',
        () =>
          analyze(l.instances(), {
            config: hungConfig,
            now: Date.now(),
            replicaSilenceMs: l.replicaSilence(),
          }).find((e) => e.AnalyzedInstanceKey.Port === t.master && e.Analysis === 'DeadMaster'),
        30_000,
      );
      expect(entry).toMatchObject({ IsMaster: true, LastCheckValid: false, CountValidReplicas: 2 });
      // The replicas' heartbeats (period 1 s) stopped: that is the evidence, well before their IO
      // threads give up at slave_net_timeout (4 s).
      const replicaViews = entry?.Observations?.filter((o) => o.Kind === 'replica') ?? [];
      expect(replicaViews.map((o) => o.Verdict)).toEqual(['lost', 'lost']);
      expect(replicaViews.some((o) => /no event or heartbeat/.test(o.Detail))).toBe(true);
      // …and the master keeps being checked: its last check moves on while it stays unseen.
      await waitFor(
        'a later failed check of the hung master',
        () => {
          const row = repository.rows.get(masterId);
          return row &&
            row.LastCheckedTimestamp > row.LastSeenTimestamp &&
            row.LastCheckedTimestamp > stoppedAt
            ? true
            : undefined;
        },
        30_000,
      );
    } finally {
      await t.resume(t.master);
    }
    await waitFor(
      'the resumed master to be seen again',
      () => repository.rows.get(masterId)?.IsLastCheckValid || undefined,
      30_000,
    );
  }, 120_000);

  it("detects an intermediate master's death in a 1 → 1 → 2 chain", async () => {
    topology = await startMariaDBTopology({ replicas: 0, chain: { intermediateReplicas: 2 } });
    const t = topology;
    const im = t.intermediate as number;
    const { loop: l, repository } = startLoop(t, t.master);
    await l.start();
    await waitFor('4 instances', () => repository.rows.size === 4 || undefined);
    expect(repository.rows.get(`127.0.0.1:${t.intermediateReplicas[0]}`)?.ReplicationDepth).toBe(2);
    await t.kill9(im);
    const entry = await waitForCode(repository, im, 'DeadIntermediateMaster');
    expect(entry).toMatchObject({ IsMaster: false, CountReplicas: 2, IsActionableRecovery: true });
    expect(entry.ClusterDetails.ClusterName).toBe(`127.0.0.1:${t.master}`);
  });
});
