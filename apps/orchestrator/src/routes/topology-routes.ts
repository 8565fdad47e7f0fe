// The topology refactoring routes of reference §6 (relocate, move-up, take-master, regroup, …) and
// our relocate-plan preview. Moves run on the leader only (kind 'write'; followers forward them):
// the planner refuses with a clear message and no change, the executor audits every step, then the
// moved instances are re-probed and answered in Details as the reference does.
import { badParameter, failed, parseKey, type RouteDef, type RouteRequest } from '@orchestrator/api';
import type { ProbeResult } from '@orchestrator/prober';
import { keyString } from '@orchestrator/prober';
import {
  createMySQLOperations,
  findLastPseudoGtid,
  type Leadership,
  matchOptions,
  mysqlBinlogSource,
} from '@orchestrator/recovery';
import type { Instance, InstanceKey, Store } from '@orchestrator/store';
import {
  type AnyPlan,
  isGroupKind,
  type MoveInstance,
  type MoveKind,
  MoveRefusedError,
  planSteps,
  TopologyMoves,
} from '@orchestrator/topology';
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { clusterView, pseudoGtidConfigFrom, recoveryConfigFrom } from '../recovery.js';
import { freshInstance } from './fresh-instance.js';

export interface TopologyService {
  readonly moves: TopologyMoves;
  /** The last Pseudo-GTID entry (its statement) in the instance's binlogs; throws naming why there is none. */
  lastPseudoGtid(key: InstanceKey): Promise<string>;
  /** Re-probes `key` now; its latest probe with the cluster fields derived (null when unknown). */
  reprobe(key: InstanceKey): Promise<Instance | null>;
  close(): Promise<void>;
}

/** What moves read probes from: the discovery loop (the daemon's, or the command line's). */
export interface MoveDiscovery {
  instances(): Instance[];
  /** Probes now; resolves with the result (rejects when probing cannot run here). */
  discover(key: InstanceKey): Promise<ProbeResult>;
}

/** Wires moves to this node: its MySQL operations (leader-guarded), view, audit table and maintenance locks. */
export function topologyService(
  config: OrchestratorConfig,
  derived: DerivedConfig,
  store: Store,
  raft: Leadership,
  discovery: MoveDiscovery,
  log: Logger,
): TopologyService {
  const { mysql, close } = createMySQLOperations(recoveryConfigFrom(config, derived), raft);
  const fresh = async (): Promise<Instance[]> => {
    const live = discovery.instances();
    return live.length > 0 ? live : store.instances.readAll();
  };
  const clusterOf = async (key: InstanceKey): Promise<string> =>
    (await fresh()).find((i) => keyString(i.Key) === keyString(key))?.ClusterName ?? '';
  const pseudoGtid = pseudoGtidConfigFrom(config);
  const moves = new TopologyMoves({
    mysql,
    leadership: raft,
    pseudoGtid,
    ReasonableMaintenanceReplicationLagSeconds: config.ReasonableMaintenanceReplicationLagSeconds,
    MaxConcurrentReplicaOperations: config.MaxConcurrentReplicaOperations,
    audit: async (e) => {
      log.info({ key: keyString(e.key), operation: e.type }, e.message);
      await store.audit.write(e.type, e.key, await clusterOf(e.key), e.message);
    },
    locks: {
      begin: async (key, reason) =>
        (await store.maintenance.begin(key, 'orchestrator', reason)) !== undefined,
      end: async (key) => {
        await store.maintenance.end(key);
      },
    },
    reads: {
      async around(keys) {
        const wanted = new Set(keys.map(keyString));
        const [clusters, maintenance, downtimes] = await Promise.all([
          fresh().then(clusterView),
          store.maintenance.active(),
          store.downtime.active(),
        ]);
        const inMaintenance = new Set(maintenance.map((m) => keyString(m.Key)));
        const downtimed = new Set(downtimes.map((d) => keyString(d.Key)));
        const view: MoveInstance[] = [];
        for (const members of clusters.values()) {
          if (!members.some((m) => wanted.has(keyString(m.Key)))) continue;
          for (const m of members)
            view.push({
              ...m,
              IsDowntimed: m.IsDowntimed || downtimed.has(keyString(m.Key)),
              InMaintenance: inMaintenance.has(keyString(m.Key)),
            });
        }
        return view;
      },
    },
  });
  const reprobe = async (key: InstanceKey): Promise<Instance | null> => {
    await discovery.discover(key).catch(() => null);
    const all = await fresh();
    for (const members of clusterView(all).values()) {
      const found = members.find((m) => keyString(m.Key) === keyString(key));
      if (found) return found;
    }
    return null;
  };
  const lastPseudoGtid = async (key: InstanceKey): Promise<string> => {
    const opts = matchOptions(pseudoGtid, pseudoGtid.PseudoGTIDMatchTimeoutSeconds * 1000);
    const query = (k: InstanceKey, sql: string, params?: unknown[]) => mysql.query(k, sql, params);
    const entry = await findLastPseudoGtid(mysqlBinlogSource(query, key), opts);
    if (!entry) throw new Error(`Cannot find pseudo GTID entry in binlogs of ${keyString(key)}`);
    return entry.info;
  };
  return { moves, reprobe, close, lastPseudoGtid };
}

