// The recovery routes of reference §6 (recover, recover-lite, graceful-master-takeover[-auto],
// force-master-failover, force-master-takeover), registered with the API as extra routes. They run
// on the leader only (kind 'write'; followers forward them) and answer with the reference's shapes:
// recover → Details = the promoted instance's key; takeovers and force-* → Details = TopologyRecovery.
import {
  clusterMaster,
  failed,
  parseKey,
  type RouteDef,
  type RouteRequest,
  resolveClusterHint,
} from '@orchestrator/api';
import type { ReplicationAnalysis } from '@orchestrator/prober';
import type { AnalysisEntry, RecoveryEngine, TopologyRecovery } from '@orchestrator/recovery';
import type { Instance, InstanceKey } from '@orchestrator/store';

export interface RecoveryRouteDeps {
  readonly engine: RecoveryEngine;
  readonly latestAnalysis: () => readonly ReplicationAnalysis[];
}

const sameKey = (a: InstanceKey, b: InstanceKey) => a.Hostname === b.Hostname && a.Port === b.Port;

/** An analysis entry for `master`, from the latest analysis when there is one, else built from the instance. */
function entryFor(
  master: Instance,
  replicas: readonly Instance[],
  analysisCode: string,
  latest: readonly ReplicationAnalysis[],
): AnalysisEntry {
  const found = latest.find((a) => sameKey(a.AnalyzedInstanceKey, master.Key));
  if (found) return { ...(found as unknown as AnalysisEntry), Analysis: analysisCode };
  return {
    Analysis: analysisCode,
    // Every field orchestrator-client and the reference's AnalysisEntry carry, even when empty.
    Description: '',
    StructureAnalysis: [],
    AnalyzedInstanceKey: master.Key,
    AnalyzedInstanceMasterKey: master.MasterKey,
    ClusterDetails: {
      ClusterName: master.ClusterName,
      ClusterAlias: master.SuggestedClusterAlias || master.ClusterName,
      ClusterDomain: '',
    },
    IsMaster: true,
    IsCoMaster: master.IsCoMaster,
    CountReplicas: replicas.length,
    Replicas: replicas.map((r) => r.Key),
    SlaveHosts: replicas.map((r) => r.Key),
    IsDowntimed: master.IsDowntimed,
    IsActionableRecovery: true,
    MariaDBGTIDImmediateTopology: replicas.length > 0 && replicas.every((r) => r.UsingMariaDBGTID),
    OracleGTIDImmediateTopology: replicas.length > 0 && replicas.every((r) => r.UsingOracleGTID),
  };
}

async function masterOfHint(req: RouteRequest): Promise<{ master: Instance; replicas: Instance[] }> {
  const p = req.params;
  const hint = p.clusterHint ?? `${p.host}:${p.port}`;
  const clusterName = await resolveClusterHint(req, hint);
  const members = await req.deps.instances.clusterInstances(clusterName);
  const master = clusterMaster(members);
  if (!master) throw failed(`Cannot find the master of cluster ${clusterName}`, { ClusterName: clusterName });
  const replicas = members.filter((m) => sameKey(m.MasterKey, master.Key));
  return { master, replicas };
}

function designatedKey(req: RouteRequest): InstanceKey | null {
  const p = req.params;
  if (p.designatedHost === undefined) return null;
  return parseKey(p, 'designatedHost', 'designatedPort');
}

function asResult(recovery: TopologyRecovery, what: string): TopologyRecovery {
  if (!recovery.IsSuccessful) {
    throw failed(`${what} failed: ${recovery.AllErrors.join('; ') || 'no successor was promoted'}`, recovery);
  }
  return recovery;
}

