// `orchestrator -c COMMAND`: decides whether the command may run here, opens a CliSession, runs
// the command once per -i instance (the reference's CliWrapper) and prints the result.
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import { createLogger } from '../logger.js';
import type { CliArgs } from './args.js';
import { CommandFailed, type CommandOutput, commandsUsage, findCommand } from './commands.js';
import { parseInstance, render, splitInstances } from './format.js';
import { CliSession, osUser } from './session.js';

/** Where a command's output goes (process.stdout/stderr, or buffers in tests). */
export interface Output {
  write(text: string): unknown;
}

export interface RunContext {
  config: OrchestratorConfig;
  derived: DerivedConfig;
  configFile: string | undefined;
  stdout: Output;
  stderr: Output;
}

/** Why a command may not run on this node, or undefined when it may. */
export function refusal(
  commandName: string,
  args: Pick<CliArgs, 'ignoreRaftSetup'>,
  config: Pick<OrchestratorConfig, 'RaftEnabled'>,
  configFile: string | undefined,
): string | undefined {
  if (!config.RaftEnabled) return undefined;
  if (!args.ignoreRaftSetup) {
    return (
      `orchestrator: refusing to run command "${commandName}": RaftEnabled is set in ${configFile ?? 'the config'}. ` +
      'All access must go through the HTTP API of the raft leader, so that every node sees every change. ' +
      'Use orchestrator-client (ORCHESTRATOR_API="http://leader:3000/api"), which has the same commands, ' +
      'or pass --ignore-raft-setup to run read commands and commands that act only on MySQL from here.'
    );
  }
  const command = findCommand(commandName);
  if (command?.class !== 'replicated') return undefined;
  return (
    `orchestrator: refusing to run command "${commandName}" with --ignore-raft-setup: it changes ${command.changes ?? 'replicated state'}, ` +
    'which every raft node applies from the raft log. Run from here it would change this node alone and make it ' +
    'diverge from its peers (the reference lets this through; this orchestrator does not). ' +
    `Use orchestrator-client -c ${commandName} or the HTTP API: the raft leader publishes it to every node.`
  );
}

function logLevel(args: CliArgs): string {
  if (args.quiet) return 'error';
  if (args.debug) return 'debug';
  if (args.verbose) return 'info';
  return args.logLevel ?? 'error';
}

/** Runs `args.command`; resolves with the exit code (0, or 1 for a failure). */
export async function runCommand(args: CliArgs, ctx: RunContext): Promise<number> {
  const name = args.command ?? '';
  if (name === 'help') {
    ctx.stderr.write(`${commandsUsage()}\n`);
    return 0;
  }
  const command = findCommand(name);
  if (command === undefined) {
    ctx.stderr.write(`orchestrator: Unknown command: "${name}". ${commandsUsage()}\n`);
    return 1;
  }
  const refused = refusal(name, args, ctx.config, ctx.configFile);
  if (refused !== undefined) {
    ctx.stderr.write(`${refused}\n`);
    return 1;
  }
  const fail = (message: string, details?: unknown): number => {
    ctx.stderr.write(
      args.json
        ? `${JSON.stringify({ Code: 'ERROR', Message: message, Details: details ?? null })}\n`
        : `orchestrator: ${message}\n`,
    );
    return 1;
  };
  const destination = args.destination ? parseInstance(args.destination) : null;
  if (args.destination && destination === null) return fail(`Cannot deduce destination: ${args.destination}`);
  const log = createLogger({ level: logLevel(args), format: 'json', base: { cli: name } });
  let session: CliSession;
  try {
    session = await CliSession.open({
      config: ctx.config,
      derived: ctx.derived,
      log,
      owner: args.owner?.trim() || osUser(),
    });
  } catch (err) {
    return fail(`cannot open the backend: ${(err as Error).message}`);
  }
  try {
    const tokens = splitInstances(args.instance);
    for (const raw of tokens.length === 0 ? [''] : tokens) {
      let output: CommandOutput;
      try {
        output = await command.run({
          session,
          args,
          raw,
          instance: parseInstance(raw),
          destination,
        });
      } catch (err) {
        const e = err as Error & { details?: unknown };
        return fail(e.message, err instanceof CommandFailed ? undefined : e.details);
      }
      if (output.note) ctx.stderr.write(`orchestrator: ${output.note}\n`);
      ctx.stdout.write(render(output, args.json));
    }
    return 0;
  } finally {
    await session.close();
  }
}
