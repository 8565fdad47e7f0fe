// Cluster reads and cluster-level commands.
import type { Instance } from '@orchestrator/model';
import { okEnvelope } from '../envelope.js';
import { badParameter, failed } from '../errors.js';
import { oscReplicas } from '../osc.js';
import { parseInstanceList, parseKey, parseText } from '../params.js';
import type { RouteDef, RouteRequest } from '../route.js';
import { clusterMaster, keyString, requireAlias, requireInstance, resolveClusterHint } from './helpers.js';

async function clusterOf(req: RouteRequest): Promise<string> {
  if (req.params.alias !== undefined) return requireAlias(req, req.params.alias);
  if (req.params.host !== undefined) {
    const instance = await requireInstance(req, parseKey(req.params));
    return instance.ClusterName;
  }
  return resolveClusterHint(req, req.params.clusterHint ?? '');
}

async function optionalCluster(req: RouteRequest): Promise<string | undefined> {
  return req.params.clusterHint === undefined ? undefined : resolveClusterHint(req, req.params.clusterHint);
}

async function instancesOf(req: RouteRequest, cluster: string | undefined): Promise<Instance[]> {
  return cluster === undefined ? req.deps.instances.all() : req.deps.instances.clusterInstances(cluster);
}

export const clusterRoutes: RouteDef[] = [
  {
    name: 'clusters',
    paths: ['clusters'],
    kind: 'proxied',
    cacheable: true,
    // The reference answers `null` when there are no clusters; kept for client compatibility.
    handler: async (req) => {
      const names = await req.deps.instances.clusters();
      return names.length === 0 ? null : names;
    },
  },
  {
    name: 'clusters-info',
    paths: ['clusters-info'],
    kind: 'proxied',
    cacheable: true,
    handler: (req) => req.deps.instances.clustersInfo(),
  },
  {
    name: 'cluster',
    paths: ['cluster/:clusterHint', 'cluster/alias/:alias', 'cluster/instance/:host/:port'],
    kind: 'proxied',
    cacheable: true,
    handler: async (req) => req.deps.instances.clusterInstances(await clusterOf(req)),
  },
  {
    name: 'cluster-info',
    paths: ['cluster-info/:clusterHint', 'cluster-info/alias/:alias'],
    kind: 'proxied',
    cacheable: true,
    handler: async (req) => {
      const name = await clusterOf(req);
      const info = (await req.deps.instances.clustersInfo()).find((c) => c.ClusterName === name);
      if (info === undefined) throw failed(`Cannot read cluster info: ${name}`, { ClusterName: name });
      return info;
    },
  },
  {
    name: 'masters',
    paths: ['masters'],
    kind: 'proxied',
    cacheable: true,
    handler: async (req) => {
      const masters: Instance[] = [];
      for (const name of await req.deps.instances.clusters()) {
        const master = clusterMaster(await req.deps.instances.clusterInstances(name));
        if (master !== undefined && !master.ReadOnly) masters.push(master);
      }
      return masters;
    },
  },
  {
    name: 'master',
    paths: ['master/:clusterHint'],
    kind: 'proxied',
    cacheable: true,
    handler: async (req) => {
      const name = await clusterOf(req);
      const master = clusterMaster(await req.deps.instances.clusterInstances(name));
      if (master === undefined)
        throw failed(`Cannot determine master of cluster ${name}`, { ClusterName: name });
      return master;
    },
  },
  {
    name: 'cluster-osc-replicas',
    paths: ['cluster-osc-replicas/:clusterHint', 'cluster-osc-slaves/:clusterHint'],
    kind: 'proxied',
    cacheable: true,
    handler: async (req) =>
      oscReplicas(
        await req.deps.instances.clusterInstances(await clusterOf(req)),
        req.options.oscIgnoreHostnameFilters,
      ),
  },
  {
    name: 'snapshot-topologies',
    paths: ['snapshot-topologies'],
    kind: 'write',
    handler: async (req) => {
      const history = req.deps.topologyHistory;
      if (history === undefined) throw failed('snapshot-topologies: no topology history is kept here');
      const count = await history.snapshot();
      return okEnvelope('Topology snapshot completed', count);
    },
  },
  {
    name: 'set-cluster-alias',
    paths: ['set-cluster-alias/:clusterName'],
    kind: 'write',
    handler: async (req) => {
      const cluster = parseText(req.params.clusterName, 'clusterName', 512);
      const alias = parseText(req.query.get('alias'), 'alias', 512);
      await req.deps.commands.propose('set-cluster-alias-manual-override', [cluster, alias]);
      return okEnvelope(`Cluster ${cluster} now has alias '${alias}'`);
    },
  },
  {
    name: 'forget-cluster',
    paths: ['forget-cluster/:clusterHint'],
    kind: 'write',
    handler: async (req) => {
      const cluster = await clusterOf(req);
      await req.deps.commands.propose('forget-cluster', cluster);
      return okEnvelope(`Cluster forgotten: ${cluster}`, cluster);
    },
  },
  {
    name: 'downtimed',
    paths: ['downtimed', 'downtimed/:clusterHint'],
    kind: 'proxied',
    handler: async (req) => (await instancesOf(req, await optionalCluster(req))).filter((i) => i.IsDowntimed),
  },
  {
    name: 'problems',
    paths: ['problems', 'problems/:clusterHint'],
    kind: 'proxied',
    // As the reference: instances with problems, downtimed ones left out (they are known about).
    handler: async (req) =>
      (await instancesOf(req, await optionalCluster(req))).filter(
        (i) => i.Problems.length > 0 && !i.IsDowntimed,
      ),
  },
  {
    name: 'submit-pool-instances',
    paths: ['submit-pool-instances/:pool'],
    kind: 'write',
    handler: async (req) => {
      const pool = parseText(req.params.pool, 'pool', 256);
      const keys = parseInstanceList(req.query.get('instances'), 'instances');
      const now = req.options.now();
      await req.deps.commands.propose('submit-pool-instances', {
        CreatedAt: now.toISOString(),
        Pool: pool,
        DelimitedInstances: keys.map(keyString).join(','),
        RegisteredAt: now.toISOString(),
      });
      // Details is the pool name, as in the reference (orchestrator-client prints it).
      return okEnvelope(`Applied ${pool} pool instances`, pool);
    },
  },
  {
    name: 'heuristic-cluster-pool-instances',
    paths: [
      'heuristic-cluster-pool-instances/:clusterHint',
      'heuristic-cluster-pool-instances/:clusterHint/:pool',
    ],
    kind: 'proxied',
    handler: async (req) => {
      const cluster = await clusterOf(req);
      const pool = req.params.pool === undefined ? undefined : parseText(req.params.pool, 'pool', 256);
      const instances = await req.deps.pools.clusterPoolInstances(cluster, pool);
      return okEnvelope('Heuristic pool instances', instances);
    },
  },
  {
    name: 'cluster-pool-instances',
    paths: ['cluster-pool-instances/:clusterHint', 'cluster-pool-instances/:clusterHint/:pool'],
    kind: 'proxied',
    // The reference authorizes it as an action.
    auth: 'write',
    handler: async (req) => {
      const cluster = await clusterOf(req);
      const pool = req.params.pool === undefined ? undefined : parseText(req.params.pool, 'pool', 256);
      const read = req.deps.pools.clusterPools;
      if (read === undefined) throw failed('cluster-pool-instances: pools cannot be listed on this node');
      const map = await read.call(req.deps.pools, cluster, pool);
      return okEnvelope(`Read pool instances for cluster ${cluster}`, map);
    },
  },
  {
    // The largest replication lag among the cluster's pool instances (the reference's GetInstancesMaxLag).
    name: 'heuristic-cluster-pool-lag',
    paths: ['heuristic-cluster-pool-lag/:clusterHint', 'heuristic-cluster-pool-lag/:clusterHint/:pool'],
    kind: 'proxied',
    handler: async (req) => {
      const cluster = await clusterOf(req);
      const pool = req.params.pool === undefined ? undefined : parseText(req.params.pool, 'pool', 256);
      const instances = await req.deps.pools.clusterPoolInstances(cluster, pool);
      const lag = Math.max(
        0,
        ...instances.map((i) => (i.ReplicationLagSeconds.Valid ? i.ReplicationLagSeconds.Int64 : 0)),
      );
      return okEnvelope(`Heuristic pool lag for cluster ${cluster}`, lag);
    },
  },
  {
    name: 'submit-masters-to-kv-stores',
    paths: ['submit-masters-to-kv-stores', 'submit-masters-to-kv-stores/:clusterHint'],
    // R-routed in the reference: proxied to the leader, which publishes put-key-value.
    kind: 'proxied',
    handler: async (req) => {
      const only = await optionalCluster(req);
      const infos = await req.deps.instances.clustersInfo();
      const masters: { ClusterName: string; ClusterAlias: string; Master: Instance['Key'] }[] = [];
      for (const info of infos) {
        if (only !== undefined && info.ClusterName !== only) continue;
        const master = clusterMaster(await req.deps.instances.clusterInstances(info.ClusterName));
        if (master === undefined) continue;
        const alias = info.ClusterAlias || info.ClusterName;
        masters.push({ ClusterName: info.ClusterName, ClusterAlias: alias, Master: master.Key });
      }
      if (only !== undefined && masters.length === 0)
        throw badParameter('clusterHint', 'cluster has no known master', only);
      if (req.deps.kv) {
        // kv_store and the external stores (which retry a failed write by themselves).
        const { pairs, errors } = await req.deps.kv.submit(masters);
        const failures = errors.length === 0 ? '' : `; ${errors.join('; ')}`;
        return okEnvelope(`Submitted ${pairs.length} masters${failures}`, pairs);
      }
      const pairs: { Key: string; Value: string }[] = [];
      for (const { ClusterAlias, Master } of masters) {
        const base = `${req.options.kvClusterMasterPrefix.replace(/\/+$/, '')}/${ClusterAlias}`;
        pairs.push(
          { Key: base, Value: keyString(Master) },
          { Key: `${base}/hostname`, Value: Master.Hostname },
          { Key: `${base}/port`, Value: String(Master.Port) },
        );
      }
      for (const pair of pairs) await req.deps.commands.propose('put-key-value', pair);
      // "masters" counts pairs, as the reference's message does.
      return okEnvelope(`Submitted ${pairs.length} masters`, pairs);
    },
  },
];
