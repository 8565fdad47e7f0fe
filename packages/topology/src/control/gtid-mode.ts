// enable-gtid / disable-gtid: switch a replica between GTID auto-positioning and file:pos
// replication at the position it executed (the reference's Repoint with a GTID hint), under a
// maintenance lock, and verify the switch took.
import type { InstanceKey } from '@orchestrator/model';
import { keyString, notAReplica } from './checks.js';
import { ControlError, refused } from './errors.js';
import type { ControlResult, ReplicationControl } from './replication-control.js';

export async function enableGtid(ctl: ReplicationControl, key: InstanceKey): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  const live = await mysql.readState(key);
  const reason = notAReplica(live);
  if (reason) throw refused(reason);
  if (live.replica?.usingMariaDBGtid || live.replica?.autoPosition)
    throw refused(`${keyString(key)} already uses GTID`);
  if (live.flavor === 'oracle' && live.oracle?.gtidMode !== 'ON')
    throw refused(`Cannot enable GTID on ${keyString(key)}: gtid_mode is ${live.oracle?.gtidMode || 'OFF'}`);
  await ctl.withMaintenance(key, 'enable-gtid', async () => {
    await ctl.stop(key);
    const sql =
      live.flavor === 'mariadb'
        ? 'CHANGE MASTER TO MASTER_USE_GTID = slave_pos'
        : 'CHANGE MASTER TO MASTER_AUTO_POSITION = 1';
    await mysql.execute(key, 'enable GTID', sql);
    await ctl.start(key, false);
  });
  const after = await mysql.replicaStatus(key);
  if (!after?.usingMariaDBGtid && !after?.autoPosition)
    throw new ControlError('FAILED', `Cannot enable GTID on ${keyString(key)}`);
  return ctl.done(
    'enable-gtid',
    key,
    `Enabled GTID on ${keyString(key)}`,
    `enabled GTID on ${keyString(key)}`,
  );
}

export async function disableGtid(ctl: ReplicationControl, key: InstanceKey): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  const live = await mysql.readState(key);
  const reason = notAReplica(live);
  if (reason) throw refused(reason);
  if (!live.replica?.usingMariaDBGtid && !live.replica?.autoPosition)
    throw refused(`${keyString(key)} is not using GTID`);
  await ctl.withMaintenance(key, 'disable-gtid', async () => {
    await ctl.stop(key);
    const r = await mysql.replicaStatus(key);
    const exec = r?.execCoordinates;
    if (!exec || exec.LogFile === '')
      throw new ControlError('FAILED', `Cannot disable GTID on ${keyString(key)}: no executed coordinates`);
    const mode = live.flavor === 'mariadb' ? 'MASTER_USE_GTID = no' : 'MASTER_AUTO_POSITION = 0';
    await mysql.execute(
      key,
      'disable GTID',
      `CHANGE MASTER TO MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, ${mode}`,
      [exec.LogFile, exec.LogPos],
    );
    await ctl.start(key, false);
  });
  const after = await mysql.replicaStatus(key);
  if (after?.usingMariaDBGtid || after?.autoPosition)
    throw new ControlError('FAILED', `Cannot disable GTID on ${keyString(key)}`);
  return ctl.done(
    'disable-gtid',
    key,
    `Disabled GTID on ${keyString(key)}`,
    `disabled GTID on ${keyString(key)}`,
  );
}
