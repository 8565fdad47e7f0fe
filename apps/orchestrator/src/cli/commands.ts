// `orchestrator -c COMMAND`: each command runs the HTTP API's route for it inside a CliSession and
// prints what the reference's go/app/cli.go prints (or, with --json, the route's data). A command's
// class decides where it may run: with RaftEnabled (and --ignore-raft-setup) only `read`, `mysql`
// and `local` commands run; `replicated` ones would change this node's copy of replicated state
// alone, so they are refused.
import { hostname } from 'node:os';
import type { TopologyRecovery } from '@orchestrator/recovery';
import type { Instance, InstanceKey } from '@orchestrator/store';
import type { CliArgs } from './args.js';
import {
  ackLine,
  analysisLine,
  clusterAliasLine,
  coordinatesLine,
  DEFAULT_PORT,
  displayKey,
  isValidKey,
  movedLine,
  promotionRuleLines,
} from './format.js';
import type { CliSession } from './session.js';

/**
 * - `read`: reads this node's backend (replication-analysis probes first).
 * - `mysql`: acts on MySQL only (and writes this node's local audit and maintenance tables).
 * - `local`: writes a local, never replicated table (maintenance locks).
 * - `replicated`: changes state that every raft node holds (downtime, candidates, recoveries…).
 */
export type CommandClass = 'read' | 'mysql' | 'local' | 'replicated';

export interface CommandContext {
  session: CliSession;
  args: CliArgs;
  /** This -i token as given ('' when -i was not given). */
  raw: string;
  /** The -i instance; null when not given or not an instance. */
  instance: InstanceKey | null;
  /** The -d (or -s) instance, port 3306 when omitted; null when not given. */
  destination: InstanceKey | null;
}

export interface CommandOutput {
  /** The reference's stdout lines. */
  lines: string[];
  /** What --json prints. */
  json: unknown;
  /** Said on stderr, for an outcome the reference reports by printing nothing (exit 0). */
  note?: string;
}

export interface CliCommand {
  name: string;
  /** Other names it answers to (the reference's `slave` synonyms among them). */
  synonyms?: string[];
  section: string;
  description: string;
  class: CommandClass;
  /** For `replicated` commands: what it would change, for the raft-mode refusal. */
  changes?: string;
  run(ctx: CommandContext): Promise<CommandOutput>;
}

/** A failure the command line reports on stderr with exit code 1 (the reference's log.Fatal). */
export class CommandFailed extends Error {
  readonly code = 'COMMAND_FAILED';
}

const enc = encodeURIComponent;
const keyPath = (k: InstanceKey) => `${enc(k.Hostname)}/${k.Port}`;
const details = <T>(envelope: unknown) => (envelope as { Details: T }).Details;

/** The reference's thisInstanceKey: this machine's hostname at the default port. */
function thisInstance(): InstanceKey {
  return { Hostname: hostname(), Port: DEFAULT_PORT };
}

function instanceOf(ctx: CommandContext): InstanceKey {
  if (ctx.raw !== '' && ctx.instance === null) throw new CommandFailed(`Cannot deduce instance: ${ctx.raw}`);
  return ctx.instance ?? thisInstance();
}

function destinationOf(ctx: CommandContext, what = 'destination'): InstanceKey {
  if (ctx.destination === null)
    throw new CommandFailed(`Cannot deduce ${what}: ${ctx.args.destination ?? ''}`);
  return ctx.destination;
}

/** getClusterName: --alias first, then the instance, then this machine. */
function clusterHint(ctx: CommandContext): string {
  if (ctx.args.alias) return ctx.args.alias;
  return displayKey(instanceOf(ctx));
}

function requireReason(ctx: CommandContext, what = ''): string {
  const reason = ctx.args.reason?.trim() ?? '';
  if (reason === '') throw new CommandFailed(`--reason option required${what}`);
  return reason;
}

const keyLines = (keys: readonly InstanceKey[]) => keys.map(displayKey);
const keysOf = (instances: readonly Instance[]) => instances.map((i) => i.Key);
const one = (key: InstanceKey, json: unknown = key): CommandOutput => ({ lines: [displayKey(key)], json });

