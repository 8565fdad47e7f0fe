// Analysis, global recovery switch, acknowledgements and recovery audit reads.
import type { InstanceKey } from '@orchestrator/model';
import { okEnvelope } from '../envelope.js';
import { parseKey, parseNonNegativeInt, parseText } from '../params.js';
import type { RouteDef, RouteRequest } from '../route.js';
import { requireAlias, resolveClusterHint } from './helpers.js';

interface AckSelector {
  Key?: InstanceKey;
  ClusterName?: string;
  Id?: number;
  UID?: string;
  AllRecoveries?: boolean;
}

/**
 * Proposes ack-recovery. Message and Details are the reference's: the cluster name, the instance
 * key, the id or uid as given, and the comment for ack-all (`details` undefined).
 */
async function acknowledge(
  req: RouteRequest,
  selector: AckSelector,
  message: string,
  details?: unknown,
): Promise<unknown> {
  const comment = parseText(req.query.get('comment'), 'comment');
  await req.deps.commands.propose('ack-recovery', {
    CreatedAt: req.options.now().toISOString(),
    Owner: req.user,
    Comment: comment,
    Key: selector.Key ?? { Hostname: '', Port: 0 },
    ClusterName: selector.ClusterName ?? '',
    Id: selector.Id ?? 0,
    UID: selector.UID ?? '',
    AllRecoveries: selector.AllRecoveries ?? false,
  });
  return okEnvelope(message, details === undefined ? comment : details);
}

const page = (req: RouteRequest) =>
  req.params.page === undefined ? 0 : parseNonNegativeInt(req.params.page, 'page');

