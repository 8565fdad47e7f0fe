// The replication-control routes of reference §6 (start/stop/restart/reset/detach/reattach replica,
// skip-query, read-only, binlogs, delay, semi-sync, kill-query, errant GTID, can-replicate-from),
// with the old `*slave*` names as synonyms. Changes are kind 'write' (leader only; followers
// forward them); answers are the reference's envelopes with the re-probed Instance in Details.
// Checks and statements live in @orchestrator/topology; this file only parses and wires.

import type { Discovery as ApiDiscovery, InstanceReads } from '@orchestrator/api';
import {
  badParameter,
  parseKey,
  parseNonNegativeInt,
  type RouteDef,
  type RouteRequest,
} from '@orchestrator/api';
import { createMySQLOperations, type Leadership } from '@orchestrator/recovery';
import type { InstanceKey, Store } from '@orchestrator/store';
import {
  type ControlResult,
  checkCanReplicateFrom,
  detachReplica,
  detachReplicaMasterHost,
  disableGtid,
  enableGtid,
  flushBinaryLogs,
  gtidErrantInjectEmpty,
  gtidErrantResetMaster,
  locateGtidErrant,
  purgeBinaryLogs,
  ReplicationControl,
  reattachReplica,
  reattachReplicaMasterHost,
  restartPreserveStatements,
} from '@orchestrator/topology';
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { recoveryConfigFrom } from '../recovery.js';
import { freshInstance } from './fresh-instance.js';

/** How long an operation's own maintenance lock may live if the daemon dies holding it. */
const OPERATION_LOCK_SECONDS = 600;

export interface ReplicationControlWiring {
  config: OrchestratorConfig;
  derived: DerivedConfig;
  store: Store;
  /** Leadership with quorum, checked before every change. */
  raft: Leadership;
  discovery: ApiDiscovery;
  instances: InstanceReads;
  log: Logger;
}

/** ReplicationControl on this node's backend, discovery and a MySQL connector guarded by raft leadership. */
export function createReplicationControl(w: ReplicationControlWiring): {
  control: ReplicationControl;
  close: () => Promise<void>;
} {
  const { mysql, close } = createMySQLOperations(recoveryConfigFrom(w.config, w.derived), w.raft);
  const control = new ReplicationControl({
    mysql,
    instances: {
      instance: async (key) => w.instances.instance(key),
      replicas: async (key) => w.instances.replicas(key),
      clusterInstances: async (name) => w.instances.clusterInstances(name),
    },
    maintenance: {
      begin: async (key, owner, reason) =>
        (await w.store.maintenance.begin(key, owner, reason, OPERATION_LOCK_SECONDS)) !== undefined,
      end: async (key) => {
        await w.store.maintenance.end(key);
      },
    },
    audit: async (type, key, message) => {
      const clusterName = (await w.instances.instance(key))?.ClusterName ?? '';
      await w.store.audit.write(type, key, clusterName, message).catch((err: Error) => {
        w.log.warn({ type, error: err.message }, 'audit not written');
      });
    },
    refresh: async (key) => {
      const probed = await w.discovery.discover(key);
      const stored = await w.instances.instance(key);
      if (!stored) return probed;
      return freshInstance(probed, stored);
    },
    options: {
      stopNiceTimeoutMs: w.config.StopReplicationNiceTimeoutSeconds * 1000,
      reasonableLagSeconds: w.config.ReasonableMaintenanceReplicationLagSeconds,
    },
  });
  return { control, close };
}

type Op = (control: ReplicationControl, key: InstanceKey, req: RouteRequest) => Promise<ControlResult>;

/** An instance route: `<name>/:host/:port[/extra…]`, plus its `slave` synonym when the name has one. */
function instanceRoute(control: ReplicationControl, name: string, op: Op, extra: string[] = []): RouteDef {
  const tail = ['', ':host', ':port', ...extra.map((p) => `:${p}`)].join('/');
  // The word `replica` only (delay-replication has no `slave` synonym).
  const slave = name.replace(/(^|-)replica(-|$)/, '$1slave$2');
  const names = [name, ...(slave !== name ? [slave] : [])];
  return {
    name,
    paths: names.map((n) => `${n}${tail}`),
    kind: 'write',
    handler: async (req) => {
      const { instance, message } = await op(control, parseKey(req.params), req);
      return { Code: 'OK', Message: message, Details: instance };
    },
  };
}

function logFileParam(value: string | undefined): string {
  // A binlog name: letters, digits, dot, dash, underscore (PURGE binds it as a string anyway).
  if (value === undefined || !/^[A-Za-z0-9._-]{1,255}$/.test(value))
    throw badParameter('logFile', 'not a binary log file name', value);
  return value;
}