/** A topology move: the route answers the moved Instance; the reference prints `instance<master`. */
function move(
  name: string,
  route: string,
  description: string,
  target: 'required' | 'optional' | 'none',
  printed: 'destination' | 'master' | 'instance' = target === 'required' ? 'destination' : 'master',
  synonyms?: string[],
): CliCommand {
  return {
    name,
    synonyms,
    section: 'Topology refactoring',
    description,
    class: 'mysql',
    async run(ctx) {
      const instance = instanceOf(ctx);
      let dest = target === 'required' ? destinationOf(ctx) : ctx.destination;
      await ctx.session.refresh(dest ? [instance, dest] : [instance]);
      if (target === 'optional' && dest === null) {
        // repoint without -d: onto its current master.
        const current = await ctx.session.deps.instances.instance(instance);
        if (!current || !isValidKey(current.MasterKey))
          throw new CommandFailed(`${displayKey(instance)} has no master to repoint to`);
        dest = current.MasterKey;
      }
      const path = dest ? `${route}/${keyPath(instance)}/${keyPath(dest)}` : `${route}/${keyPath(instance)}`;
      const moved = details<Instance | null>(await ctx.session.call(path));
      if (printed === 'instance') return one(instance, moved);
      const master = printed === 'destination' ? (dest as InstanceKey) : (moved?.MasterKey ?? null);
      return {
        lines: isValidKey(master) ? [movedLine(instance, master)] : [displayKey(instance)],
        json: moved,
      };
    },
  };
}

/** A group move: the route answers the moved Instance[]; the reference prints each key. */
function groupMove(
  name: string,
  route: string,
  description: string,
  withTarget: boolean,
  synonyms?: string[],
): CliCommand {
  return {
    name,
    synonyms,
    section: 'Topology refactoring',
    description,
    class: 'mysql',
    async run(ctx) {
      const instance = instanceOf(ctx);
      const dest = withTarget ? destinationOf(ctx) : null;
      await ctx.session.refresh(dest ? [instance, dest] : [instance]);
      const path = dest ? `${route}/${keyPath(instance)}/${keyPath(dest)}` : `${route}/${keyPath(instance)}`;
      const query = ctx.args.pattern ? { pattern: ctx.args.pattern } : undefined;
      const moved = details<Instance[]>(await ctx.session.call(path, query)) ?? [];
      return { lines: keyLines(keysOf(moved)), json: moved };
    },
  };
}

/** Replication control on one instance: the reference prints the instance's key. */
function control(name: string, description: string, synonyms?: string[]): CliCommand {
  return {
    name,
    synonyms,
    section: 'Replication, general',
    description,
    class: 'mysql',
    async run(ctx) {
      const instance = instanceOf(ctx);
      await ctx.session.refresh([instance]);
      return one(instance, details(await ctx.session.call(`${name}/${keyPath(instance)}`)));
    },
  };
}

/** recover, graceful-master-takeover, force-*: probe the cluster, analyse it, then recover. */
async function prepareRecovery(ctx: CommandContext, keys: InstanceKey[]): Promise<void> {
  await ctx.session.refresh(keys);
  await ctx.session.analyze(true);
}

async function successorCoordinates(
  ctx: CommandContext,
  successor: InstanceKey,
): Promise<{ LogFile: string; LogPos: number } | null> {
  const probe = await ctx.session.probe(successor).catch(() => null);
  return probe?.ok ? probe.instance.SelfBinlogCoordinates : null;
}

function recovery(
  name: string,
  route: string,
  description: string,
  designated: 'optional' | 'required' | 'none',
): CliCommand {
  return {
    name,
    section: 'Recovery',
    description,
    class: 'replicated',
    changes: 'the recovery records, and a failover that the raft leader must coordinate',
    async run(ctx) {
      const hint = clusterHint(ctx);
      const dest =
        designated === 'required'
          ? destinationOf(ctx, 'the instance to promote (-d)')
          : designated === 'optional'
            ? ctx.destination
            : null;
      await prepareRecovery(ctx, [instanceOf(ctx), ...(dest ? [dest] : [])]);
      const path = dest ? `${route}/${enc(hint)}/${keyPath(dest)}` : `${route}/${enc(hint)}`;
      const result = details<TopologyRecovery>(await ctx.session.call(path));
      const successor = result.SuccessorKey;
      if (!isValidKey(successor)) throw new CommandFailed(`${name}: no successor promoted`);
      await ctx.session.reprobe([instanceOf(ctx), successor]);
      const lines = [displayKey(successor)];
      if (name.startsWith('graceful-master-takeover'))
        lines.push(coordinatesLine(await successorCoordinates(ctx, successor)));
      return { lines, json: result };
    },
  };
}

