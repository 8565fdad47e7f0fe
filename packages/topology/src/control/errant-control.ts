// Errant-GTID operations (locate-gtid-errant, gtid-errant-reset-master, gtid-errant-inject-empty)
// and the read-only can-replicate-from checks, on top of ReplicationControl's building blocks.

import type { Instance, InstanceKey } from '@orchestrator/model';
import { formatGtidSet, parseGtidSet, subtractGtidSets } from '@orchestrator/prober';
import { canReplicateFrom, checkMoveViaGtid, errantGtidRefusal, keyString } from './checks.js';
import {
  explodeOracleGtidSet,
  locateMariaDBErrant,
  locateOracleErrant,
  mariadbStateWithoutErrant,
  parseGtidListInfo,
} from './errant.js';
import { ControlError, refused } from './errors.js';
import type { ControlResult, ReplicationControl } from './replication-control.js';

const isMariaDB = (i: Pick<Instance, 'Version'>) => /mariadb/i.test(i.Version);

/** The first events of a binlog (Format_desc, then Gtid_list / Previous_gtids). */
async function headerEvent(ctl: ReplicationControl, key: InstanceKey, file: string, type: string) {
  const rows = await ctl.deps.mysql.query(key, 'SHOW BINLOG EVENTS IN ? LIMIT 4', [file]);
  return String(rows.find((r) => String(r.Event_type) === type)?.Info ?? '');
}

/** locate-gtid-errant: the binary logs holding the instance's errant transactions, oldest first. */
export async function locateGtidErrant(ctl: ReplicationControl, key: InstanceKey): Promise<string[]> {
  const view = await ctl.deps.refresh(key);
  if (view.GtidErrant === '') throw refused(`locate-errant-gtid: no errant-gtid on ${keyString(key)}`);
  const binlogs = (await ctl.deps.mysql.query(key, 'SHOW BINARY LOGS')).map((r) => String(r.Log_name));
  if (binlogs.length === 0) throw refused(`locate-errant-gtid: ${keyString(key)} has no binary logs`);
  let located: { binlogs: string[] } | { purged: string };
  if (isMariaDB(view)) {
    const files = [];
    for (const name of binlogs)
      files.push({ name, startState: parseGtidListInfo(await headerEvent(ctl, key, name, 'Gtid_list')) });
    const [state] = await ctl.deps.mysql.query(key, 'SELECT @@GLOBAL.gtid_binlog_state AS s');
    const master = await ctl.deps.instances.instance(view.MasterKey);
    located = locateMariaDBErrant(
      files,
      parseGtidListInfo(String(state?.s ?? '')),
      view.GtidErrant,
      master?.MariaDBGtidBinlogPos ?? '',
    );
  } else {
    const files = [];
    for (const name of binlogs)
      files.push({ name, previousGtids: await headerEvent(ctl, key, name, 'Previous_gtids') });
    located = locateOracleErrant(files, view.GtidErrant, view.GtidPurged);
  }
  if ('purged' in located)
    throw refused(`locate-errant-gtid: ${located.purged} is already purged on ${keyString(key)}`);
  return located.binlogs;
}

/**
 * gtid-errant-reset-master: RESET MASTER, then gtid_purged := executed − errant, so
 * the server keeps every legitimate transaction in its GTID history. Needs an instance without
 * replicas; runs under a maintenance lock.
 */
export async function gtidErrantResetMaster(
  ctl: ReplicationControl,
  key: InstanceKey,
): Promise<ControlResult> {
  const view = await ctl.deps.refresh(key);
  const reason = errantGtidRefusal('gtid-errant-reset-master', view);
  if (reason) throw refused(reason);
  const mysql = ctl.deps.mysql;
  if (isMariaDB(view)) return mariadbResetMaster(ctl, key, view);
  await ctl.withMaintenance(key, 'reset-master-gtid', async () => {
    const wasReplica = (await mysql.replicaStatus(key)) !== null;
    if (wasReplica) await ctl.stop(key);
    const executed = (await mysql.readState(key)).oracle?.executed ?? '';
    const keep = formatGtidSet(subtractGtidSets(parseGtidSet(executed), parseGtidSet(view.GtidErrant)));
    await mysql.execute(key, 'reset master', 'RESET MASTER');
    const [status] = await mysql.query(key, 'SHOW MASTER STATUS');
    if (String(status?.Executed_Gtid_Set ?? '').trim() !== '') {
      throw new ControlError(
        'FAILED',
        `gtid-errant-reset-master: Unexpected non-empty Executed_Gtid_Set on ${keyString(key)} after RESET MASTER; intended gtid_purged: ${keep}`,
      );
    }
    await mysql.execute(key, 'set gtid_purged', 'SET GLOBAL gtid_purged = ?', [keep]);
    if (wasReplica) await ctl.start(key, false);
  });
  return {
    ...(await ctl.done('gtid-errant-reset-master', key, '', `${keyString(key)} master reset`)),
    message: `Removed errant GTID on ${keyString(key)} and issued a RESET MASTER`,
  };
}

