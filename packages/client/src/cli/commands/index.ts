// Every command of orchestrator-client, by name.
import { type Command, command } from '../command.js';
import { instanceCommands } from './instances.js';
import { operationCommands } from './operations.js';
import { recoveryCommands } from './recovery.js';
import { topologyCommands } from './topology.js';

const metaCommands: Command[] = [
  command('help', 'Show this help', [], async () => []),
  command('which-api', 'Print the API URL in use (the leader, with several URLs)', [], async (ctx) => [
    await ctx.client.leader(),
  ]),
  command('api', 'GET any API path (-P path) and print the raw JSON', ['path'], async (ctx) => [
    JSON.stringify(await ctx.client.get(ctx.opts.path.replace(/^\/+/, '')), null, 2),
  ]),
];

export const COMMANDS: readonly Command[] = [
  ...metaCommands,
  ...instanceCommands,
  ...operationCommands,
  ...topologyCommands,
  ...recoveryCommands,
];

export const COMMANDS_BY_NAME: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.name, c]));