interface MessageArgs {
  /** The instance the route names, `host:port`. */
  i: string;
  /** The new master (regroup: the promoted replica). */
  t: string;
  /** How many replicas moved. */
  n: number;
  /** How many could not move. */
  lost: number;
}

/** The reference's messages, by route. */
const MESSAGES: Record<MoveKind, (a: MessageArgs) => string> = {
  relocate: ({ i, t }) => `Instance ${i} relocated below ${t}`,
  'move-up': ({ i }) => `Instance ${i} moved up`,
  'move-below': ({ i, t }) => `Instance ${i} moved below ${t}`,
  'move-below-gtid': ({ i, t }) => `Instance ${i} moved below ${t} via GTID`,
  'move-equivalent': ({ i, t }) => `Instance ${i} relocated via equivalence coordinates below ${t}`,
  'match-below': ({ i, t }) => `Instance ${i} matched below ${t}`,
  'match-up': ({ i, t }) => `Instance ${i} matched up at ${t}`,
  repoint: ({ i, t }) => `Instance ${i} repointed below ${t}`,
  'take-master': ({ i }) => `${i} took its master`,
  'make-co-master': ({ i }) => `Instance made co-master: ${i}`,
  'relocate-replicas': ({ i, t, n }) => `Relocated ${n} replicas of ${i} below ${t}`,
  'move-replicas-gtid': ({ i, t, n }) => `Moved ${n} replicas of ${i} below ${t} via GTID`,
  'match-replicas': ({ i, t, n }) => `Matched ${n} replicas of ${i} below ${t}`,
  'move-up-replicas': ({ i, t, n }) => `Moved up ${n} replicas of ${i} below ${t}`,
  'match-up-replicas': ({ i, t, n }) => `Matched up ${n} replicas of ${i} below ${t}`,
  'repoint-replicas': ({ i, n }) => `Repointed ${n} replicas of ${i}`,
  'take-siblings': ({ i, n }) => `Took ${n} siblings of ${i}`,
  'regroup-replicas': ({ t, n, lost }) =>
    `promoted replica: ${t}, lost: ${lost}, trivial: ${n}, pseudo-gtid: 0`,
  'regroup-replicas-gtid': ({ t, n, lost }) => `promoted replica: ${t}, lost: ${lost}, moved: ${n}`,
  'regroup-replicas-pgtid': ({ t, n, lost }) =>
    `promoted replica: ${t}, lost: ${lost}, trivial: 0, pseudo-gtid: ${n}`,
};

