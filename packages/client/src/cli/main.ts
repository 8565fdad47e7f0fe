// orchestrator-client: `main(argv, env, io)` runs one command and resolves with the exit code.
// Everything the process touches (stdout, stderr, fetch, sleep, pid, user) comes in through `io`,
// so tests run it in-process.
import { userInfo } from 'node:os';
import { OrchestratorClient } from '../client.js';
import type { ClientOptions } from '../connection.js';
import { ApiError, ClientError, UsageError } from '../errors.js';
import { parseInstanceKey } from '../keys.js';
import type { FetchLike } from '../transport.js';
import type { InstanceKey } from '../types.js';
import { type CliOptions, type Env, FLAGS, parseArgs } from './args.js';
import type { Command, CommandContext, Need } from './command.js';
import { COMMANDS, COMMANDS_BY_NAME } from './commands/index.js';

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Retry delays of reads (ms); the reference client's by default. */
  retryDelaysMs?: readonly number[];
  /** Shown in error messages as `orchestrator-client[pid]`. */
  pid?: number;
  /** Default downtime/maintenance owner; the current user by default. */
  user?: string;
}

const NAME = 'orchestrator-client';

const NEED_HINTS: Record<Need, string> = {
  instance: 'instance must be provided (-i host[:port])',
  'instance-text': 'instance must be provided (-i)',
  destination: 'destination must be provided (-d host[:port])',
  hint: 'instance|alias must be provided (-i host[:port] or -a alias)',
  owner: 'owner must be provided (-o owner)',
  reason: 'reason must be provided (-r reason)',
  duration: 'duration must be provided (-u duration)',
  'promotion-rule': 'promotion-rule must be provided (-R rule)',
  tag: 'tag must be provided (-t tag)',
  pool: 'pool must be provided (-l pool)',
  hostname: 'hostname must be provided (-H hostname)',
  binlog: 'binlog must be provided (-n binlog)',
  seconds: 'seconds must be provided (-S seconds)',
  path: 'path must be provided (-P path)',
  query: 'query must be provided (-q query)',
};

function needValue(opts: CliOptions, need: Need): string {
  switch (need) {
    case 'instance':
    case 'instance-text':
      return opts.instance;
    case 'destination':
      return opts.destination;
    case 'hint':
      return opts.alias || opts.instance;
    case 'promotion-rule':
      return opts.promotionRule;
    case 'hostname':
      return opts.hostname;
    default:
      return opts[need];
  }
}

