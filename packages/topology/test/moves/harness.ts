// Test harness for moves on real MariaDB: a TopologyMoves over a testkit topology (live view of
// every server), an in-memory audit and maintenance lock table, and assertions on SHOW SLAVE STATUS.
import {
  createSqlConnector,
  LeadershipLostError,
  MySQLOperations,
  type SqlConnector,
} from '@orchestrator/recovery';
import { emptyInstance } from '@orchestrator/store';
import type { Topology } from '@orchestrator/testkit';
import {
  type AuditEntry,
  type InstanceKey,
  liveInstance,
  type MoveRequest,
  TopologyMoves,
  type TopologyMovesOptions,
} from '../../src/moves/index.js';

export const key = (port: number): InstanceKey => ({ Hostname: '127.0.0.1', Port: port });

export interface Harness {
  moves: TopologyMoves;
  mysql: MySQLOperations;
  audit: AuditEntry[];
  /** Instances under maintenance (by port). */
  maintenance: Set<number>;
  leading: { value: boolean };
  request(kind: MoveRequest['kind'], instance: number, target?: number): MoveRequest;
  close(): Promise<void>;
}

export function harness(
  topology: Topology,
  ports: () => number[] = () => topology.ports,
  extra: Pick<TopologyMovesOptions, 'pseudoGtid'> = {},
): Harness {
  const connector: SqlConnector = createSqlConnector({
    user: 'root',
    password: '',
    connectTimeoutMs: 2000,
    queryTimeoutMs: 10_000,
  });
  const leading = { value: true };
  const mysql = new MySQLOperations({
    connector,
    guard: (step) => {
      if (!leading.value) throw new LeadershipLostError(step);
    },
    replicaUser: 'repl',
    replicaPassword: 'repl_pw',
  });
  const audit: AuditEntry[] = [];
  const maintenance = new Set<number>();
  const moves = new TopologyMoves({
    mysql,
    leadership: { isLeaderWithQuorum: () => leading.value },
    audit: async (e) => {
      audit.push(e);
    },
    locks: {
      begin: async (k) => {
        if (maintenance.has(k.Port)) return false;
        maintenance.add(k.Port);
        return true;
      },
      end: async (k) => {
        maintenance.delete(k.Port);
      },
    },
    ReasonableMaintenanceReplicationLagSeconds: 10,
    MaxConcurrentReplicaOperations: 2,
    pollMs: 20,
    ...extra,
    reads: {
      around: () =>
        Promise.all(
          ports().map((p) =>
            liveInstance(mysql, {
              ...emptyInstance(key(p)),
              ClusterName: 'test',
              InMaintenance: maintenance.has(p),
            }),
          ),
        ),
    },
  });
  return {
    moves,
    mysql,
    audit,
    maintenance,
    leading,
    request: (kind, instance, target) => ({
      kind,
      instance: key(instance),
      target: target === undefined ? null : key(target),
    }),
    close: () => connector.close(),
  };
}

interface SlaveStatus {
  Master_Port: number;
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Using_Gtid: string;
  Last_IO_Error: string;
  Last_SQL_Error: string;
}

/** Every server's master port (0 for none) and thread states: what a refusal must leave untouched. */
export async function replicationShape(
  topology: Topology,
  ports = topology.ports,
): Promise<Record<number, string>> {
  const shape: Record<number, string> = {};
  for (const p of ports) {
    const [s] = await topology.query<SlaveStatus>(p, 'SHOW SLAVE STATUS');
    shape[p] = s ? `${s.Master_Port} io=${s.Slave_IO_Running} sql=${s.Slave_SQL_Running}` : 'none';
  }
  return shape;
}

/** Waits (≤ 10 s) until `port` replicates from `masterPort` with both threads running. */
export async function expectReplicating(topology: Topology, port: number, masterPort: number): Promise<void> {
  let last: SlaveStatus | undefined;
  for (let i = 0; i < 200; i++) {
    [last] = await topology.query<SlaveStatus>(port, 'SHOW SLAVE STATUS');
    if (
      last &&
      Number(last.Master_Port) === masterPort &&
      last.Slave_IO_Running === 'Yes' &&
      last.Slave_SQL_Running === 'Yes'
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `${port} does not replicate from ${masterPort}: ${last ? `Master_Port=${last.Master_Port} IO=${last.Slave_IO_Running} SQL=${last.Slave_SQL_Running} ${last.Last_IO_Error} ${last.Last_SQL_Error}` : 'not a replica'}`,
  );
}

let row = 0;

/** Writes a row on `writer` and waits (≤ 10 s) until every port has it. */
export async function expectDataFlows(topology: Topology, writer: number, ports: number[]): Promise<void> {
  await topology.query(writer, 'CREATE TABLE IF NOT EXISTS test.moves (id INT PRIMARY KEY)');
  const id = ++row;
  await topology.query(writer, 'INSERT INTO test.moves VALUES (?)', [id]);
  for (const p of ports) {
    let found = false;
    for (let i = 0; i < 200 && !found; i++) {
      const rows = await topology
        .query<{ id: number }>(p, 'SELECT id FROM test.moves WHERE id = ?', [id])
        .catch(() => []);
      found = rows.length === 1;
      if (!found) await new Promise((r) => setTimeout(r, 50));
    }
    if (!found) throw new Error(`row ${id} written on ${writer} did not reach ${p}`);
  }
}