/**
 * What a route answers with in Details (reference shapes): the moved Instance, the moved
 * Instance[] of group moves (also for move-replicas-gtid and match-*-replicas, whose reference
 * answer is a key that orchestrator-client's `.Details[].Key` cannot read), the instance for
 * take-siblings and the promoted replica's key for regroup.
 */
function detailsKind(kind: MoveKind): 'instance' | 'moved' | 'promoted-key' {
  if (kind === 'take-siblings') return 'instance';
  if (kind === 'regroup-replicas' || kind === 'regroup-replicas-gtid' || kind === 'regroup-replicas-pgtid')
    return 'promoted-key';
  return isGroupKind(kind) ? 'moved' : 'instance';
}

function patternParam(req: RouteRequest): RegExp | null {
  const pattern = req.query.get('pattern');
  if (!pattern) return null;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw badParameter('pattern', `not a valid regular expression: ${(error as Error).message}`, pattern);
  }
}

function involvedKeys(plan: AnyPlan): InstanceKey[] {
  const keys = 'moves' in plan ? plan.moves.flatMap((m) => m.involved) : plan.involved;
  const seen = new Set<string>();
  return [plan.instance, ...keys].filter((k) => !seen.has(keyString(k)) && Boolean(seen.add(keyString(k))));
}