function ack(name: string, description: string, path: (ctx: CommandContext) => string): CliCommand {
  return {
    name,
    section: 'Recovery',
    description,
    class: 'replicated',
    changes: 'the acknowledgement of recoveries',
    async run(ctx) {
      const reason = requireReason(ctx, ' (comment your ack)');
      ctx.session.lastResult = 0;
      await ctx.session.call(path(ctx), { comment: reason });
      const count = Number(ctx.session.lastResult ?? 0);
      return { lines: [ackLine(count)], json: count };
    },
  };
}

export const COMMANDS: CliCommand[] = [
  // Topology refactoring (MySQL only).
  move('relocate', 'relocate', 'Relocate a replica beneath another instance', 'required', 'destination', [
    'relocate-below',
  ]),
  groupMove(
    'relocate-replicas',
    'relocate-replicas',
    'Relocates all or part of the replicas of a given instance under another instance',
    true,
    ['relocate-slaves'],
  ),
  move('move-up', 'move-up', 'Move a replica one level up the topology', 'none'),
  groupMove(
    'move-up-replicas',
    'move-up-replicas',
    'Moves replicas of the given instance one level up the topology',
    false,
    ['move-up-slaves'],
  ),
  move(
    'move-below',
    'move-below',
    'Moves a replica beneath its sibling. Both replicas must be actively replicating from same master.',
    'required',
  ),
  move('move-gtid', 'move-below-gtid', 'Move a replica beneath another instance, using GTID', 'required'),
  groupMove(
    'move-replicas-gtid',
    'move-replicas-gtid',
    'Moves all replicas of a given instance under another (destination) instance using GTID',
    true,
    ['move-slaves-gtid'],
  ),
  move(
    'match',
    'match-below',
    'Matches a replica beneath another (destination) instance using Pseudo-GTID',
    'required',
    'destination',
    ['match-below'],
  ),
  move(
    'match-up',
    'match-up',
    'Transport the replica one level up the hierarchy, making it child of its grandparent, using Pseudo-GTID',
    'none',
  ),
  move(
    'repoint',
    'repoint',
    'Make the given instance replicate from another instance without changing the binlog coordinates. Use with care',
    'optional',
  ),
  groupMove(
    'repoint-replicas',
    'repoint-replicas',
    'Repoint all replicas of given instance to replicate back from the instance. Use with care',
    false,
    ['repoint-slaves'],
  ),
  move(
    'take-master',
    'take-master',
    'Turn an instance into a master of its own master; essentially switch the two.',
    'none',
    'instance',
    ['enslave-master'],
  ),
  move(
    'take-siblings',
    'take-siblings',
    'Turn all siblings of a replica into its sub-replicas.',
    'none',
    'instance',
    ['enslave-siblings'],
  ),
  move(
    'make-co-master',
    'make-co-master',
    'Create a master-master replication. Given instance is a replica which replicates directly from a master.',
    'none',
    'instance',
  ),
  // Replication control (MySQL only).
  control('start-replica', 'Issue a START SLAVE on an instance', ['start-slave']),
  control('stop-replica', 'Issue a STOP SLAVE on an instance', ['stop-slave']),
  control(
    'stop-replica-nice',
    'Stop replication nicely: the SQL thread first catches up with the relay log',
    ['stop-slave-nice'],
  ),
  control('restart-replica', 'STOP and START SLAVE on an instance', ['restart-slave']),
  control('reset-replica', 'Issues a RESET SLAVE command; use with care', ['reset-slave']),
  control(
    'detach-replica',
    'Stops replication and modifies binlog position into an impossible, yet reversible, value.',
    ['detach-slave'],
  ),
  control('reattach-replica', 'Undo a detach-replica operation', ['reattach-slave']),
  control(
    'detach-replica-master-host',
    'Stops replication and modifies Master_Host into an impossible, yet reversible, value.',
    ['detach-slave-master-host'],
  ),
  control('reattach-replica-master-host', 'Undo a detach-replica-master-host operation', [
    'reattach-slave-master-host',
  ]),
  control('skip-query', 'Skip a single statement on a replica; either when running with GTID or without'),
  control('set-read-only', 'Turn an instance read-only, via SET GLOBAL read_only := 1'),
  control('set-writeable', 'Turn an instance writeable, via SET GLOBAL read_only := 0'),
  control('flush-binary-logs', 'Flush binary logs on an instance'),
  control('enable-semi-sync-master', 'Enable semi-sync replication (master-side)'),
  control('disable-semi-sync-master', 'Disable semi-sync replication (master-side)'),
  control('enable-semi-sync-replica', 'Enable semi-sync replication (replica-side)'),
  control('disable-semi-sync-replica', 'Disable semi-sync replication (replica-side)'),
  control('enable-gtid', 'If possible, turn on GTID replication'),
  control('disable-gtid', 'Turn off GTID replication, back to file:pos replication'),
  control('gtid-errant-reset-master', 'Reset master on instance, remove GTID errant transactions'),
  control(
    'gtid-errant-inject-empty',
    'Inject empty transactions on the master for the errant GTIDs of an instance',
  ),
  ...readCommands(),
  ...instanceCommands(),
  ...recoveryCommands(),
  {
    name: 'submit-masters-to-kv-stores',
    section: 'Key-value',
    description: 'Submit master of a specific cluster, or all masters of all clusters to key-value stores',
    class: 'replicated',
    changes: 'kv_store, which every raft node holds (the leader publishes the masters)',
    async run(ctx) {
      const hint = ctx.args.alias || (ctx.raw === '' ? '' : clusterHint(ctx));
      await ctx.session.refresh(ctx.instance ? [ctx.instance] : undefined);
      const path = hint === '' ? 'submit-masters-to-kv-stores' : `submit-masters-to-kv-stores/${enc(hint)}`;
      const pairs = details<{ Key: string; Value: string }[]>(await ctx.session.call(path)) ?? [];
      return { lines: pairs.map((p) => `${p.Key}:${p.Value}`), json: pairs };
    },
  },
];