/**
 * MariaDB (our extension; the reference refuses): RESET MASTER, then gtid_binlog_state := the state
 * without the errant entries, so the server's binlog history matches its master's again. The
 * errant transactions' data stays (as with Oracle); only their GTIDs are forgotten.
 */
async function mariadbResetMaster(
  ctl: ReplicationControl,
  key: InstanceKey,
  view: Instance,
): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  const master = await ctl.deps.instances.instance(view.MasterKey);
  let keep = '';
  await ctl.withMaintenance(key, 'reset-master-gtid', async () => {
    const wasReplica = (await mysql.replicaStatus(key)) !== null;
    if (wasReplica) await ctl.stop(key);
    const [row] = await mysql.query(key, 'SELECT @@GLOBAL.gtid_binlog_state AS s');
    keep = mariadbStateWithoutErrant(
      String(row?.s ?? ''),
      view.GtidErrant,
      master?.MariaDBGtidBinlogPos ?? '',
    );
    await mysql.execute(key, 'reset master', 'RESET MASTER');
    if (keep !== '')
      await mysql.execute(key, 'set gtid_binlog_state', 'SET GLOBAL gtid_binlog_state = ?', [keep]);
    if (wasReplica) await ctl.start(key, false);
  });
  return {
    ...(await ctl.done(
      'gtid-errant-reset-master',
      key,
      '',
      `${keyString(key)} master reset; gtid_binlog_state ${keep}`,
    )),
    message: `Removed errant GTID on ${keyString(key)} and issued a RESET MASTER`,
  };
}

/** gtid-errant-inject-empty (Oracle GTID): commits each errant GTID as an empty transaction on the cluster's master. */
export async function gtidErrantInjectEmpty(
  ctl: ReplicationControl,
  key: InstanceKey,
): Promise<ControlResult> {
  const view = await ctl.deps.refresh(key);
  const reason = errantGtidRefusal('gtid-errant-inject-empty', view);
  if (reason) throw refused(reason);
  const members = await ctl.deps.instances.clusterInstances(view.ClusterName);
  const inCluster = new Set(members.map((m) => keyString(m.Key)));
  const master = members.find((m) => !m.ReadOnly && !inCluster.has(keyString(m.MasterKey)));
  if (!master)
    throw refused(`gtid-errant-inject-empty found no writable master for ${view.ClusterName} cluster`);
  if (!master.SupportsOracleGTID)
    throw refused(
      `gtid-errant-inject-empty requested for ${keyString(key)} but the cluster's master ${keyString(master.Key)} does not support oracle-gtid`,
    );
  const entries = explodeOracleGtidSet(view.GtidErrant);
  const mysql = ctl.deps.mysql;
  for (const gtid of entries) {
    await mysql.execute(master.Key, `set gtid_next ${gtid}`, `SET GTID_NEXT = '${gtid}'`);
    await mysql.execute(master.Key, 'empty transaction', 'BEGIN');
    await mysql.execute(master.Key, 'empty transaction', 'COMMIT');
    await mysql.execute(master.Key, 'reset gtid_next', "SET GTID_NEXT = 'AUTOMATIC'");
  }
  const result = await ctl.done(
    'gtid-errant-inject-empty',
    key,
    '',
    `injected ${entries.length} empty transactions on ${keyString(master.Key)}`,
  );
  return {
    ...result,
    message: `Injected ${entries.length} empty transactions on ${keyString(master.Key)}`,
  };
}

/**
 * can-replicate-from[-gtid]: whether `key` could replicate from `belowKey` as the backend sees
 * them. Resolves with null when it can; throws a refusal naming the reason when it cannot (the
 * reference answers an ERROR envelope then).
 */
export async function checkCanReplicateFrom(
  ctl: ReplicationControl,
  key: InstanceKey,
  belowKey: InstanceKey,
  viaGtid: boolean,
): Promise<void> {
  const instance = await ctl.deps.instances.instance(key);
  if (!instance) throw refused(`Cannot read instance: ${keyString(key)}`);
  const below = await ctl.deps.instances.instance(belowKey);
  if (!below) throw refused(`Cannot read instance: ${keyString(belowKey)}`);
  const reason =
    canReplicateFrom(instance, below, ctl.reasonableLagSeconds) ??
    (viaGtid ? checkMoveViaGtid(instance, below) : null);
  if (reason) throw refused(reason);
}
