// Discovery, instance and cluster queries, topology views.
import { formatKey } from '../../keys.js';
import type { Instance } from '../../types.js';
import { type Command, command, key } from '../command.js';
import { keyLine, keyLines, rawText } from '../format.js';

const isBroken = (i: Instance) =>
  (i.ReplicationSQLThreadRuning === false || i.ReplicationIOThreadRuning === false) &&
  ((i.LastSQLError ?? '') !== '' || (i.LastIOError ?? '') !== '');

const isRunning = (i: Instance) =>
  i.ReplicationSQLThreadRuning === true && i.ReplicationIOThreadRuning === true;

/** The most common data center among masters; ties go to the greatest name (like `sort -nr`). */
function dominantDataCenter(masters: Instance[]): string[] {
  const counts = new Map<string, number>();
  for (const m of masters) counts.set(m.DataCenter ?? '', (counts.get(m.DataCenter ?? '') ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const [dc, n] of counts) {
    if (!best || n > best[1] || (n === best[1] && dc > best[0])) best = [dc, n];
  }
  return best ? [best[0]] : [];
}

export const instanceCommands: Command[] = [
  command('discover', 'Probe an instance now and record it', ['instance'], async (ctx) => [
    keyLine(await ctx.client.discover(key(ctx))),
  ]),
  command(
    'async-discover',
    'Probe an instance in the background (bulk loading)',
    ['instance'],
    async (ctx) => [keyLine(await ctx.client.asyncDiscover(key(ctx)))],
  ),
  command('forget', "Forget an instance's existence", ['instance'], async (ctx) => {
    await ctx.client.forget(key(ctx));
    return [];
  }),
  command('forget-cluster', 'Forget a whole cluster', ['hint'], async (ctx) => {
    await ctx.client.forgetCluster(ctx.hint);
    return [];
  }),
  command('clusters', 'List all clusters known to orchestrator', [], async (ctx) =>
    (await ctx.client.clustersInfo()).map((c) => c.ClusterName),
  ),
  command('clusters-alias', 'List all clusters as "name,alias"', [], async (ctx) =>
    (await ctx.client.clustersInfo()).map((c) => `${c.ClusterName},${c.ClusterAlias ?? ''}`),
  ),
  command('search', 'Search for instances matching a substring (-i)', ['instance-text'], async (ctx) =>
    keyLines(await ctx.client.search(ctx.opts.instance)),
  ),
  command('instance', 'Print host:port of the instance, or fail if unknown', ['instance'], async (ctx) => [
    keyLine(await ctx.client.instance(key(ctx))),
  ]),
  command('which-instance', 'Same as instance', ['instance'], async (ctx) => [
    keyLine(await ctx.client.instance(key(ctx))),
  ]),
  command('which-master', "Print host:port of the instance's master", ['instance'], async (ctx) => [
    formatKey((await ctx.client.instance(key(ctx))).MasterKey),
  ]),
  command('which-replicas', "List the instance's replicas", ['instance'], async (ctx) =>
    keyLines(await ctx.client.instanceReplicas(key(ctx))),
  ),
  command(
    'which-broken-replicas',
    "List the instance's replicas that stopped on an error",
    ['instance'],
    async (ctx) => keyLines((await ctx.client.instanceReplicas(key(ctx))).filter(isBroken)),
  ),
  command('which-cluster', 'Print the name of the cluster of an instance or alias', ['hint'], async (ctx) => [
    (await ctx.client.clusterInfo(ctx.hint)).ClusterName,
  ]),
  command('which-cluster-alias', 'Print the alias of the cluster of an instance', ['hint'], async (ctx) => [
    (await ctx.client.clusterInfo(ctx.hint)).ClusterAlias,
  ]),
  command(
    'which-cluster-master',
    "Print the cluster's writable master (its ClusterName)",
    ['hint'],
    async (ctx) => [(await ctx.client.master(ctx.hint)).ClusterName ?? ''],
  ),
  command('which-cluster-instances', 'List the instances of a cluster', ['hint'], async (ctx) =>
    keyLines(await ctx.client.cluster(ctx.hint)),
  ),
  command('all-clusters-masters', 'List the writable master of each cluster', [], async (ctx) =>
    keyLines(await ctx.client.masters()),
  ),
  command('all-instances', 'List all known instances', [], async (ctx) =>
    keyLines(await ctx.client.allInstances()),
  ),
  command(
    'which-cluster-osc-replicas',
    'List replicas fit to control pt-online-schema-change',
    ['hint'],
    async (ctx) => keyLines(await ctx.client.clusterOSCReplicas(ctx.hint)),
  ),
  command(
    'which-cluster-osc-running-replicas',
    'Same, only replicas that are replicating',
    ['hint'],
    async (ctx) => keyLines((await ctx.client.clusterOSCReplicas(ctx.hint)).filter(isRunning)),
  ),
  command('downtimed', 'List downtimed instances (of a cluster with -i/-a)', [], async (ctx) =>
    keyLines(await ctx.client.downtimed(ctx.hint)),
  ),
  command('dominant-dc', 'Print the data center where most masters are', [], async (ctx) =>
    dominantDataCenter(await ctx.client.masters()),
  ),
  command(
    'is-replicating',
    'Print the instance if both replication threads run',
    ['instance'],
    async (ctx) => {
      const i = await ctx.client.instance(key(ctx));
      return i.ReplicationSQLThreadState === 1 && i.ReplicationIOThreadState === 1 ? [keyLine(i)] : [];
    },
  ),
  command(
    'is-replication-stopped',
    'Print the instance if both threads are stopped',
    ['instance'],
    async (ctx) => {
      const i = await ctx.client.instance(key(ctx));
      return i.ReplicationSQLThreadState === 0 && i.ReplicationIOThreadState === 0 ? [keyLine(i)] : [];
    },
  ),
  command('which-gtid-errant', 'Print the errant GTID set (empty if none)', ['instance'], async (ctx) => [
    rawText((await ctx.client.instance(key(ctx))).GtidErrant ?? null),
  ]),
  command('topology', 'Show the ASCII tree of a cluster', ['hint'], async (ctx) => [
    rawText(await ctx.client.topology(ctx.hint)),
  ]),
  command('topology-tabulated', 'Same, tabulated', ['hint'], async (ctx) => [
    rawText(await ctx.client.topology(ctx.hint, 'topology-tabulated')),
  ]),
  command('topology-tags', 'Same, with instance tags', ['hint'], async (ctx) => [
    rawText(await ctx.client.topology(ctx.hint, 'topology-tags')),
  ]),
  command('snapshot-topologies', 'Record the current topologies', [], async (ctx) => [
    rawText(await ctx.client.snapshotTopologies()),
  ]),
];
