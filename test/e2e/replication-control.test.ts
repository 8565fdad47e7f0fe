// Replication control through a 3-node daemon cluster on a real MariaDB topology: operations sent to
// a follower are forwarded to the leader and change MySQL as asked (SHOW SLAVE STATUS, @@read_only);
// refusals (maintenance lock, running replication) change nothing. As in the reference, a downtime
// does not block replication control: it only silences recoveries.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), '../../packages/client/dist/cli.js');
const execFileAsync = promisify(execFile);

interface Envelope<T = unknown> {
  Code: string;
  Message: string;
  Details: T;
}
interface InstanceBody {
  Key: { Hostname: string; Port: number };
  ReplicationIOThreadRuning: boolean;
  ReplicationSQLThreadRuning: boolean;
  ReadOnly: boolean;
  SQLDelay: number;
  IsDowntimed: boolean;
}

describe('replication control through the daemon', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let follower: OrchestratorNode;
  let r1: number;
  let r2: number;

  const status = async (port: number) => {
    const [s] = await topology.query<Record<string, unknown>>(port, 'SHOW SLAVE STATUS');
    return s;
  };
  const snapshot = async (port: number) => {
    const s = await status(port);
    return { host: s?.Master_Host, io: s?.Slave_IO_Running, sql: s?.Slave_SQL_Running, delay: s?.SQL_Delay };
  };

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    [r1, r2] = topology.replicas as [number, number];
    cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 1) });
    leader = await cluster.waitForLeader();
    follower = cluster.nodes.find((n) => n.index !== leader.index) as OrchestratorNode;
    await eventually('the follower to proxy a cluster of 3 instances', async () => {
      // Through the follower: it must know the leader's URL before it can forward writes.
      const r = await follower.get<unknown[]>(`cluster/127.0.0.1:${topology.master}`);
      return Array.isArray(r.body) && r.body.length === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('stop-replica and start-slave sent to a follower run on the leader and answer the fresh instance', async () => {
    const stopped = await follower.get<Envelope<InstanceBody>>(`stop-replica/127.0.0.1/${r1}`);
    expect(stopped.body.Code, stopped.text).toBe('OK');
    expect(stopped.body.Message).toBe(`Replica stopped: 127.0.0.1:${r1}`);
    expect(stopped.body.Details).toMatchObject({
      Key: { Hostname: '127.0.0.1', Port: r1 },
      ReplicationIOThreadRuning: false,
      ReplicationSQLThreadRuning: false,
    });
    expect(await status(r1)).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });

    const started = await follower.get<Envelope<InstanceBody>>(`start-slave/127.0.0.1/${r1}`);
    expect(started.body.Code, started.text).toBe('OK');
    expect(started.body.Details).toMatchObject({
      ReplicationIOThreadRuning: true,
      ReplicationSQLThreadRuning: true,
    });
    expect(await status(r1)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });

    const audit = await follower.get<{ AuditType: string; AuditInstanceKey: { Port: number } }[]>('audit');
    const types = audit.body.filter((a) => a.AuditInstanceKey.Port === r1).map((a) => a.AuditType);
    expect(types).toEqual(expect.arrayContaining(['stop-replica', 'start-replica']));
  });

  it('set-writeable / set-read-only and delay-replication change the server as asked', async () => {
    const w = await follower.get<Envelope<InstanceBody>>(`set-writeable/127.0.0.1/${r2}`);
    expect(w.body).toMatchObject({
      Code: 'OK',
      Message: 'Server set as writeable',
      Details: { ReadOnly: false },
    });
    expect((await topology.query<{ v: number }>(r2, 'SELECT @@read_only AS v'))[0]?.v).toBe(0);
    const ro = await follower.get<Envelope<InstanceBody>>(`set-read-only/127.0.0.1/${r2}`);
    expect(ro.body).toMatchObject({ Code: 'OK', Details: { ReadOnly: true } });
    expect((await topology.query<{ v: number }>(r2, 'SELECT @@read_only AS v'))[0]?.v).toBe(1);

    const d = await follower.get<Envelope<InstanceBody>>(`delay-replication/127.0.0.1/${r2}/30`);
    expect(d.body.Code, d.text).toBe('OK');
    expect(await status(r2)).toMatchObject({
      SQL_Delay: 30,
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'Yes',
    });
    await follower.get(`delay-replication/127.0.0.1/${r2}/0`);
    expect((await status(r2))?.SQL_Delay).toBe(0);
  });

  it('refuses under a maintenance lock and while replication runs, leaving the replica untouched', async () => {
    const before = await snapshot(r1);
    const m = await follower.get<Envelope>(`begin-maintenance/127.0.0.1/${r1}/tester/upgrade`);
    expect(m.body.Code, m.text).toBe('OK');
    const detach = await follower.get<Envelope>(`detach-slave-master-host/127.0.0.1/${r1}`);
    expect(detach.status).toBe(500);
    expect(detach.body).toMatchObject({ Code: 'ERROR' });
    expect(detach.body.Message).toContain(`Cannot begin maintenance on 127.0.0.1:${r1}`);
    expect(await snapshot(r1)).toEqual(before);
    await follower.get(`end-maintenance/127.0.0.1/${r1}`);

    const reset = await follower.get<Envelope>(`reset-replica/127.0.0.1/${r1}`);
    expect(reset.body.Code).toBe('ERROR');
    expect(reset.body.Message).toContain('because replication is running');
    expect(await snapshot(r1)).toEqual(before);

    const notReplica = await follower.get<Envelope>(`stop-replica/127.0.0.1/${topology.master}`);
    expect(notReplica.body.Message).toBe(`instance is not a replica: 127.0.0.1:${topology.master}`);
  });

  it('a downtimed replica can still be controlled (the reference does not refuse either)', async () => {
    const dt = await follower.get<Envelope>(`begin-downtime/127.0.0.1/${r2}/tester/patching/5m`);
    expect(dt.body.Code, dt.text).toBe('OK');
    const restarted = await follower.get<Envelope<InstanceBody>>(`restart-replica/127.0.0.1/${r2}`);
    expect(restarted.body.Code, restarted.text).toBe('OK');
    expect(restarted.body.Details).toMatchObject({ IsDowntimed: true, ReplicationIOThreadRuning: true });
    expect(await status(r2)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
    await follower.get(`end-downtime/127.0.0.1/${r2}`);
  });

  it('restart-replica-statements wraps a statement in the running threads (nothing runs)', async () => {
    const r = await follower.get<Envelope<string[]>>(
      `restart-replica-statements/127.0.0.1/${r1}?q=${encodeURIComponent('set global slave_net_timeout=4')}`,
    );
    expect(r.body.Details, r.text).toEqual([
      'stop slave io_thread;',
      'stop slave sql_thread;',
      'set global slave_net_timeout=4;',
      'start slave sql_thread;',
      'start slave io_thread;',
    ]);
    expect(await status(r1)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
  });

  it('orchestrator-client drives the same routes, finding the leader among all nodes', async () => {
    const env = { ...process.env, ORCHESTRATOR_API: cluster.nodes.map((n) => n.api).join(' ') };
    const client = async (...args: string[]) =>
      execFileAsync(process.execPath, [CLIENT, ...args], { env, timeout: 30_000 }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? -1,
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? '',
        }),
      );
    expect(await client('-c', 'stop-slave', '-i', `127.0.0.1:${r1}`)).toMatchObject({
      code: 0,
      stdout: `127.0.0.1:${r1}\n`,
    });
    expect(await status(r1)).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
    expect(await client('-c', 'start-replica', '-i', `127.0.0.1:${r1}`)).toMatchObject({ code: 0 });
    expect(await status(r1)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });

    const refused = await client('-c', 'reset-replica', '-i', `127.0.0.1:${r1}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('because replication is running');
    expect(
      await client('-c', 'can-replicate-from', '-i', `127.0.0.1:${r2}`, '-d', `127.0.0.1:${r1}`),
    ).toMatchObject({
      code: 0,
      stdout: `127.0.0.1:${r1}\n`,
    });
  });

  it('can-replicate-from answers "true" with the target key, and an error naming the reason otherwise', async () => {
    const ok = await follower.get<Envelope>(`can-replicate-from/127.0.0.1/${r2}/127.0.0.1/${r1}`);
    expect(ok.body).toEqual({ Code: 'OK', Message: 'true', Details: { Hostname: '127.0.0.1', Port: r1 } });
    const self = await follower.get<Envelope>(`can-replicate-from-gtid/127.0.0.1/${r2}/127.0.0.1/${r2}`);
    const pseudo = await follower.get<Envelope>(`last-pseudo-gtid/127.0.0.1/${r2}`);
    expect(pseudo.body).toMatchObject({ Code: 'ERROR' });
    expect(pseudo.body.Message).toContain('PseudoGTIDPattern not configured; cannot use Pseudo-GTID');
    expect(self.body).toMatchObject({
      Code: 'ERROR',
      Message: `instance cannot replicate from itself: 127.0.0.1:${r2}`,
    });
  });
});
