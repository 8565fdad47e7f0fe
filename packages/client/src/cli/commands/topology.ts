// Topology refactoring and replication control.
import type { InstanceCommand, MoveBelowCommand, MoveCommand, MoveReplicasCommand } from '../../client.js';
import { formatKey } from '../../keys.js';
import { type Command, command, dest, key } from '../command.js';
import { keyLine, keyLines, moveLine, rawLines, rawText } from '../format.js';

const below = (name: string, route: MoveBelowCommand, summary: string): Command =>
  command(name, summary, ['instance', 'destination'], async (ctx) => [
    moveLine(await ctx.client.moveBelow(route, key(ctx), dest(ctx))),
  ]);

const single = (name: MoveCommand, summary: string): Command =>
  command(name, summary, ['instance'], async (ctx) => [moveLine(await ctx.client.move(name, key(ctx)))]);

const replicas = (name: MoveReplicasCommand, summary: string, destinationRequired: boolean): Command =>
  command(name, summary, destinationRequired ? ['instance', 'destination'] : ['instance'], async (ctx) =>
    keyLines(await ctx.client.moveReplicas(name, key(ctx), ctx.destination)),
  );

const onInstance = (name: InstanceCommand, summary: string): Command =>
  command(name, summary, ['instance'], async (ctx) => [
    keyLine(await ctx.client.instanceCommand(name, key(ctx))),
  ]);

export const topologyCommands: Command[] = [
  below('relocate', 'relocate', 'Move a replica below another instance (-d), by any means'),
  replicas('relocate-replicas', 'Move the replicas of an instance below another (-d)', true),
  below('match', 'match', 'Move a replica below another (-d) using Pseudo-GTID'),
  single('match-up', 'Move a replica up one level using Pseudo-GTID'),
  replicas('match-up-replicas', "Move an instance's replicas up one level using Pseudo-GTID", false),
  single('move-up', 'Move a replica up one level (below its grandparent)'),
  below('move-below', 'move-below', 'Move a replica below its sibling (-d)'),
  below('move-equivalent', 'move-equivalent', 'Move a replica below another (-d) by equivalence coordinates'),
  replicas('move-up-replicas', "Move an instance's replicas up one level", false),
  single('make-co-master', 'Make an instance co-master with its master'),
  single('take-master', 'Swap an instance with its master'),
  below('move-below-gtid', 'move-below-gtid', 'Move a replica below another (-d) using GTID'),
  below('move-gtid', 'move-below-gtid', 'Same as move-below-gtid'),
  replicas('move-replicas-gtid', "Move an instance's replicas below another (-d) using GTID", true),
  below('repoint', 'repoint', 'Point a replica at another master (-d) keeping coordinates; use with care'),
  replicas('repoint-replicas', "Repoint an instance's replicas back at it; use with care", false),
  single('take-siblings', 'Make the siblings of a replica its replicas'),
  command(
    'regroup-replicas',
    'Regroup the replicas of an instance below the most advanced one',
    ['instance'],
    async (ctx) => [keyLine(await ctx.client.regroupReplicas(key(ctx)))],
  ),

  onInstance('stop-replica', 'STOP SLAVE on an instance'),
  onInstance('stop-replica-nice', 'STOP SLAVE after the SQL thread caught up with the IO thread'),
  onInstance('start-replica', 'START SLAVE on an instance'),
  onInstance('restart-replica', 'STOP then START SLAVE on an instance'),
  onInstance('reset-replica', 'RESET SLAVE on an instance; use with care'),
  onInstance('detach-replica', 'Stop replication and make the master coordinates reversibly invalid'),
  onInstance('reattach-replica', 'Undo detach-replica'),
  onInstance('detach-replica-master-host', 'Stop replication and make Master_Host reversibly invalid'),
  onInstance('reattach-replica-master-host', 'Undo detach-replica-master-host'),
  onInstance('skip-query', 'Skip one statement on a replica'),
  onInstance('gtid-errant-reset-master', 'Remove errant GTID by RESET MASTER'),
  onInstance('gtid-errant-inject-empty', "Inject errant GTID as empty transactions on the cluster's master"),
  onInstance('enable-semi-sync-master', 'Enable semi-sync, master side'),
  onInstance('disable-semi-sync-master', 'Disable semi-sync, master side'),
  onInstance('enable-semi-sync-replica', 'Enable semi-sync, replica side'),
  onInstance('disable-semi-sync-replica', 'Disable semi-sync, replica side'),
  onInstance('enable-gtid', 'Switch a replica to GTID replication'),
  onInstance('disable-gtid', 'Switch a replica to file:pos replication'),
  onInstance('set-read-only', 'SET GLOBAL read_only=1'),
  onInstance('set-writeable', 'SET GLOBAL read_only=0'),
  onInstance('flush-binary-logs', 'FLUSH BINARY LOGS on an instance'),
  command('purge-binary-logs', 'Purge binary logs up to -n binlog', ['instance', 'binlog'], async (ctx) => [
    keyLine(await ctx.client.purgeBinaryLogs(key(ctx), ctx.opts.binlog)),
  ]),
  command(
    'delay-replication',
    'Set the replication delay to -S seconds',
    ['instance', 'seconds'],
    async (ctx) => [keyLine(await ctx.client.delayReplication(key(ctx), ctx.opts.seconds))],
  ),
  command(
    'restart-replica-statements',
    'Print the statements that run -q query with replication stopped and restored',
    ['instance', 'query'],
    async (ctx) => {
      const statements = await ctx.client.restartReplicaStatements(key(ctx), ctx.opts.query);
      return Array.isArray(statements) ? rawLines(statements) : [rawText(statements)];
    },
  ),
  command(
    'can-replicate-from',
    'Print -d if the instance could replicate from it',
    ['instance', 'destination'],
    async (ctx) => {
      const answer = await ctx.client.canReplicateFrom(key(ctx), dest(ctx));
      return answer.canReplicate ? [formatKey(answer.key)] : [];
    },
  ),
  command(
    'can-replicate-from-gtid',
    'Same, assuming GTID replication',
    ['instance', 'destination'],
    async (ctx) => {
      const answer = await ctx.client.canReplicateFrom(key(ctx), dest(ctx), true);
      return answer.canReplicate ? [formatKey(answer.key)] : [];
    },
  ),
  command('locate-gtid-errant', 'List the binary logs holding errant GTID', ['instance'], async (ctx) =>
    rawLines(await ctx.client.locateGtidErrant(key(ctx))),
  ),
  command(
    'last-pseudo-gtid',
    'Print the last Pseudo-GTID entry of an instance',
    ['instance'],
    async (ctx) => [rawText(await ctx.client.lastPseudoGtid(key(ctx)))],
  ),
];