export function topologyRoutes(service: TopologyService): RouteDef[] {
  const { moves } = service;

  /** Re-probes the instances a move touched and reads them back (the reference answers with fresh instances). */
  const freshInstances = async (req: RouteRequest, keys: InstanceKey[]): Promise<Map<string, Instance>> => {
    const found = new Map<string, Instance>();
    await Promise.all(
      keys.map(async (key) => {
        const [probed, stored] = await Promise.all([
          service.reprobe(key),
          Promise.resolve(req.deps.instances.instance(key)).catch(() => null),
        ]);
        if (probed && stored) {
          found.set(keyString(key), freshInstance(probed, stored));
        } else if (probed ?? stored) found.set(keyString(key), (probed ?? stored) as Instance);
      }),
    );
    return found;
  };

  const handler = (kind: MoveKind, withTarget: boolean) => async (req: RouteRequest) => {
    const instance = parseKey(req.params);
    const target = withTarget ? parseKey(req.params, 'belowHost', 'belowPort') : null;
    const pattern = patternParam(req);
    let outcome: Awaited<ReturnType<TopologyMoves['move']>>;
    try {
      outcome = await moves.move({ kind, instance, target, pattern });
    } catch (error) {
      if (error instanceof MoveRefusedError) throw failed(`${kind}: ${error.message}`, null);
      throw failed(`${kind} ${keyString(instance)}: ${(error as Error).message}`, null, error);
    }
    const fresh = await freshInstances(req, involvedKeys(outcome.plan));
    const get = (k: InstanceKey) => fresh.get(keyString(k)) ?? null;
    const t = outcome.plan.target ? keyString(outcome.plan.target) : '';
    const failures = outcome.failed.map((f) => `${keyString(f.key)}: ${f.error}`);
    if (outcome.moved.length === 0 && failures.length > 0)
      throw failed(`${kind} ${keyString(instance)}: nothing moved; ${failures.join('; ')}`, null);
    const skipped =
      'skipped' in outcome.plan ? outcome.plan.skipped.map((s) => `${keyString(s.key)}: ${s.reason}`) : [];
    const problems = [...failures, ...skipped];
    const which = detailsKind(kind);
    const base = MESSAGES[kind]({
      i: keyString(instance),
      t,
      n: outcome.moved.length,
      lost: problems.length,
    });
    const errors = `; ${problems.length} errors${problems.length ? `: ${problems.join('; ')}` : ''}`;
    const message = base + (isGroupKind(kind) && which !== 'promoted-key' ? errors : '');
    const details =
      which === 'moved'
        ? outcome.moved.map(get).filter((i): i is Instance => i !== null)
        : which === 'promoted-key'
          ? outcome.plan.target
          : get(instance);
    return { Code: 'OK', Message: message, Details: details };
  };

  const single = (kind: MoveKind, names: string[], withTarget: boolean): RouteDef => ({
    name: kind,
    paths: names.map((n) => (withTarget ? `${n}/:host/:port/:belowHost/:belowPort` : `${n}/:host/:port`)),
    kind: 'write',
    handler: handler(kind, withTarget),
  });

  return [
    single('relocate', ['relocate', 'relocate-below'], true),
    single('relocate-replicas', ['relocate-replicas', 'relocate-slaves'], true),
    single('move-up', ['move-up'], false),
    single('move-up-replicas', ['move-up-replicas', 'move-up-slaves'], false),
    single('move-below', ['move-below'], true),
    single('move-equivalent', ['move-equivalent'], true),
    // `move-gtid` is what the upstream orchestrator-client calls for its move-gtid command; the
    // reference never registered it (a client bug there). Served here so that command works.
    single('move-below-gtid', ['move-below-gtid', 'move-gtid'], true),
    single('move-replicas-gtid', ['move-replicas-gtid', 'move-slaves-gtid'], true),
    single('match-below', ['match-below', 'match'], true),
    single('match-up', ['match-up'], false),
    single('match-replicas', ['match-replicas', 'match-slaves'], true),
    single('match-up-replicas', ['match-up-replicas', 'match-up-slaves'], false),
    single('repoint', ['repoint'], true),
    single('repoint-replicas', ['repoint-replicas', 'repoint-slaves'], false),
    single('take-master', ['take-master', 'enslave-master'], false),
    single('take-siblings', ['take-siblings', 'enslave-siblings'], false),
    single('make-co-master', ['make-co-master'], false),
    single('regroup-replicas', ['regroup-replicas', 'regroup-slaves'], false),
    single('regroup-replicas-gtid', ['regroup-replicas-gtid', 'regroup-slaves-gtid'], false),
    single('regroup-replicas-pgtid', ['regroup-replicas-pgtid', 'regroup-slaves-pgtid'], false),
    {
      // Binlog servers are not supported: say so instead of a bare 404.
      name: 'regroup-replicas-unsupported',
      paths: ['regroup-replicas-bls/:host/:port', 'regroup-slaves-bls/:host/:port'],
      kind: 'write',
      handler: () => {
        throw failed(
          'Binlog servers are not supported here: use regroup-replicas (GTID, Pseudo-GTID or binlog coordinates)',
        );
      },
    },
    {
      // The reference's LastPseudoGTID: the last Pseudo-GTID entry in an instance's binlogs.
      name: 'last-pseudo-gtid',
      paths: ['last-pseudo-gtid/:host/:port'],
      kind: 'proxied',
      handler: async (req) => {
        const key = parseKey(req.params);
        let entry: string;
        try {
          entry = await service.lastPseudoGtid(key);
        } catch (error) {
          throw failed(`last-pseudo-gtid ${keyString(key)}: ${(error as Error).message}`, null);
        }
        return { Code: 'OK', Message: `last Pseudo-GTID entry of ${keyString(key)}`, Details: entry };
      },
    },
    {
      name: 'relocate-plan',
      paths: ['relocate-plan/:host/:port/:belowHost/:belowPort'],
      kind: 'proxied',
      handler: async (req) => {
        const instance = parseKey(req.params);
        const target = parseKey(req.params, 'belowHost', 'belowPort');
        const plan = await moves.plan({ kind: 'relocate', instance, target });
        const Details = plan.possible
          ? { Possible: true, Method: plan.method, Steps: planSteps(plan), Reason: '' }
          : { Possible: false, Method: '', Steps: [], Reason: plan.reason };
        return {
          Code: 'OK',
          Message: plan.possible
            ? `${keyString(instance)} can be relocated below ${keyString(target)} (${plan.method})`
            : `${keyString(instance)} cannot be relocated below ${keyString(target)}`,
          Details,
        };
      },
    },
  ];
}