export function replicationRoutes(control: ReplicationControl): RouteDef[] {
  const canReplicate = (viaGtid: boolean) => async (req: RouteRequest) => {
    const key = parseKey(req.params);
    const below = parseKey(req.params, 'belowHost', 'belowPort');
    await checkCanReplicateFrom(control, key, below, viaGtid);
    return { Code: 'OK', Message: 'true', Details: below };
  };
  return [
    instanceRoute(control, 'start-replica', (c, k) => c.startReplica(k)),
    instanceRoute(control, 'stop-replica', (c, k) => c.stopReplica(k)),
    instanceRoute(control, 'stop-replica-nice', (c, k) => c.stopReplicaNice(k)),
    instanceRoute(control, 'restart-replica', (c, k) => c.restartReplica(k)),
    instanceRoute(control, 'reset-replica', (c, k) => c.resetReplica(k)),
    instanceRoute(control, 'detach-replica', (c, k) => detachReplica(c, k)),
    instanceRoute(control, 'reattach-replica', (c, k) => reattachReplica(c, k)),
    instanceRoute(control, 'detach-replica-master-host', (c, k) => detachReplicaMasterHost(c, k)),
    instanceRoute(control, 'reattach-replica-master-host', (c, k) => reattachReplicaMasterHost(c, k)),
    instanceRoute(control, 'skip-query', (c, k) => c.skipQuery(k)),
    instanceRoute(control, 'set-read-only', (c, k) => c.setReadOnly(k, true)),
    instanceRoute(control, 'set-writeable', (c, k) => c.setReadOnly(k, false)),
    instanceRoute(control, 'flush-binary-logs', (c, k) => flushBinaryLogs(c, k)),
    instanceRoute(
      control,
      'purge-binary-logs',
      (c, k, req) =>
        purgeBinaryLogs(c, k, logFileParam(req.params.logFile), req.query.get('force') === 'true'),
      ['logFile'],
    ),
    instanceRoute(
      control,
      'delay-replication',
      (c, k, req) => c.delayReplication(k, parseNonNegativeInt(req.params.seconds, 'seconds')),
      ['seconds'],
    ),
    instanceRoute(
      control,
      'kill-query',
      (c, k, req) => c.killQuery(k, parseNonNegativeInt(req.params.process, 'process')),
      ['process'],
    ),
    instanceRoute(control, 'enable-semi-sync-master', (c, k) => c.setSemiSync(k, 'master', true)),
    instanceRoute(control, 'disable-semi-sync-master', (c, k) => c.setSemiSync(k, 'master', false)),
    instanceRoute(control, 'enable-semi-sync-replica', (c, k) => c.setSemiSync(k, 'replica', true)),
    instanceRoute(control, 'disable-semi-sync-replica', (c, k) => c.setSemiSync(k, 'replica', false)),
    instanceRoute(control, 'enable-gtid', (c, k) => enableGtid(c, k)),
    instanceRoute(control, 'disable-gtid', (c, k) => disableGtid(c, k)),
    instanceRoute(control, 'gtid-errant-reset-master', (c, k) => gtidErrantResetMaster(c, k)),
    instanceRoute(control, 'gtid-errant-inject-empty', (c, k) => gtidErrantInjectEmpty(c, k)),
    {
      // Read-only (nothing runs), but the reference authorizes it as an action.
      name: 'restart-replica-statements',
      paths: ['restart-replica-statements/:host/:port', 'restart-slave-statements/:host/:port'],
      kind: 'proxied',
      auth: 'write',
      handler: async (req) => {
        const key = parseKey(req.params);
        const threads = await control.deps.mysql.replicaStatus(key);
        const statements = restartPreserveStatements(threads, req.query.get('q') ?? '');
        return { Code: 'OK', Message: `statements for: ${key.Hostname}:${key.Port}`, Details: statements };
      },
    },
    {
      name: 'locate-gtid-errant',
      paths: ['locate-gtid-errant/:host/:port'],
      kind: 'proxied',
      handler: async (req) => {
        const binlogs = await locateGtidErrant(control, parseKey(req.params));
        return { Code: 'OK', Message: 'located errant GTID', Details: binlogs };
      },
    },
    // last-pseudo-gtid is served with the topology routes (Pseudo-GTID matching lives there).
    {
      name: 'can-replicate-from',
      paths: ['can-replicate-from/:host/:port/:belowHost/:belowPort'],
      kind: 'proxied',
      handler: canReplicate(false),
    },
    {
      name: 'can-replicate-from-gtid',
      paths: ['can-replicate-from-gtid/:host/:port/:belowHost/:belowPort'],
      kind: 'proxied',
      handler: canReplicate(true),
    },
  ];
}