function readCommands(): CliCommand[] {
  const read = (
    name: string,
    description: string,
    run: CliCommand['run'],
    synonyms?: string[],
  ): CliCommand => ({
    name,
    synonyms,
    section: 'Information',
    description,
    class: 'read',
    run,
  });
  return [
    read('clusters', 'List all clusters known to orchestrator', async (ctx) => {
      const names = ((await ctx.session.call('clusters')) as string[] | null) ?? [];
      return { lines: [names.join('\n')], json: names };
    }),
    read('clusters-alias', 'List all clusters known to orchestrator, with their aliases', async (ctx) => {
      const infos = (await ctx.session.call('clusters-info')) as {
        ClusterName: string;
        ClusterAlias: string;
      }[];
      return { lines: infos.map(clusterAliasLine), json: infos };
    }),
    read('all-instances', 'The complete list of known instances', async (ctx) => {
      const all = (await ctx.session.call('all-instances')) as Instance[];
      return { lines: keyLines(keysOf(all)), json: keysOf(all) };
    }),
    read(
      'topology',
      'Show an ascii-graph of a replication topology, given a member of that topology',
      async (ctx) => {
        const text = details<string>(await ctx.session.call(`topology/${enc(clusterHint(ctx))}`));
        return { lines: [text], json: text };
      },
    ),
    read(
      'topology-tabulated',
      'Show an ascii-graph of a replication topology, given a member of that topology, in columns',
      async (ctx) => {
        const text = details<string>(await ctx.session.call(`topology-tabulated/${enc(clusterHint(ctx))}`));
        return { lines: [text], json: text };
      },
    ),
    read(
      'instance',
      'Output the fully-qualified hostname:port representation of the given instance, or error if unknown (--json: the instance)',
      async (ctx) => {
        const instance = (await ctx.session.call(`instance/${keyPath(instanceOf(ctx))}`)) as Instance;
        return one(instance.Key, instance);
      },
      ['which-instance'],
    ),
    read(
      'which-master',
      "Output the fully-qualified hostname:port representation of a given instance's master",
      async (ctx) => {
        const instance = (await ctx.session.call(`instance/${keyPath(instanceOf(ctx))}`)) as Instance;
        const master = isValidKey(instance.MasterKey) ? instance.MasterKey : null;
        return { lines: master ? [displayKey(master)] : [], json: master };
      },
    ),
    read(
      'which-replicas',
      'Output the fully-qualified hostname:port list of replicas of a given instance',
      async (ctx) => {
        const replicas = (await ctx.session.call(
          `instance-replicas/${keyPath(instanceOf(ctx))}`,
        )) as Instance[];
        return { lines: keyLines(keysOf(replicas)), json: keysOf(replicas) };
      },
      ['which-slaves'],
    ),
    read(
      'which-cluster',
      'Output the name of the cluster an instance belongs to, or error if unknown to orchestrator',
      async (ctx) => {
        const info = (await ctx.session.call(`cluster-info/${enc(clusterHint(ctx))}`)) as {
          ClusterName: string;
        };
        return { lines: [info.ClusterName], json: info.ClusterName };
      },
    ),
    read('which-cluster-master', 'Output the name of the master in a given cluster', async (ctx) => {
      const master = (await ctx.session.call(`master/${enc(clusterHint(ctx))}`)) as Instance;
      if (master.ReadOnly)
        throw new CommandFailed(`No writeable masters found for cluster ${master.ClusterName}`);
      return one(master.Key);
    }),
    read(
      'which-cluster-instances',
      'Output the list of instances participating in same cluster as given instance',
      async (ctx) => {
        const members = (await ctx.session.call(`cluster/${enc(clusterHint(ctx))}`)) as Instance[];
        return { lines: keyLines(keysOf(members)), json: keysOf(members) };
      },
    ),
    read('bulk-promotion-rules', 'Return a list of promotion rules known to orchestrator', async (ctx) => {
      const rows = (await ctx.session.call('bulk-promotion-rules')) as {
        Hostname: string;
        Port: number;
        PromotionRule: string;
      }[];
      return { lines: promotionRuleLines(rows), json: rows };
    }),
    read('check-global-recoveries', 'Show the global recovery configuration', async (ctx) => {
      const state = details<string>(await ctx.session.call('check-global-recoveries'));
      return { lines: [`OK: Global recoveries disabled: ${state === 'disabled'}`], json: state };
    }),
    read(
      'replication-analysis',
      'Request an analysis of potential crash incidents in all known topologies',
      async (ctx) => {
        // Probes every known instance first: the backend may be older than what MySQL says now.
        await ctx.session.refresh();
        const analysis = await ctx.session.analyze(false);
        return { lines: analysis.map(analysisLine), json: analysis };
      },
    ),
  ];
}

