// flush-binary-logs and purge-binary-logs. A purge is refused while a replica still executes or
// reads a file it would delete; the replicas are the backend's view united with SHOW SLAVE HOSTS,
// each read live when it answers.
import type { Instance, InstanceKey } from '@orchestrator/model';
import { type BinlogConsumer, keyString, purgeRefusal } from './checks.js';
import { compareBinlogFiles } from './coordinates.js';
import { ControlError, refused } from './errors.js';
import type { ControlResult, ReplicationControl } from './replication-control.js';

export async function flushBinaryLogs(ctl: ReplicationControl, key: InstanceKey): Promise<ControlResult> {
  const live = await ctl.deps.mysql.readState(key);
  if (!live.logBin) throw refused(`flush-binary-logs: binary logging is disabled on ${keyString(key)}`);
  await ctl.deps.mysql.execute(key, 'flush binary logs', 'FLUSH BINARY LOGS');
  return ctl.done('flush-binary-logs', key, `Binary logs flushed on: ${keyString(key)}`, 'success');
}

/** PURGE BINARY LOGS TO `logFile`; `force` skips the in-use check (the reference's force flag). */
export async function purgeBinaryLogs(
  ctl: ReplicationControl,
  key: InstanceKey,
  logFile: string,
  force = false,
): Promise<ControlResult> {
  const mysql = ctl.deps.mysql;
  const live = await mysql.readState(key);
  if (!live.logBin) throw refused(`purge-binary-logs: binary logging is disabled on ${keyString(key)}`);
  const binlogs = (await mysql.query(key, 'SHOW BINARY LOGS')).map((r) => String(r.Log_name));
  const reason = purgeRefusal(key, logFile, binlogs, force ? [] : await binlogConsumers(ctl, key));
  if (reason) throw refused(reason);
  await mysql.execute(key, `purge binary logs to ${logFile}`, 'PURGE BINARY LOGS TO ?', [logFile]);
  // The server silently keeps a file a connected replica's dump thread still reads: say so.
  const kept = (await mysql.query(key, 'SHOW BINARY LOGS'))
    .map((r) => String(r.Log_name))
    .filter((f) => compareBinlogFiles(f, logFile) < 0);
  if (kept.length > 0)
    throw new ControlError(
      'FAILED',
      `purge-binary-logs: ${keyString(key)} kept ${kept.join(', ')} (still read by a connected replica); purge again once it moved on`,
    );
  return ctl.done(
    'purge-binary-logs',
    key,
    `Binary logs purged on: ${keyString(key)}`,
    `purged to ${logFile}`,
  );
}

async function binlogConsumers(ctl: ReplicationControl, key: InstanceKey): Promise<BinlogConsumer[]> {
  const mysql = ctl.deps.mysql;
  const byKey = new Map<string, { key: InstanceKey; view?: Instance }>();
  for (const v of await ctl.deps.instances.replicas(key))
    byKey.set(keyString(v.Key), { key: v.Key, view: v });
  for (const h of await mysql.query(key, 'SHOW SLAVE HOSTS').catch(() => [])) {
    const k = { Hostname: String(h.Host ?? ''), Port: Number(h.Port ?? 0) };
    if (k.Hostname !== '' && k.Port > 0 && !byKey.has(keyString(k))) byKey.set(keyString(k), { key: k });
  }
  const out: BinlogConsumer[] = [];
  for (const { key: k, view } of byKey.values()) {
    try {
      const r = await mysql.replicaStatus(k);
      if (r && keyString(r.masterKey) === keyString(key))
        out.push({ key: k, execLogFile: r.execCoordinates.LogFile, readLogFile: r.readCoordinates.LogFile });
    } catch {
      // Unreachable now: trust what was last probed.
      if (view)
        out.push({
          key: k,
          execLogFile: view.ExecBinlogCoordinates.LogFile,
          readLogFile: view.ReadBinlogCoordinates.LogFile,
        });
    }
  }
  return out;
}