export function recoveryRoutes(deps: RecoveryRouteDeps): RouteDef[] {
  const recover = (lite: boolean) => async (req: RouteRequest) => {
    const key = parseKey(req.params);
    const instance = await req.deps.instances.instance(key);
    if (instance === null) throw failed(`Cannot read instance: ${key.Hostname}:${key.Port}`, key);
    const replicas = await req.deps.instances.replicas(key);
    const latest = deps.latestAnalysis().find((a) => sameKey(a.AnalyzedInstanceKey, key));
    if (
      !latest ||
      ![
        'DeadMaster',
        'DeadMasterAndSomeReplicas',
        'DeadIntermediateMaster',
        'DeadIntermediateMasterAndSomeReplicas',
        'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
        'DeadCoMaster',
        'DeadCoMasterAndSomeReplicas',
        'AllIntermediateMasterReplicasFailingToConnectOrDead',
      ].includes(latest.Analysis)
    ) {
      throw failed(
        `Recovery not attempted: no recoverable failure is analysed on ${key.Hostname}:${key.Port}${latest ? ` (analysis: ${latest.Analysis})` : ''}`,
        key,
      );
    }
    const candidate =
      req.params.candidateHost === undefined ? null : parseKey(req.params, 'candidateHost', 'candidatePort');
    const entry = entryFor(instance, replicas, latest.Analysis, deps.latestAnalysis());
    const recovery = asResult(await deps.engine.recover(entry, { lite, candidate }), 'Recovery');
    return { Code: 'OK', Message: `Recovered: ${key.Hostname}:${key.Port}`, Details: recovery.SuccessorKey };
  };

  const graceful = (auto: boolean) => async (req: RouteRequest) => {
    const { master, replicas } = await masterOfHint(req);
    const entry = entryFor(master, replicas, 'DeadMaster', deps.latestAnalysis());
    const recovery = asResult(
      await deps.engine.gracefulMasterTakeover(entry, designatedKey(req), auto),
      'Graceful master takeover',
    );
    return {
      Code: 'OK',
      Message: `graceful-master-takeover: successor ${recovery.SuccessorKey?.Hostname}:${recovery.SuccessorKey?.Port}`,
      Details: recovery,
    };
  };

  return [
    {
      name: 'recover',
      paths: ['recover/:host/:port', 'recover/:host/:port/:candidateHost/:candidatePort'],
      kind: 'write',
      handler: recover(false),
    },
    {
      name: 'recover-lite',
      paths: ['recover-lite/:host/:port', 'recover-lite/:host/:port/:candidateHost/:candidatePort'],
      kind: 'write',
      handler: recover(true),
    },
    {
      name: 'graceful-master-takeover',
      paths: [
        'graceful-master-takeover/:clusterHint',
        'graceful-master-takeover/:host/:port',
        'graceful-master-takeover/:clusterHint/:designatedHost/:designatedPort',
        'graceful-master-takeover/:host/:port/:designatedHost/:designatedPort',
      ],
      kind: 'write',
      handler: graceful(false),
    },
    {
      name: 'graceful-master-takeover-auto',
      paths: [
        'graceful-master-takeover-auto/:clusterHint',
        'graceful-master-takeover-auto/:host/:port',
        'graceful-master-takeover-auto/:clusterHint/:designatedHost/:designatedPort',
        'graceful-master-takeover-auto/:host/:port/:designatedHost/:designatedPort',
      ],
      kind: 'write',
      handler: graceful(true),
    },
    {
      name: 'force-master-failover',
      paths: ['force-master-failover/:clusterHint', 'force-master-failover/:host/:port'],
      kind: 'write',
      handler: async (req) => {
        const { master, replicas } = await masterOfHint(req);
        const entry = entryFor(master, replicas, 'DeadMaster', deps.latestAnalysis());
        const recovery = asResult(await deps.engine.forceMasterFailover(entry), 'force-master-failover');
        return { Code: 'OK', Message: 'force-master-failover', Details: recovery };
      },
    },
    {
      name: 'force-master-takeover',
      paths: [
        'force-master-takeover/:clusterHint/:designatedHost/:designatedPort',
        'force-master-takeover/:host/:port/:designatedHost/:designatedPort',
      ],
      kind: 'write',
      handler: async (req) => {
        const { master, replicas } = await masterOfHint(req);
        const designated = designatedKey(req);
        if (designated === null) throw failed('force-master-takeover needs a designated instance');
        const entry = entryFor(master, replicas, 'DeadMaster', deps.latestAnalysis());
        const recovery = asResult(
          await deps.engine.forceMasterTakeover(entry, designated),
          'force-master-takeover',
        );
        return { Code: 'OK', Message: 'force-master-takeover', Details: recovery };
      },
    },
  ];
}