function instanceCommands(): CliCommand[] {
  const replicated = (
    name: string,
    description: string,
    changes: string,
    run: CliCommand['run'],
  ): CliCommand => ({
    name,
    section: 'Instance management',
    description,
    class: 'replicated',
    changes,
    run,
  });
  const maintenance = (name: string, description: string, run: CliCommand['run']): CliCommand => ({
    name,
    section: 'Instance management',
    description,
    class: 'local',
    run,
  });
  return [
    replicated(
      'discover',
      'Lookup an instance, investigate it (and walk its topology)',
      'the instances every node discovers',
      async (ctx) => {
        const key = instanceOf(ctx);
        const found = details<Instance>(await ctx.session.call(`discover/${keyPath(key)}`));
        // The walk of its master and replicas that probing started: written before returning.
        await ctx.session.settle();
        return one(found.Key, found);
      },
    ),
    replicated(
      'forget',
      "Forget about an instance's existence",
      'the instances every node knows',
      async (ctx) => {
        const key = instanceOf(ctx);
        await ctx.session.call(`forget/${keyPath(key)}`);
        return one(key);
      },
    ),
    replicated('begin-downtime', 'Mark an instance as downtimed', 'downtime', async (ctx) => {
      const key = instanceOf(ctx);
      const reason = requireReason(ctx);
      const duration = ctx.args.duration ? `/${enc(ctx.args.duration)}` : '';
      await ctx.session.call(
        `begin-downtime/${keyPath(key)}/${enc(ctx.session.o.owner)}/${enc(reason)}${duration}`,
      );
      return one(key);
    }),
    replicated('end-downtime', 'Indicate an instance is no longer downtimed', 'downtime', async (ctx) => {
      const key = instanceOf(ctx);
      await ctx.session.call(`end-downtime/${keyPath(key)}`);
      return one(key);
    }),
    replicated(
      'register-candidate',
      'Indicate that a specific instance is a preferred candidate for master promotion',
      'promotion rules',
      async (ctx) => {
        const key = instanceOf(ctx);
        await ctx.session.call(`register-candidate/${keyPath(key)}/${enc(ctx.args.promotionRule)}`);
        return one(key);
      },
    ),
    replicated(
      'enable-global-recoveries',
      'Allow orchestrator to perform recoveries globally',
      'the global recovery switch',
      async (ctx) => {
        await ctx.session.call('enable-global-recoveries');
        return { lines: ['OK: Orchestrator recoveries ENABLED globally'], json: 'enabled' };
      },
    ),
    replicated(
      'disable-global-recoveries',
      'Disallow orchestrator from performing recoveries globally',
      'the global recovery switch',
      async (ctx) => {
        await ctx.session.call('disable-global-recoveries');
        return { lines: ['OK: Orchestrator recoveries DISABLED globally'], json: 'disabled' };
      },
    ),
    maintenance('begin-maintenance', 'Request a maintenance lock on an instance', async (ctx) => {
      const key = instanceOf(ctx);
      const reason = requireReason(ctx);
      await ctx.session.call(`begin-maintenance/${keyPath(key)}/${enc(ctx.session.o.owner)}/${enc(reason)}`);
      return one(key);
    }),
    maintenance('end-maintenance', 'Remove maintenance lock from an instance', async (ctx) => {
      const key = instanceOf(ctx);
      await ctx.session.call(`end-maintenance/${keyPath(key)}`);
      return one(key);
    }),
  ];
}

