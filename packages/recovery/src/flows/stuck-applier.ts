// A replica whose SQL thread waits on a lock held by another session on that replica (a backup's
// FLUSH TABLES WITH READ LOCK, a report's LOCK TABLES) cannot be stopped: STOP SLAVE only wakes the
// applier, which goes back to waiting, so the statement hangs until the lock goes. A recovery must
// still stop such a lagging replica to move it under the new master, so once the nice wait is over
// it kills an applier waiting on a lock (its transaction rolls back and is fetched again from the
// new master) before STOP SLAVE.
import { errorMessage, LeadershipLostError } from '../errors.js';
import type { Row } from '../mysql/connections.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey } from '../types.js';

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

function rethrowLeadership(error: unknown): void {
  if (error instanceof LeadershipLostError) throw error;
}

/**
 * Replication applier threads (MariaDB Slave_SQL/Slave_worker, MySQL "system user" appliers) that
 * wait on a lock, from SHOW PROCESSLIST rows. The IO thread never waits on a lock.
 */
export function lockedApplierThreads(rows: readonly Row[]): number[] {
  return rows
    .filter(
      (r) =>
        String(r.User ?? '') === 'system user' &&
        /^waiting for .*lock$/i.test(String(r.State ?? '')) &&
        !/^Binlog Dump/i.test(String(r.Command ?? '')),
    )
    .map((r) => Number(r.Id))
    .filter((id) => Number.isInteger(id) && id > 0);
}

/**
 * Stops replication nicely (the IO thread first, then up to `niceTimeoutMs` for the SQL thread to
 * apply what it received, then STOP SLAVE); appliers still stuck on a lock at that point are
 * killed first so STOP SLAVE cannot hang. Returns whether the relay log was fully applied.
 */
export async function stopReplicationUnsticking(
  run: RecoveryRun,
  key: InstanceKey,
  niceTimeoutMs: number,
): Promise<boolean> {
  const { mysql } = run.ctx;
  const status = await mysql.replicaStatus(key);
  if (!status) return true;
  await mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
  const applied = await mysql.waitRelayLogApplied(key, status.sqlRunning ? niceTimeoutMs : 0);
  if (!applied) {
    for (const id of lockedApplierThreads(await mysql.query(key, 'SHOW PROCESSLIST'))) {
      try {
        await mysql.kill(key, id);
        await run.audit(`killed replication applier thread ${id} on ${keyOf(key)}: it waited on a lock`);
      } catch (error) {
        rethrowLeadership(error);
        // It may have ended by itself between the read and the kill.
        await run.audit(`could not kill applier thread ${id} on ${keyOf(key)}: ${errorMessage(error)}`);
      }
    }
  }
  await mysql.stopReplication(key);
  return applied;
}