export const recoveryRoutes: RouteDef[] = [
  {
    name: 'replication-analysis',
    paths: [
      'replication-analysis',
      'replication-analysis/:clusterName',
      'replication-analysis/instance/:host/:port',
    ],
    kind: 'proxied',
    handler: async (req) => {
      const filter =
        req.params.host !== undefined
          ? { key: parseKey(req.params) }
          : req.params.clusterName !== undefined
            ? { clusterName: await resolveClusterHint(req, req.params.clusterName, 'clusterName') }
            : {};
      return okEnvelope('Analysis', await req.deps.analysis.replicationAnalysis(filter));
    },
  },
  {
    name: 'disable-global-recoveries',
    paths: ['disable-global-recoveries'],
    kind: 'write',
    handler: async (req) => {
      await req.deps.commands.propose('disable-global-recoveries', 0);
      return okEnvelope('Globally disabled recoveries', 'disabled');
    },
  },
  {
    name: 'enable-global-recoveries',
    paths: ['enable-global-recoveries'],
    kind: 'write',
    handler: async (req) => {
      await req.deps.commands.propose('enable-global-recoveries', 0);
      return okEnvelope('Globally enabled recoveries', 'enabled');
    },
  },
  {
    name: 'check-global-recoveries',
    paths: ['check-global-recoveries'],
    kind: 'proxied',
    handler: async (req) => {
      const disabled = await req.deps.recoveries.globalRecoveriesDisabled();
      return okEnvelope('Global recoveries', disabled ? 'disabled' : 'enabled');
    },
  },
  {
    name: 'ack-recovery',
    paths: [
      'ack-recovery/cluster/:clusterHint',
      'ack-recovery/cluster/alias/:alias',
      'ack-recovery/instance/:host/:port',
      'ack-recovery/:recoveryId',
      'ack-recovery/uid/:uid',
    ],
    kind: 'write',
    handler: async (req) => {
      const p = req.params;
      if (p.alias !== undefined) {
        const cluster = await requireAlias(req, p.alias);
        return acknowledge(req, { ClusterName: cluster }, 'Acknowledged cluster recoveries', cluster);
      }
      if (p.clusterHint !== undefined) {
        const cluster = await resolveClusterHint(req, p.clusterHint);
        return acknowledge(req, { ClusterName: cluster }, 'Acknowledged cluster recoveries', cluster);
      }
      if (p.host !== undefined) {
        const key = parseKey(p);
        return acknowledge(req, { Key: key }, 'Acknowledged instance recoveries', key);
      }
      if (p.uid !== undefined) {
        const uid = parseText(p.uid, 'uid', 128);
        return acknowledge(req, { UID: uid }, 'Acknowledged recovery', uid);
      }
      const id = parseNonNegativeInt(p.recoveryId, 'recoveryId');
      return acknowledge(req, { Id: id }, 'Acknowledged recovery', String(id));
    },
  },
  {
    name: 'ack-all-recoveries',
    paths: ['ack-all-recoveries'],
    kind: 'write',
    handler: (req) => acknowledge(req, { AllRecoveries: true }, 'Acknowledged all recoveries'),
  },
  {
    name: 'audit-recovery',
    paths: [
      'audit-recovery',
      'audit-recovery/:page',
      'audit-recovery/id/:id',
      'audit-recovery/uid/:uid',
      'audit-recovery/cluster/:clusterHint',
      'audit-recovery/cluster/:clusterHint/:page',
      'audit-recovery/alias/:alias',
      'audit-recovery/alias/:alias/:page',
    ],
    kind: 'proxied',
    handler: async (req) => {
      const p = req.params;
      if (p.id !== undefined) return req.deps.recoveries.recoveries({ id: parseNonNegativeInt(p.id, 'id') });
      if (p.uid !== undefined) return req.deps.recoveries.recoveries({ uid: parseText(p.uid, 'uid', 128) });
      if (p.clusterHint !== undefined) {
        const clusterName = await resolveClusterHint(req, p.clusterHint);
        return req.deps.recoveries.recoveries({ clusterName, page: page(req) });
      }
      if (p.alias !== undefined) return req.deps.recoveries.recoveries({ alias: p.alias, page: page(req) });
      return req.deps.recoveries.recoveries({ page: page(req) });
    },
  },
  {
    name: 'audit-recovery-steps',
    paths: ['audit-recovery-steps/:uid'],
    kind: 'proxied',
    handler: (req) => req.deps.recoveries.steps(parseText(req.params.uid, 'uid', 128)),
  },
  {
    name: 'audit-failure-detection',
    paths: [
      'audit-failure-detection',
      'audit-failure-detection/:page',
      'audit-failure-detection/id/:id',
      'audit-failure-detection/alias/:alias',
      'audit-failure-detection/alias/:alias/:page',
    ],
    kind: 'proxied',
    handler: (req) => {
      const p = req.params;
      if (p.id !== undefined)
        return req.deps.recoveries.failureDetections({ id: parseNonNegativeInt(p.id, 'id') });
      if (p.alias !== undefined)
        return req.deps.recoveries.failureDetections({ alias: p.alias, page: page(req) });
      return req.deps.recoveries.failureDetections({ page: page(req) });
    },
  },
  {
    name: 'blocked-recoveries',
    paths: ['blocked-recoveries', 'blocked-recoveries/cluster/:clusterHint'],
    kind: 'proxied',
    handler: async (req) =>
      req.deps.recoveries.blocked(
        req.params.clusterHint === undefined
          ? undefined
          : await resolveClusterHint(req, req.params.clusterHint),
      ),
  },
  {
    name: 'active-cluster-recovery',
    paths: ['active-cluster-recovery/:clusterHint'],
    kind: 'proxied',
    handler: async (req) =>
      req.deps.recoveries.active(await resolveClusterHint(req, req.params.clusterHint ?? '')),
  },
  {
    name: 'recently-active-cluster-recovery',
    paths: ['recently-active-cluster-recovery/:clusterHint'],
    kind: 'proxied',
    handler: async (req) =>
      req.deps.recoveries.recentlyActiveCluster(await resolveClusterHint(req, req.params.clusterHint ?? '')),
  },
  {
    name: 'recently-active-instance-recovery',
    paths: ['recently-active-instance-recovery/:host/:port'],
    kind: 'proxied',
    handler: (req) => req.deps.recoveries.recentlyActiveInstance(parseKey(req.params)),
  },
  {
    name: 'automated-recovery-filters',
    paths: ['automated-recovery-filters'],
    kind: 'proxied',
    handler: (req) =>
      okEnvelope('Automated recovery configuration details', {
        RecoverMasterClusterFilters: req.options.recoverMasterClusterFilters,
        RecoverIntermediateMasterClusterFilters: req.options.recoverIntermediateMasterClusterFilters,
        RecoveryIgnoreHostnameFilters: req.options.recoveryIgnoreHostnameFilters,
      }),
  },
  {
    name: 'audit',
    paths: ['audit', 'audit/:page', 'audit/instance/:host/:port', 'audit/instance/:host/:port/:page'],
    kind: 'proxied',
    handler: (req) =>
      req.deps.audit.list(
        req.params.host === undefined ? { page: page(req) } : { page: page(req), key: parseKey(req.params) },
      ),
  },
];
