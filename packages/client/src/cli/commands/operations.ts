// Downtime, maintenance, promotion rules, hostname unresolve, tags, pools and KV publishing.
import { formatKey } from '../../keys.js';
import { type Command, command, key } from '../command.js';
import { keyLines, rawText } from '../format.js';

export const operationCommands: Command[] = [
  command(
    'begin-downtime',
    'Mark an instance downtimed (-o owner, -r reason, -u duration)',
    ['instance', 'owner', 'reason', 'duration'],
    async (ctx) => [
      formatKey(await ctx.client.beginDowntime(key(ctx), ctx.opts.owner, ctx.opts.reason, ctx.opts.duration)),
    ],
  ),
  command('end-downtime', 'End the downtime of an instance', ['instance'], async (ctx) => [
    formatKey(await ctx.client.endDowntime(key(ctx))),
  ]),
  command(
    'begin-maintenance',
    'Take a maintenance lock on an instance (-o owner, -r reason)',
    ['instance', 'owner', 'reason'],
    async (ctx) => [formatKey(await ctx.client.beginMaintenance(key(ctx), ctx.opts.owner, ctx.opts.reason))],
  ),
  command('end-maintenance', 'Release the maintenance lock of an instance', ['instance'], async (ctx) => [
    formatKey(await ctx.client.endMaintenance(key(ctx))),
  ]),
  command(
    'register-candidate',
    'Set the promotion rule of an instance (-R must|prefer|neutral|prefer_not|must_not)',
    ['instance', 'promotion-rule'],
    async (ctx) => [formatKey(await ctx.client.registerCandidate(key(ctx), ctx.opts.promotionRule))],
  ),
  command(
    'register-hostname-unresolve',
    'Give an instance a virtual ("unresolved") name (-H)',
    ['instance', 'hostname'],
    async (ctx) => [formatKey(await ctx.client.registerHostnameUnresolve(key(ctx), ctx.opts.hostname))],
  ),
  command(
    'deregister-hostname-unresolve',
    "Remove an instance's unresolved name",
    ['instance'],
    async (ctx) => [formatKey(await ctx.client.deregisterHostnameUnresolve(key(ctx)))],
  ),
  command(
    'tags',
    'List the tags of an instance',
    ['instance'],
    async (ctx) => await ctx.client.tags(key(ctx)),
  ),
  command('tag-value', 'Print the value of a tag (-t) of an instance', ['instance', 'tag'], async (ctx) => [
    rawText(await ctx.client.tagValue(key(ctx), ctx.opts.tag)),
  ]),
  command('tag', 'Tag an instance (-t name or name=value)', ['instance', 'tag'], async (ctx) => [
    formatKey(await ctx.client.tag(key(ctx), ctx.opts.tag)),
  ]),
  command('untag', 'Remove a tag from an instance', ['instance', 'tag'], async (ctx) =>
    keyLines(await ctx.client.untag(key(ctx), ctx.opts.tag)),
  ),
  command('untag-all', 'Remove a tag from every instance carrying it', ['tag'], async (ctx) =>
    keyLines(await ctx.client.untagAll(ctx.opts.tag)),
  ),
  command('tagged', 'List instances carrying a tag (-t name, name=value, or a,b=c)', ['tag'], async (ctx) =>
    keyLines(await ctx.client.tagged(ctx.opts.tag)),
  ),
  command(
    'submit-pool-instances',
    'Set the instances of a pool (-l pool, -i host:port,host:port)',
    ['instance-text', 'pool'],
    async (ctx) => [rawText(await ctx.client.submitPoolInstances(ctx.opts.pool, ctx.opts.instance))],
  ),
  command(
    'which-heuristic-cluster-pool-instances',
    'List pool instances of a cluster (-l pool optional)',
    ['hint'],
    async (ctx) => keyLines(await ctx.client.heuristicClusterPoolInstances(ctx.hint, ctx.opts.pool)),
  ),
  command(
    'submit-masters-to-kv-stores',
    'Publish the master of a cluster (-a) or of all clusters to the KV stores',
    [],
    async (ctx) => (await ctx.client.submitMastersToKvStores(ctx.hint)).map((kv) => `${kv.Key}:${kv.Value}`),
  ),
];
