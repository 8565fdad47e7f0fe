// Helpers shared by the daemon-level recovery suites: what the API and every node's own backend say
// about recoveries, and what the MariaDB servers say about replication.
import { execFileSync } from 'node:child_process';
import type { Topology } from '@orchestrator/testkit';
import { eventually, type OrchestratorNode } from './cluster.js';

export interface RecoveryKey {
  Hostname: string;
  Port: number;
}

/** The fields of /api/audit-recovery rows the suites look at. */
export interface AuditedRecovery {
  Id: number;
  UID: string;
  IsSuccessful: boolean;
  IsActive: boolean;
  Acknowledged: boolean;
  RecoveryEndTimestamp: string;
  SuccessorKey: RecoveryKey | null;
  LostReplicas: RecoveryKey[] | null;
  ProcessingNodeHostname: string;
  ProcessingNodeToken: string;
  AllErrors: string[] | null;
  AnalysisEntry: { Analysis: string; AnalyzedInstanceKey: RecoveryKey };
}

export interface RecoveryRow {
  uid: string;
  successful: boolean;
  ended: boolean;
  acknowledged: boolean;
  successorPort: number | null;
  analysis: string;
  analyzedPort: number;
}

/** Runs one statement on a node's own SQLite backend (not through the API, so not proxied to the leader). */
export function sqlite(node: OrchestratorNode, sql: string): string {
  return execFileSync('sqlite3', [`${node.dir}/orchestrator.sqlite3`, sql], { encoding: 'utf8' }).trim();
}

/** Every recovery in a node's own backend, oldest first. */
export function recoveriesOf(node: OrchestratorNode): RecoveryRow[] {
  const out = sqlite(
    node,
    `SELECT uid, is_successful, (end_recovery IS NOT NULL AND end_recovery != ''), IFNULL(successor_port, ''),
            analysis, port, acknowledged
       FROM topology_recovery ORDER BY recovery_id`,
  );
  if (out === '') return [];
  return out.split('\n').map((line) => {
    const [uid, ok, ended, successor, analysis, port, acknowledged] = line.split('|');
    return {
      uid: uid ?? '',
      successful: ok === '1',
      ended: ended === '1',
      acknowledged: acknowledged === '1',
      successorPort: successor && successor !== '0' ? Number(successor) : null,
      analysis: analysis ?? '',
      analyzedPort: Number(port),
    };
  });
}

/** Every recovery step a node's own backend holds for one recovery. */
export function stepsOf(node: OrchestratorNode, uid: string): string[] {
  const out = sqlite(
    node,
    `SELECT message FROM topology_recovery_steps WHERE recovery_uid = '${uid.replace(/'/g, "''")}' ORDER BY recovery_step_id`,
  );
  return out === '' ? [] : out.split('\n');
}

/** Waits until the API (leader, or proxied) shows an ended recovery of `port` matching `accept`. */
export async function recoveryOf(
  node: OrchestratorNode,
  port: number,
  accept: (r: AuditedRecovery) => boolean,
  timeoutMs = 30_000,
): Promise<AuditedRecovery> {
  let last: unknown;
  try {
    return await eventually(
      `a recovery of port ${port} in audit-recovery`,
      async () => {
        const r = await node.get<AuditedRecovery[]>('audit-recovery');
        last = r.body;
        return Array.isArray(r.body)
          ? r.body.find((x) => x.AnalysisEntry.AnalyzedInstanceKey.Port === port && accept(x))
          : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    // Say what was there instead, with every step the node recorded: the failure explains itself.
    const steps = sqlite(
      node,
      'SELECT recovery_uid, message FROM topology_recovery_steps ORDER BY recovery_step_id',
    );
    throw new Error(`${(error as Error).message}\naudit-recovery: ${JSON.stringify(last)}\nsteps:\n${steps}`);
  }
}

/** Waits until the API shows `count` instances in the cluster of `port`. */
export async function waitForInstances(node: OrchestratorNode, port: number, count: number): Promise<void> {
  await eventually(
    `the cluster of ${port} to show ${count} instances`,
    async () => {
      const r = await node.get<unknown[]>(`cluster/127.0.0.1:${port}`);
      return Array.isArray(r.body) && r.body.length === count ? true : undefined;
    },
    20_000,
  );
}

export async function slaveStatus(
  topology: Topology,
  port: number,
): Promise<Record<string, unknown> | undefined> {
  const [s] = await topology.query<Record<string, unknown>>(port, 'SHOW SLAVE STATUS');
  return s;
}

/** Waits until `replica` replicates from `master` with both threads running. */
export async function waitReplicatingFrom(
  topology: Topology,
  replica: number,
  master: number,
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(
    `${replica} to replicate from ${master}`,
    async () => {
      const s = await slaveStatus(topology, replica);
      return s?.Master_Port === master && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes'
        ? true
        : undefined;
    },
    timeoutMs,
  );
}

export async function readOnly(topology: Topology, port: number): Promise<number> {
  const [row] = await topology.query<{ ro: number }>(port, 'SELECT @@read_only AS ro');
  return Number(row?.ro);
}

/** Waits until `port` holds exactly `count` rows in `table`. */
export async function waitRowCount(
  topology: Topology,
  port: number,
  table: string,
  count: number,
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(
    `${port} to hold ${count} rows in ${table}`,
    async () => {
      const [row] = await topology.query<{ n: number }>(port, `SELECT COUNT(*) AS n FROM ${table}`);
      return Number(row?.n) === count ? true : undefined;
    },
    timeoutMs,
  );
}

/**
 * Exactly one successful recovery, every recovery ended, and every other one acknowledged: the
 * others can only be recoveries a leader stopped (a quorum blip on a loaded machine) and another
 * pass closed before finishing the job, which must not block the cluster.
 */
export function oneSuccessfulRecovery(rows: readonly RecoveryRow[]): boolean {
  return (
    rows.length > 0 &&
    rows.every((r) => r.ended) &&
    rows.filter((r) => r.successful).length === 1 &&
    rows.every((r) => r.successful || r.acknowledged)
  );
}

/** Waits until every listed node's own backend holds recoveries satisfying `check`; returns them per node. */
export async function everyNodeRecords(
  nodes: readonly OrchestratorNode[],
  what: string,
  check: (rows: RecoveryRow[]) => boolean,
  timeoutMs = 30_000,
): Promise<RecoveryRow[][]> {
  return Promise.all(
    nodes.map(async (node) => {
      let last: RecoveryRow[] = [];
      let readError = '';
      try {
        return await eventually(
          `node${node.index} to record ${what}`,
          async () => {
            try {
              last = recoveriesOf(node);
            } catch (error) {
              readError = String(error);
              return undefined;
            }
            return check(last) ? last : undefined;
          },
          timeoutMs,
        );
      } catch (error) {
        const steps = last.map((r) => `${r.uid}:\n  ${stepsOf(node, r.uid).join('\n  ')}`).join('\n');
        const state = node.process.running ? 'running' : 'NOT running';
        throw new Error(
          `${(error as Error).message}; it holds ${JSON.stringify(last)} (${state}; last read error: ${readError || 'none'})\n${steps}\n` +
            `--- node${node.index} output\n${node.process.output().slice(-3000)}`,
        );
      }
    }),
  );
}
