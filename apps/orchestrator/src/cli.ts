#!/usr/bin/env node
// `orchestrator [--config=FILE] http` runs the daemon. In raft mode every other command refuses:
// the command line talks to a backend database directly and cannot take part in raft consensus
// (the seed's "What to deploy: client"), so operators use orchestrator-client or the HTTP API.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';

const here = dirname(fileURLToPath(import.meta.url));
const version = (JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

/** Where the reference looks for a config file when --config is not given. */
const DEFAULT_CONFIG_PATHS = [
  '/etc/orchestrator.conf.json',
  'conf/orchestrator.conf.json',
  'orchestrator.conf.json',
];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface CliOptions {
  config?: string;
  c?: string;
  ignoreRaftSetup?: boolean;
  debug?: boolean;
  logLevel?: string;
}

function findConfigFile(explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new CliError(`config file ${explicit} (--config) does not exist`);
    return explicit;
  }
  return DEFAULT_CONFIG_PATHS.find((p) => existsSync(p));
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('orchestrator')
    .description('MySQL/MariaDB topology orchestrator with raft consensus')
    .version(version, '--version')
    .option('--config <file>', 'config file (orchestrator.conf.json)')
    .option('-c <command>', 'a command line command (refused in raft mode; use orchestrator-client)')
    .option(
      '--ignore-raft-setup',
      'run a command line command even though raft is enabled (you take the risk)',
    )
    .option('--debug', 'debug logging')
    .option('--log-level <level>', 'log level: trace, debug, info, warn, error')
    .argument('[command]', '"http" runs the daemon')
    .allowUnknownOption(false)
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const options = program.opts<CliOptions>();
  const command = program.args[0] ?? options.c;
  if (!command) {
    program.outputHelp();
    return 1;
  }

  const { loadConfig } = await import('./config/index.js');
  const configFile = findConfigFile(options.config);
  const { config, derived, warnings } = loadConfig(configFile);
  for (const warning of warnings) process.stderr.write(`config warning: ${warning}\n`);

  if (command !== 'http') {
    if (config.RaftEnabled && !options.ignoreRaftSetup) {
      throw new CliError(
        `orchestrator: refusing to run command "${command}": RaftEnabled is set in ${configFile ?? 'the config'}. ` +
          'The command line client works directly on a backend database and cannot take part in raft ' +
          'consensus, so the other nodes would never see its changes. Use orchestrator-client ' +
          '(ORCHESTRATOR_API="http://leader:3000/api") or the HTTP API instead, or pass --ignore-raft-setup ' +
          'if you know what you are doing.',
      );
    }
    throw new CliError(
      `orchestrator: command "${command}" is not available from this command line: it only runs the daemon ` +
        '("http"). Every operation is served by the HTTP API; use orchestrator-client.',
    );
  }

  const { startDaemon } = await import('./daemon.js');
  const daemon = await startDaemon(config, derived, {
    logLevel: options.logLevel ?? (options.debug ? 'debug' : undefined),
    configFile,
  });
  await daemon.closed;
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${message}\n`);
      process.exit(error instanceof CliError ? error.exitCode : 1);
    },
  );
}
