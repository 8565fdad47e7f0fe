// graceful-master-takeover(-auto) (reference §5.2 "Graceful takeover"): the old master is made
// read-only, the designated replica applies everything the old master wrote, and only then is it
// promoted; so every write acknowledged by the old master is on the new one (zero lost rows).
import { type BinlogPosition, formatBinlogPosition } from '../coordinates.js';
import { errorMessage, LeadershipLostError, RecoveryError } from '../errors.js';
import { liveView, type ReplicationCredentials } from '../mysql/operations.js';
import { planMasterFailover } from '../planner.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey } from '../types.js';
import { keyOf, replicaKeysOf, replicatesFrom, rethrowLeadership, rulesFor, sameKey } from './common.js';
import { runMasterFailover } from './master.js';

export interface TakeoverOptions {
  designated: InstanceKey | null;
  /** -auto: start replication on the demoted master. */
  startOldMaster: boolean;
  /** graceful: wait for the designated replica; force-master-takeover skips the read_only + wait. */
  graceful: boolean;
}

export async function runTakeover(run: RecoveryRun, opts: TakeoverOptions): Promise<InstanceKey | null> {
  const { mysql, reads } = run.ctx;
  const oldMaster = run.entry.AnalyzedInstanceKey;
  let madeReadOnly = false;
  let designated = opts.designated;
  let creds: ReplicationCredentials | null = null;
  try {
    const keys = await replicaKeysOf(run, oldMaster, run.entry.ClusterDetails.ClusterName);
    const views = [];
    for (const key of keys) {
      try {
        const status = await mysql.replicaStatus(key);
        if (status && (await replicatesFrom(run, key, status.masterKey, oldMaster)))
          views.push(liveView(await mysql.readState(key), await reads.instance(key)));
      } catch (error) {
        rethrowLeadership(error);
      }
    }
    if (designated && !views.some((v) => sameKey(designated as InstanceKey, v.Key)))
      throw new RecoveryError(
        'INVALID_ARGUMENT',
        `${keyOf(designated)} is not a direct replica of the master ${keyOf(oldMaster)}`,
      );
    if (!designated) {
      if (views.length !== 1 && !opts.graceful)
        throw new RecoveryError('INVALID_ARGUMENT', 'force-master-takeover needs a designated replica');
      const plan = planMasterFailover({
        config: run.config,
        deadMaster: await reads.instance(oldMaster),
        deadMasterKey: oldMaster,
        replicas: views,
        rules: await rulesFor(run, views),
      });
      if (!plan.ok) throw new RecoveryError('NO_CANDIDATE', plan.message);
      designated = plan.candidate;
    }
    await run.audit(`${run.opts.command}: ${keyOf(oldMaster)} → ${keyOf(designated)}`);
    if (opts.graceful) await run.runHooks('PreGracefulTakeoverProcesses');

    // Read before the promotion: RESET SLAVE ALL forgets them.
    creds = await mysql.replicationCredentials(designated);

    if (opts.graceful) {
      await mysql.setReadOnly(oldMaster, true);
      madeReadOnly = true;
      await run.audit(`set read_only=1 on ${keyOf(oldMaster)}`);
      const waitMs = run.config.ReasonableMaintenanceReplicationLagSeconds * 1000;
      const target = designated;
      const designatedView = views.find((v) => sameKey(target, v.Key));
      if (designatedView?.UsingMariaDBGTID || designatedView?.UsingOracleGTID) {
        const { flavor, position } = await mysql.gtidPosition(oldMaster);
        await mysql.waitForGtid(designated, flavor, position, waitMs);
        await run.audit(`${keyOf(designated)} applied ${position}`);
      } else {
        // By coordinates the siblings must end where the designated replica does to follow it:
        // every replica is given the same time to execute all of the old master's binlog.
        const end = await mysql.binlogCoordinates(oldMaster);
        if (!end) throw new RecoveryError('STATE_CHANGED', `${keyOf(oldMaster)} has no binary log`);
        const others = views.filter((v) => !sameKey(target, v.Key));
        await Promise.all([
          mysql.waitForCoordinates(designated, end, waitMs),
          ...others.map((v) =>
            mysql
              .waitForCoordinates(v.Key, end, waitMs)
              .catch((error) => run.audit(`${keyOf(v.Key)} did not catch up: ${errorMessage(error)}`)),
          ),
        ]);
        await run.audit(`${keyOf(designated)} executed ${formatBinlogPosition(end)} of ${keyOf(oldMaster)}`);
      }
    }
  } catch (error) {
    run.addError(error);
    if (madeReadOnly && !(error instanceof LeadershipLostError)) {
      await mysql.setReadOnly(oldMaster, false).catch((e) => run.addError(e));
      await run.audit(`takeover aborted, ${keyOf(oldMaster)} writable again: ${errorMessage(error)}`);
    } else if (error instanceof LeadershipLostError) {
      // Left running: the next leader closes it and, with no writable master, finishes it.
      await run.audit(
        `takeover stopped: ${error.message}; left running: the next leader closes and resumes it`,
      );
      throw error;
    } else {
      await run.audit(`takeover aborted: ${errorMessage(error)}`);
    }
    await run.resolve(false);
    return null;
  }

  const { successor, successorBinlogEnd } = await runMasterFailover(run, {
    designated,
    forcePromotion: true,
    oldMasterAlive: opts.graceful,
  });
  if (!successor) {
    if (madeReadOnly) await mysql.setReadOnly(oldMaster, false).catch((e) => run.addError(e));
    return null;
  }
  if (opts.graceful)
    await demoteOldMaster(run, oldMaster, successor, creds, opts.startOldMaster, successorBinlogEnd);
  await run.runHooks('PostGracefulTakeoverProcesses').catch(() => {});
  return successor;
}

/** CHANGE MASTER the old master to the new one; -auto also starts it. */
async function demoteOldMaster(
  run: RecoveryRun,
  oldMaster: InstanceKey,
  successor: InstanceKey,
  creds: ReplicationCredentials | null,
  start: boolean,
  /** By coordinates: where the successor's binlog ended when it was promoted (the old master has all before it). */
  at: BinlogPosition | null,
): Promise<void> {
  const { mysql } = run.ctx;
  try {
    if (!creds?.user)
      throw new RecoveryError('INVALID_ARGUMENT', 'no replication user known (set MySQLReplicaUser)');
    if (creds.password === undefined)
      await run.audit(
        `replication password of ${creds.user} unknown (MariaDB cannot show it; set MySQLReplicaPassword)`,
      );
    if (at) await mysql.changeMasterToCoordinates(oldMaster, successor, at, creds);
    else {
      await mysql.alignGtidSlavePos(oldMaster);
      await mysql.changeMasterTo(oldMaster, successor, creds);
    }
    if (start) await mysql.startReplication(oldMaster);
    run.participate(oldMaster);
    await run.audit(
      `${keyOf(oldMaster)} now replicates from ${keyOf(successor)}${start ? '' : ' (not started)'}`,
    );
  } catch (error) {
    rethrowLeadership(error);
    run.addError(error);
    await run.audit(`could not re-point old master ${keyOf(oldMaster)}: ${errorMessage(error)}`);
  }
}