function parseKey(text: string, defaultPort: number, what: string): InstanceKey | undefined {
  if (text === '') return undefined;
  try {
    return parseInstanceKey(text, defaultPort);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

/** Checks the command line of `cmd`; throws UsageError naming what is missing. No I/O. */
export function validate(
  cmd: Command,
  opts: CliOptions,
): { instance?: InstanceKey; destination?: InstanceKey } {
  for (const need of cmd.needs ?? []) {
    if (needValue(opts, need) === '') throw new UsageError(`${cmd.name}: ${NEED_HINTS[need]}`);
  }
  const parsesInstance = cmd.needs?.includes('instance') ?? false;
  return {
    instance: parsesInstance ? parseKey(opts.instance, opts.defaultPort, 'instance') : undefined,
    destination: parseKey(opts.destination, opts.defaultPort, 'destination'),
  };
}

export function helpText(): string {
  const options = FLAGS.map((f) => {
    const names = [f.short ? `-${f.short}` : '', `--${f.long}`].filter(Boolean).join(', ');
    return `  ${`${names}${f.arg ? ` <${f.arg}>` : ''}`.padEnd(40)} ${f.summary}`;
  });
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`);
  return [
    `Usage: ${NAME} -c <command> [flags...]`,
    `Example: ${NAME} -c which-master -i some.replica`,
    '',
    'Environment: ORCHESTRATOR_API (one URL or a space-separated list; default http://localhost:3000),',
    '  ORCHESTRATOR_AUTH_USER / ORCHESTRATOR_AUTH_PASSWORD, ORCHESTRATOR_AUTH_USER_HEADER, ORCHESTRATOR_INSTANCE',
    '',
    'Options:',
    ...options,
    '',
    'Commands ("slave" in a name means "replica"):',
    ...commands,
    '',
  ].join('\n');
}

function clientOptions(opts: CliOptions, io: CliIO, onResponse: ClientOptions['onResponse']): ClientOptions {
  const options: ClientOptions = { api: opts.api, onResponse };
  // As in the reference client, a header replaces basic auth rather than adding to it.
  if (opts.authHeader !== '') options.authHeader = opts.authHeader;
  else if (opts.basicAuth !== '') {
    const colon = opts.basicAuth.indexOf(':');
    options.auth =
      colon < 0
        ? { user: opts.basicAuth, password: '' }
        : { user: opts.basicAuth.slice(0, colon), password: opts.basicAuth.slice(colon + 1) };
  }
  if (io.fetch) options.fetch = io.fetch;
  if (io.sleep) options.sleep = io.sleep;
  if (io.retryDelaysMs) options.retryDelaysMs = io.retryDelaysMs;
  return options;
}

const writeLines = (stream: CliIO['stdout'], lines: readonly string[]) => {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
};

/** What the command line asks for, once parsed and validated. */
interface Invocation {
  opts: CliOptions;
  cmd: Command;
  keys: ReturnType<typeof validate>;
}

/** Parses and validates; throws UsageError (or TypeError for a bad key) before any I/O. */
function prepare(argv: readonly string[], env: Env, io: CliIO): Invocation | 'help' {
  const opts = parseArgs(argv, env, io.user ?? env.USER ?? env.LOGNAME ?? safeUser());
  if (opts.command === '') {
    throw new UsageError(
      `No command given. Use ${NAME} -c <command> [...] or ${NAME} --command <command> [...] to do something useful`,
    );
  }
  if (opts.command === 'help') return 'help';
  const cmd = COMMANDS_BY_NAME.get(opts.command);
  if (!cmd) throw new UsageError(`Unsupported command ${opts.command} (see: ${NAME} -c help)`);
  return { opts, cmd, keys: validate(cmd, opts) };
}

export async function main(argv: readonly string[], env: Env, io: CliIO): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`${NAME}[${io.pid ?? process.pid}]: ${message}\n`);
    return 1;
  };
  let invocation: Invocation | 'help';
  let client: OrchestratorClient;
  let lastBody: unknown;
  let answered = false;
  try {
    invocation = prepare(argv, env, io);
    if (invocation === 'help') {
      io.stdout.write(helpText());
      return 0;
    }
    // Built here so that a malformed auth header is refused like any other usage error.
    client = new OrchestratorClient(
      clientOptions(invocation.opts, io, (event) => {
        lastBody = event.body;
        answered = true;
      }),
    );
  } catch (err) {
    if (err instanceof ClientError || err instanceof TypeError) return fail(err.message);
    throw err;
  }

  const { opts, cmd, keys } = invocation;
  const ctx: CommandContext = {
    client,
    opts,
    instance: keys.instance,
    destination: keys.destination,
    hint: opts.alias || opts.instance,
  };
  try {
    const lines = await cmd.run(ctx);
    if (opts.json && answered && cmd.name !== 'api')
      writeLines(io.stdout, [JSON.stringify(lastBody, null, 2)]);
    else writeLines(io.stdout, lines);
    return 0;
  } catch (err) {
    if (!(err instanceof ApiError)) return fail(err instanceof Error ? err.message : String(err));
    // Raw modes print the ERROR envelope itself; otherwise Message goes to stderr and Details, when
    // not null, to stdout, as the reference client does.
    if (opts.json || cmd.name === 'api') {
      writeLines(io.stdout, [JSON.stringify(err.body, null, 2)]);
      return 1;
    }
    io.stderr.write(`${err.apiMessage.replaceAll("'", '').trim()}\n`);
    if (err.details !== null && err.details !== undefined)
      writeLines(io.stdout, [JSON.stringify(err.details)]);
    return 1;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
