// ReplicationControl over a real MariaDB topology: a switchable leadership flag, in-memory
// maintenance locks and audit, and an instance view built from live reads (errant GTID included).
import { mariadbErrantGtid } from '@orchestrator/prober';
import { createMySQLOperations, liveView } from '@orchestrator/recovery';
import { emptyInstance, type Instance, type InstanceKey } from '@orchestrator/store';
import type { Topology } from '@orchestrator/testkit';
import { ReplicationControl } from '../../src/control/index.js';

export const HOST = '127.0.0.1';
export const k = (port: number): InstanceKey => ({ Hostname: HOST, Port: port });

export interface Harness {
  control: ReplicationControl;
  leader: { value: boolean };
  maintenance: Set<number>;
  audits: { type: string; port: number; message: string }[];
  view(port: number): Promise<Instance>;
  close(): Promise<void>;
}

export function harness(topology: Topology): Harness {
  const leader = { value: true };
  const { mysql, close } = createMySQLOperations(
    {
      MySQLTopologyUser: 'root',
      MySQLTopologyPassword: '',
      MySQLReplicaUser: 'repl',
      MySQLReplicaPassword: 'repl_pw',
    },
    { isLeaderWithQuorum: () => leader.value },
  );
  const maintenance = new Set<number>();
  const audits: Harness['audits'] = [];

  const view = async (port: number): Promise<Instance> => {
    const state = await mysql.readState(k(port));
    const base = { ...emptyInstance(k(port)), ...liveView(state) } as Instance;
    const hosts = await mysql.query(k(port), 'SHOW SLAVE HOSTS');
    base.Replicas = hosts.map((h) => k(Number(h.Port)));
    base.ClusterName = `${HOST}:${topology.master}`;
    if (state.replica && state.mariadb && !state.replica.masterKey.Hostname.startsWith('//')) {
      const master = await mysql.readState(state.replica.masterKey).catch(() => null);
      if (master?.mariadb) {
        base.GtidErrant = mariadbErrantGtid(state.mariadb.binlogPos, master.mariadb.binlogPos, [
          master.serverId,
        ]);
      }
    }
    return base;
  };

  const control = new ReplicationControl({
    mysql,
    instances: {
      instance: async (key) => view(key.Port).catch(() => null),
      // As the backend sees them: every instance whose master is `key`, connected or not.
      replicas: async (key) =>
        (await Promise.all(topology.ports.map((p) => view(p)))).filter(
          (i) => i.MasterKey.Hostname === key.Hostname && i.MasterKey.Port === key.Port,
        ),
      clusterInstances: async () => Promise.all(topology.ports.map((p) => view(p))),
    },
    maintenance: {
      begin: async (key) => {
        if (maintenance.has(key.Port)) return false;
        maintenance.add(key.Port);
        return true;
      },
      end: async (key) => {
        maintenance.delete(key.Port);
      },
    },
    audit: async (type, key, message) => {
      audits.push({ type, port: key.Port, message });
    },
    refresh: (key) => view(key.Port),
    options: { stopNiceTimeoutMs: 10_000, startWaitMs: 3_000 },
  });
  return { control, leader, maintenance, audits, view, close };
}

export type SlaveStatus = Record<string, unknown>;

export async function slaveStatus(t: Topology, port: number): Promise<SlaveStatus | undefined> {
  const [s] = await t.query(port, 'SHOW SLAVE STATUS');
  return s as SlaveStatus | undefined;
}

/** The fields of SHOW SLAVE STATUS a refusal must leave as they were. */
export async function replicationSnapshot(t: Topology, port: number) {
  const s = await slaveStatus(t, port);
  if (!s) return null;
  return {
    host: s.Master_Host,
    port: s.Master_Port,
    io: s.Slave_IO_Running,
    sql: s.Slave_SQL_Running,
    gtid: s.Using_Gtid,
    file: s.Relay_Master_Log_File,
    delay: s.SQL_Delay,
  };
}

/** Polls `check` every 50 ms for up to `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Inserts a row on the master and waits until it is on `replica`. */
export async function rowArrives(t: Topology, replica: number, id: number): Promise<void> {
  await t.query(t.master, 'INSERT INTO test.t VALUES (?)', [id]);
  await eventually(
    async () => (await t.query(replica, 'SELECT id FROM test.t WHERE id = ?', [id])).length === 1,
  );
}