function recoveryCommands(): CliCommand[] {
  return [
    {
      name: 'recover',
      synonyms: ['recover-lite'],
      section: 'Recovery',
      description: 'Do auto-recovery given a dead instance (recover-lite: without running the hooks)',
      class: 'replicated',
      changes: 'the recovery records, and a failover that the raft leader must coordinate',
      async run(ctx) {
        const key = instanceOf(ctx);
        await prepareRecovery(ctx, [key]);
        const route = ctx.args.command === 'recover-lite' ? 'recover-lite' : 'recover';
        const candidate = ctx.destination ? `/${keyPath(ctx.destination)}` : '';
        try {
          const promoted = details<InstanceKey>(
            await ctx.session.call(`${route}/${keyPath(key)}${candidate}`),
          );
          return one(promoted);
        } catch (err) {
          const message = (err as Error).message;
          // The reference prints nothing and exits 0 when no recovery was attempted.
          if (message.startsWith('Recovery not attempted')) return { lines: [], json: null, note: message };
          throw err;
        }
      },
    },
    recovery(
      'graceful-master-takeover',
      'graceful-master-takeover',
      "Gracefully promote a new master. Either indicate identity of new master via '-d designated.instance.com' or setup replication tree to have a single direct replica to the master.",
      'optional',
    ),
    recovery(
      'graceful-master-takeover-auto',
      'graceful-master-takeover-auto',
      'Gracefully promote a new master; orchestrator picks it unless -d names it',
      'optional',
    ),
    recovery(
      'force-master-failover',
      'force-master-failover',
      "Forcibly discard master and initiate a failover, even if orchestrator doesn't see a problem. This command lets orchestrator choose the replacement master",
      'none',
    ),
    recovery(
      'force-master-takeover',
      'force-master-takeover',
      'Forcibly discard master and promote another (direct child) instance instead, even if everything is running well',
      'required',
    ),
    ack(
      'ack-cluster-recoveries',
      'Acknowledge recoveries for a given cluster; this unblocks pending future recoveries',
      (ctx) => `ack-recovery/cluster/${enc(clusterHint(ctx))}`,
    ),
    ack(
      'ack-all-recoveries',
      'Acknowledge all recoveries; this unblocks pending future recoveries',
      () => 'ack-all-recoveries',
    ),
    ack(
      'ack-instance-recoveries',
      'Acknowledge recoveries for a given instance; this unblocks pending future recoveries',
      (ctx) => `ack-recovery/instance/${keyPath(instanceOf(ctx))}`,
    ),
  ];
}

/** The command for `name` (a synonym, or a `slave` spelling, finds it too). */
export function findCommand(name: string): CliCommand | undefined {
  const replica = name.replace(/(^|-)slaves?(-|$)/, (m) => m.replace('slave', 'replica'));
  return COMMANDS.find((c) => c.name === name || c.name === replica || c.synonyms?.includes(name));
}

/** `orchestrator -c help`: every command by section, as the reference lists them. */
export function commandsUsage(): string {
  const lines = ['Available commands (-c):'];
  let section = '';
  for (const c of COMMANDS) {
    if (c.section !== section) {
      section = c.section;
      lines.push(`${section}:`);
    }
    lines.push(`\t${c.name.padEnd(40)}${c.description}`);
  }
  lines.push(
    '',
    'Usage for most commands:',
    '\torchestrator -c <command> [-i <instance.fqdn>[,<instance.fqdn>]* ] [-d <destination.fqdn>] [--json] [--verbose|--debug]',
  );
  return lines.join('\n');
}
