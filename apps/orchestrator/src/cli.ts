#!/usr/bin/env node
// The orchestrator command: `orchestrator [--config=FILE] http` runs the daemon;
// `orchestrator [--config=FILE] -c COMMAND [-i instance] [-d destination] …` runs one command as
// the reference's command line does (cli/). Flags are read as Go's flag package reads them.
import './heap-sizing.js';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliArgs, flagsUsage, parseArgs, UsageError } from './cli/args.js';

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

function findConfigFile(explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new CliError(`config file ${explicit} (--config) does not exist`);
    return explicit;
  }
  return DEFAULT_CONFIG_PATHS.find((p) => existsSync(p));
}

function usage(): string {
  return [
    'orchestrator: MySQL/MariaDB topology orchestrator with raft consensus',
    '',
    'Usage:',
    '  orchestrator [--config=FILE] http                              run the daemon',
    '  orchestrator [--config=FILE] -c COMMAND [-i host[:port]] [-d host[:port]] [flags]',
    '  orchestrator -c help                                           list the commands',
    '',
    'Flags:',
    flagsUsage(),
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usage()}`);
    return error.exitCode;
  }
  if (args.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  const word = args.positional[0];
  if (word !== undefined && word !== 'http' && word !== 'cli') {
    process.stderr.write(`orchestrator: unknown argument ${JSON.stringify(word)}\n${usage()}`);
    return 1;
  }
  if (word !== 'http' && !args.command) {
    process.stdout.write(usage());
    return word === undefined ? 0 : 1;
  }
  if (args.command === 'help') {
    const { commandsUsage } = await import('./cli/commands.js');
    process.stderr.write(`${commandsUsage()}\n`);
    return 0;
  }

  const { loadConfig } = await import('./config/index.js');
  const configFile = findConfigFile(args.config);
  const { config, derived, warnings } = loadConfig(configFile);
  for (const warning of warnings) process.stderr.write(`config warning: ${warning}\n`);

  if (word !== 'http') {
    const { runCommand } = await import('./cli/run.js');
    return runCommand(args, {
      config,
      derived,
      configFile,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }

  const { startDaemon } = await import('./daemon.js');
  const daemon = await startDaemon(config, derived, {
    logLevel: args.logLevel ?? (args.debug ? 'debug' : undefined),
    configFile,
  });
  await daemon.closed;
  return 0;
}

/** Runs the command line and exits the process with its code (the bin, directly or via launcher.ts). */
export function main(argv: readonly string[]): void {
  runCli(argv).then(
    (code) => {
      // Wait for stdout to drain before exiting (a pipe may still hold the output).
      process.stdout.write('', () => process.exit(code));
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${message}\n`);
      process.exit(error instanceof CliError ? error.exitCode : 1);
    },
  );
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (invokedDirectly) main(process.argv.slice(2));
