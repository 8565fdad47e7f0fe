// Command-line parsing, pure: argv + environment → options. Accepts the reference client's short
// flags (`-c cmd`, `-ccmd`), its long forms with one or two dashes (`--command cmd`, `-command cmd`)
// and `--name=value`.
import { UsageError } from '../errors.js';

export interface CliOptions {
  command: string;
  help: boolean;
  json: boolean;
  instance: string;
  destination: string;
  alias: string;
  owner: string;
  reason: string;
  duration: string;
  promotionRule: string;
  tag: string;
  pool: string;
  hostname: string;
  defaultPort: number;
  /** ORCHESTRATOR_API or -U: one URL or a space-separated list. */
  api: string;
  path: string;
  query: string;
  binlog: string;
  seconds: string;
  /** "user:password" from -b or ORCHESTRATOR_AUTH_USER/PASSWORD; "" when none. */
  basicAuth: string;
  /** "Name: value" from -e or ORCHESTRATOR_AUTH_USER_HEADER; "" when none. */
  authHeader: string;
}

type ValueKey = Exclude<keyof CliOptions, 'help' | 'json' | 'defaultPort'> | 'defaultPortText';

interface FlagSpec {
  short?: string;
  long: string;
  key: ValueKey | 'help' | 'json';
}

/** The flag table; also used by `help`. */
export const FLAGS: readonly (FlagSpec & { arg?: string; summary: string })[] = [
  { short: 'h', long: 'help', key: 'help', summary: 'print this help' },
  { short: 'c', long: 'command', key: 'command', arg: 'command', summary: 'the command to run (see below)' },
  {
    short: 'i',
    long: 'instance',
    key: 'instance',
    arg: 'host[:port]',
    summary: 'the instance (default $ORCHESTRATOR_INSTANCE)',
  },
  {
    short: 'd',
    long: 'destination',
    key: 'destination',
    arg: 'host[:port]',
    summary: 'destination instance',
  },
  { short: 's', long: 'sibling', key: 'destination', arg: 'host[:port]', summary: 'same as -d' },
  { short: 'a', long: 'alias', key: 'alias', arg: 'alias', summary: 'cluster alias' },
  {
    short: 'o',
    long: 'owner',
    key: 'owner',
    arg: 'owner',
    summary: 'owner of a downtime/maintenance (default: current user)',
  },
  {
    short: 'r',
    long: 'reason',
    key: 'reason',
    arg: 'reason',
    summary: 'reason of a downtime/maintenance, comment of an ack',
  },
  {
    short: 'u',
    long: 'duration',
    key: 'duration',
    arg: 'duration',
    summary: 'downtime duration, e.g. 30s, 10m, 1h (default 10m)',
  },
  {
    short: 'R',
    long: 'promotion-rule',
    key: 'promotionRule',
    arg: 'rule',
    summary: 'promotion rule for register-candidate',
  },
  { short: 't', long: 'tag', key: 'tag', arg: 'tag', summary: 'tag, "name" or "name=value"' },
  { short: 'l', long: 'pool', key: 'pool', arg: 'pool', summary: 'pool name' },
  {
    short: 'H',
    long: 'hostname',
    key: 'hostname',
    arg: 'hostname',
    summary: 'hostname for unresolve and raft commands',
  },
  {
    short: 'D',
    long: 'default-port',
    key: 'defaultPortText',
    arg: 'port',
    summary: 'port when -i/-d have none (default 3306)',
  },
  { short: 'U', long: 'api', key: 'api', arg: 'url(s)', summary: 'overrides $ORCHESTRATOR_API' },
  { short: 'P', long: 'path', key: 'path', arg: 'path', summary: "API path for '-c api'" },
  { short: 'q', long: 'query', key: 'query', arg: 'query', summary: 'query for restart-replica-statements' },
  { short: 'b', long: 'auth', key: 'basicAuth', arg: 'user:password', summary: 'basic auth credentials' },
  {
    short: 'e',
    long: 'headers-auth',
    key: 'authHeader',
    arg: 'header',
    summary: 'auth header, "Name: value"',
  },
  {
    short: 'n',
    long: 'binlog',
    key: 'binlog',
    arg: 'binlog',
    summary: 'binary log file for purge-binary-logs',
  },
  { short: 'S', long: 'seconds', key: 'seconds', arg: 'seconds', summary: 'seconds for delay-replication' },
  { long: 'json', key: 'json', summary: 'print the raw JSON response instead of the text output' },
];

const BY_SHORT = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));
const BY_LONG = new Map(FLAGS.map((f) => [f.long, f]));

export type Env = Record<string, string | undefined>;

export function parseArgs(argv: readonly string[], env: Env, defaultOwner: string): CliOptions {
  const envUser = env.ORCHESTRATOR_AUTH_USER ?? '';
  const envPassword = env.ORCHESTRATOR_AUTH_PASSWORD ?? '';
  const values: Record<ValueKey, string> = {
    command: '',
    instance: env.ORCHESTRATOR_INSTANCE ?? '',
    destination: '',
    alias: '',
    owner: defaultOwner,
    reason: '',
    duration: '10m',
    promotionRule: '',
    tag: '',
    pool: '',
    hostname: '',
    defaultPortText: '3306',
    api: env.ORCHESTRATOR_API || 'http://localhost:3000',
    path: '',
    query: '',
    binlog: '',
    seconds: '',
    basicAuth: envUser !== '' || envPassword !== '' ? `${envUser}:${envPassword}` : '',
    authHeader: env.ORCHESTRATOR_AUTH_USER_HEADER ?? '',
  };
  let help = false;
  let json = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let spec: (typeof FLAGS)[number] | undefined;
    let inline: string | undefined;
    if (
      arg.startsWith('--') ||
      (arg.startsWith('-') && arg.length > 2 && BY_LONG.has(arg.slice(1).split('=')[0]!))
    ) {
      const body = arg.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      if (eq >= 0) inline = body.slice(eq + 1);
      spec = BY_LONG.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      spec = BY_SHORT.get(arg[1]!);
      if (!spec) throw new UsageError(`unknown option ${arg.slice(0, 2)}`);
      if (arg.length > 2) inline = arg.slice(2);
    } else {
      throw new UsageError(
        `unexpected argument "${arg}" (options take the form -c <command> -i <instance> …)`,
      );
    }
    if (spec.key === 'help' || spec.key === 'json') {
      if (inline !== undefined) throw new UsageError(`option --${spec.long} takes no value`);
      if (spec.key === 'help') help = true;
      else json = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length)
        throw new UsageError(`option -${spec.short ?? `-${spec.long}`} needs a value`);
      value = argv[++i]!;
    }
    // An empty -U keeps ORCHESTRATOR_API, as in the reference client.
    if (spec.key === 'api' && value === '') continue;
    values[spec.key] = value;
  }

  if (!/^\d+$/.test(values.defaultPortText)) {
    throw new UsageError(`default port must be a number, got "${values.defaultPortText}"`);
  }
  const { defaultPortText, ...rest } = values;
  return {
    ...rest,
    // Old names stay usable: any "slave" in a command name means "replica".
    command: help ? 'help' : values.command.replaceAll('slave', 'replica'),
    help,
    json,
    defaultPort: Number(defaultPortText),
  };
}
