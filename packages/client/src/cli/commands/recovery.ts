// Failure analysis, recoveries, acknowledgements, global recovery switch and raft.

import type { OrchestratorClient } from '../../client.js';
import { CommandFailedError } from '../../errors.js';
import { formatKey } from '../../keys.js';
import type { ReplicationAnalysis } from '../../types.js';
import { type Command, command, dest, key } from '../command.js';
import { keyLine, rawText, valueText } from '../format.js';

/** "host:port (cluster name): Analysis"; a NoProblem entry shows its first structure warning. */
export function analysisLine(a: ReplicationAnalysis): string {
  const what = a.Analysis === 'NoProblem' ? (a.StructureAnalysis?.[0] ?? '') : a.Analysis;
  return `${formatKey(a.AnalyzedInstanceKey)} (cluster ${a.ClusterDetails?.ClusterName ?? ''}): ${what}`;
}

/** The raft commands first make sure the answering node is the raft leader. */
async function requireRaftLeader(client: OrchestratorClient): Promise<void> {
  const state = await client.raftState();
  if (!String(state).includes('Leader')) throw new CommandFailedError('Cannot determine raft state');
}

export const recoveryCommands: Command[] = [
  command(
    'replication-analysis',
    'Show the analysis of possible failures in all topologies',
    [],
    async (ctx) => (await ctx.client.replicationAnalysis()).map(analysisLine),
  ),
  command(
    'recover',
    'Recover a failed instance now, overriding blocks (-d candidate optional)',
    ['instance'],
    async (ctx) => [keyLine(await ctx.client.recover(key(ctx), { candidate: ctx.destination }))],
  ),
  command('recover-lite', 'Same as recover, without running hooks', ['instance'], async (ctx) => [
    keyLine(await ctx.client.recover(key(ctx), { candidate: ctx.destination, lite: true })),
  ]),
  command(
    'graceful-master-takeover',
    'Promote a replica (-d designated, or the only direct replica) in a planned switch',
    ['hint'],
    async (ctx) => [
      formatKey((await ctx.client.gracefulMasterTakeover(ctx.hint, ctx.destination)).SuccessorKey),
    ],
  ),
  command(
    'graceful-master-takeover-auto',
    'Planned switch; orchestrator picks the replica unless -d is given',
    ['hint'],
    async (ctx) => [
      formatKey((await ctx.client.gracefulMasterTakeover(ctx.hint, ctx.destination, true)).SuccessorKey),
    ],
  ),
  command(
    'force-master-failover',
    'Fail over the master now, orchestrator picks the replacement',
    ['hint'],
    async (ctx) => [formatKey((await ctx.client.forceMasterFailover(ctx.hint)).SuccessorKey)],
  ),
  command(
    'force-master-takeover',
    'Fail over the master now, promoting -d (a direct replica)',
    ['hint', 'destination'],
    async (ctx) => [formatKey((await ctx.client.forceMasterTakeover(ctx.hint, dest(ctx))).SuccessorKey)],
  ),
  command(
    'ack-cluster-recoveries',
    'Acknowledge the recoveries of a cluster (-r comment)',
    ['hint', 'reason'],
    async (ctx) => [valueText(await ctx.client.ackClusterRecoveries(ctx.hint, ctx.opts.reason))],
  ),
  command(
    'ack-instance-recoveries',
    'Acknowledge the recoveries of an instance (-r comment)',
    ['instance', 'reason'],
    async (ctx) => [valueText(await ctx.client.ackInstanceRecoveries(key(ctx), ctx.opts.reason))],
  ),
  command('ack-all-recoveries', 'Acknowledge all recoveries (-r comment)', ['reason'], async (ctx) => [
    valueText(await ctx.client.ackAllRecoveries(ctx.opts.reason)),
  ]),
  command('disable-global-recoveries', 'Stop orchestrator from running any recovery', [], async (ctx) => [
    rawText(await ctx.client.disableGlobalRecoveries()),
  ]),
  command('enable-global-recoveries', 'Allow recoveries again', [], async (ctx) => [
    rawText(await ctx.client.enableGlobalRecoveries()),
  ]),
  command(
    'check-global-recoveries',
    'Print whether recoveries are "enabled" or "disabled"',
    [],
    async (ctx) => [rawText(await ctx.client.checkGlobalRecoveries())],
  ),
  command('raft-leader', "Print the raft leader's raft address", [], async (ctx) => {
    await requireRaftLeader(ctx.client);
    return [rawText(await ctx.client.raftLeader())];
  }),
  command('raft-health', 'Print whether the node is part of a healthy raft group', [], async (ctx) => [
    rawText(await ctx.client.raftHealth()),
  ]),
  command('raft-leader-hostname', "Print the raft leader's hostname", [], async (ctx) => {
    await requireRaftLeader(ctx.client);
    return [rawText((await ctx.client.status()).Hostname ?? null)];
  }),
  command(
    'raft-elect-leader',
    'Ask the leader to step down for the node matching -H hint',
    ['hostname'],
    async (ctx) => {
      await requireRaftLeader(ctx.client);
      return [rawText(await ctx.client.raftYieldHint(ctx.opts.hostname))];
    },
  ),
];
