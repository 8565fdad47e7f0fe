// detach-replica / reattach-replica (the executed coordinates encoded in Master_Log_File) and
// detach-replica-master-host / reattach-replica-master-host (Master_Host prefixed with `//`): both
// break replication reversibly, under a maintenance lock, as the reference does.

import type { InstanceKey } from '@orchestrator/model';
import type { ReplicaStatus } from '@orchestrator/recovery';
import {
  detachMasterHostRefusal,
  detachReplicaRefusal,
  keyString,
  reattachMasterHostRefusal,
  reattachReplicaRefusal,
} from './checks.js';
import { detachedHost, detachedLogFile, parseDetachedLogFile, reattachedHost } from './coordinates.js';
import { ControlError, refused } from './errors.js';
import type { ControlResult, ReplicationControl } from './replication-control.js';

function check(reason: string | null): void {
  if (reason !== null) throw refused(reason);
}

async function requireStatus(ctl: ReplicationControl, key: InstanceKey): Promise<ReplicaStatus> {
  const r = await ctl.deps.mysql.replicaStatus(key);
  if (!r) throw new ControlError('FAILED', `${keyString(key)} is no longer a replica`);
  return r;
}

/** MariaDB's MASTER_USE_GTID value (Using_Gtid: Slave_Pos / Current_Pos). */
async function mariadbUseGtid(ctl: ReplicationControl, key: InstanceKey): Promise<string | undefined> {
  const [s] = await ctl.deps.mysql.query(key, 'SHOW SLAVE STATUS');
  const v = String(s?.Using_Gtid ?? '').toLowerCase();
  return v === 'slave_pos' || v === 'current_pos' ? v : undefined;
}

/** Encodes the executed coordinates in Master_Log_File (`//file:pos[:slave_pos]`). */
export async function detachReplica(ctl: ReplicationControl, key: InstanceKey): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  check(detachReplicaRefusal(await mysql.readState(key)));
  let encoded = '';
  await ctl.withMaintenance(key, 'detach replica', async () => {
    await ctl.stop(key);
    const r = await requireStatus(ctl, key);
    const useGtid = r.usingMariaDBGtid ? await mariadbUseGtid(ctl, key) : undefined;
    const exec = r.execCoordinates;
    encoded = detachedLogFile({ logFile: exec.LogFile, logPos: exec.LogPos, useGtid });
    await mysql.execute(key, 'detach replica', 'CHANGE MASTER TO MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?', [
      encoded,
      exec.LogPos,
    ]);
    await ctl.start(key, false);
  });
  return ctl.done('detach-replica', key, `Replica detached: ${keyString(key)}`, `detached into ${encoded}`);
}

/** Restores the coordinates (and the MariaDB GTID mode) detach-replica encoded. */
export async function reattachReplica(ctl: ReplicationControl, key: InstanceKey): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  const live = await mysql.readState(key);
  check(reattachReplicaRefusal(live));
  const c = parseDetachedLogFile(live.replica?.execCoordinates.LogFile ?? '');
  if (!c) throw refused(`Cannot reattach replica on: ${keyString(key)} because replica is not detached`);
  await ctl.withMaintenance(key, 'reattach replica', async () => {
    await ctl.stop(key);
    const gtid = c.useGtid
      ? `, MASTER_USE_GTID = ${c.useGtid === 'current_pos' ? 'current_pos' : 'slave_pos'}`
      : '';
    await mysql.execute(
      key,
      'reattach replica',
      `CHANGE MASTER TO MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?${gtid}`,
      [c.logFile, c.logPos],
    );
    await ctl.start(key, false);
  });
  return ctl.done(
    'reattach-replica',
    key,
    `Replica reattached: ${keyString(key)}`,
    `reattached at ${c.logFile}:${c.logPos}`,
  );
}

/** Stops replication, points Master_Host at `host` keeping the position, starts replication. */
async function changeMasterHost(ctl: ReplicationControl, key: InstanceKey, host: string): Promise<void> {
  const mysql = ctl.deps.mysql;
  await ctl.stop(key);
  const r = await requireStatus(ctl, key);
  const exec = r.execCoordinates;
  if (r.usingMariaDBGtid || r.autoPosition || exec.LogFile === '') {
    await mysql.execute(key, `change master host to ${host}`, 'CHANGE MASTER TO MASTER_HOST = ?', [host]);
  } else {
    // Changing the host resets file:pos coordinates; keep the executed ones.
    await mysql.execute(
      key,
      `change master host to ${host}`,
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?',
      [host, exec.LogFile, exec.LogPos],
    );
  }
  await ctl.start(key, false);
}

/** Prefixes Master_Host with `//`: replication breaks (no such host) and is reversible. */
export async function detachReplicaMasterHost(
  ctl: ReplicationControl,
  key: InstanceKey,
): Promise<ControlResult> {
  const live = await ctl.deps.mysql.readState(key);
  check(detachMasterHostRefusal(live));
  const host = detachedHost(live.replica?.masterKey.Hostname ?? '');
  await ctl.withMaintenance(key, 'detach-replica-master-host', () => changeMasterHost(ctl, key, host));
  return ctl.done('repoint', key, `Replica detached: ${keyString(key)}`, `detached from master into ${host}`);
}

export async function reattachReplicaMasterHost(
  ctl: ReplicationControl,
  key: InstanceKey,
): Promise<ControlResult> {
  const live = await ctl.deps.mysql.readState(key);
  check(reattachMasterHostRefusal(live));
  const host = reattachedHost(live.replica?.masterKey.Hostname ?? '');
  await ctl.withMaintenance(key, 'reattach-replica-master-host', () => changeMasterHost(ctl, key, host));
  return ctl.done('repoint', key, `Replica reattached: ${keyString(key)}`, `reattached to master ${host}`);
}
