// The command line's flags, parsed the way the reference's Go `flag` package reads them: `-name`
// and `--name` alike, values as `-name value` or `-name=value`, booleans as `-name` or
// `-name=false`. Unlike Go, flags may also follow the positional word (`http`, `cli`). Pure.

/** A usage problem: the command line exits 2 with the message, as Go's flag package does. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  readonly exitCode = 2;
}

export interface CliArgs {
  /** --config: the config file. */
  config?: string;
  /** -c: the command. */
  command?: string;
  /** -i: instance(s), `host[:port]`, several separated by commas or whitespace. */
  instance?: string;
  /** -d (or its synonym -s): the destination/sibling instance. */
  destination?: string;
  owner?: string;
  reason?: string;
  /** --duration: `59s`, `59m`, `23h`, `6d`, `4w` (default: 10 minutes where it applies). */
  duration?: string;
  pattern?: string;
  /** --alias: a cluster alias (or name). */
  alias?: string;
  pool?: string;
  hostname?: string;
  /** --promotion-rule for register-candidate (default prefer). */
  promotionRule: string;
  tag?: string;
  binlog?: string;
  statement?: string;
  ignoreRaftSetup: boolean;
  /** Ours: print the command's result as JSON (the API's shape) instead of the reference's text. */
  json: boolean;
  debug: boolean;
  verbose: boolean;
  quiet: boolean;
  version: boolean;
  help: boolean;
  /** Ours: log level for the daemon (overrides LogLevel). */
  logLevel?: string;
  /** Positional words: `http`, `cli`, or a command name for `help`. */
  positional: string[];
}

type Field = Exclude<keyof CliArgs, 'positional'>;

interface FlagSpec {
  field?: Field;
  kind: 'string' | 'bool';
  help: string;
}

/** Every flag of the reference's main.go (those without a field are accepted and have no effect), plus ours. */
export const FLAGS: Record<string, FlagSpec> = {
  config: { field: 'config', kind: 'string', help: 'config file name' },
  c: {
    field: 'command',
    kind: 'string',
    help: "command, required. See full list of commands via 'orchestrator -c help'",
  },
  i: {
    field: 'instance',
    kind: 'string',
    help: 'instance, host_fqdn[:port] (e.g. db.company.com:3306, db.company.com)',
  },
  d: { field: 'destination', kind: 'string', help: 'destination instance, host_fqdn[:port] (synonym to -s)' },
  s: { kind: 'string', help: 'sibling instance, host_fqdn[:port]' },
  owner: { field: 'owner', kind: 'string', help: 'operation owner' },
  reason: { field: 'reason', kind: 'string', help: 'operation reason' },
  duration: {
    field: 'duration',
    kind: 'string',
    help: 'maintenance duration (format: 59s, 59m, 23h, 6d, 4w)',
  },
  pattern: { field: 'pattern', kind: 'string', help: 'regular expression pattern' },
  alias: { field: 'alias', kind: 'string', help: 'cluster alias' },
  pool: { field: 'pool', kind: 'string', help: 'Pool logical name (applies for pool-related commands)' },
  hostname: {
    field: 'hostname',
    kind: 'string',
    help: 'Hostname/fqdn/CNAME/VIP (applies for hostname/resolve related commands)',
  },
  'promotion-rule': {
    field: 'promotionRule',
    kind: 'string',
    help: 'Promotion rule for register-candidate (prefer|neutral|prefer_not|must_not)',
  },
  tag: {
    field: 'tag',
    kind: 'string',
    help: 'tag to add (tagname or tagname=tagvalue) or to search (tagname or tagname=tagvalue or comma separated tag0,tag1=val1,tag2)',
  },
  binlog: { field: 'binlog', kind: 'string', help: 'Binary log file name' },
  statement: { field: 'statement', kind: 'string', help: 'Statement/hint' },
  'ignore-raft-setup': {
    field: 'ignoreRaftSetup',
    kind: 'bool',
    help: 'run a command with RaftEnabled set: read commands and commands acting only on MySQL run; commands that change replicated state are refused',
  },
  json: {
    field: 'json',
    kind: 'bool',
    help: "print the result as JSON (the HTTP API's shape) instead of text",
  },
  debug: { field: 'debug', kind: 'bool', help: 'debug mode (very verbose)' },
  verbose: { field: 'verbose', kind: 'bool', help: 'verbose' },
  quiet: { field: 'quiet', kind: 'bool', help: 'quiet' },
  version: { field: 'version', kind: 'bool', help: 'Print version and exit' },
  help: { field: 'help', kind: 'bool', help: 'show this help' },
  h: { field: 'help', kind: 'bool', help: 'show this help' },
  'log-level': { field: 'logLevel', kind: 'string', help: 'log level: trace, debug, info, warn, error' },
  // Accepted for compatibility; no effect here.
  strict: { kind: 'bool', help: 'strict mode (no effect here)' },
  discovery: { kind: 'bool', help: 'auto discovery mode (no effect here: the daemon always discovers)' },
  stack: { kind: 'bool', help: 'add stack trace upon error (no effect here)' },
  'skip-binlog-search': { kind: 'bool', help: 'no effect here' },
  databaseless: { kind: 'bool', help: 'no effect here' },
  'skip-unresolve': { kind: 'bool', help: 'no effect here' },
  'skip-unresolve-check': { kind: 'bool', help: 'no effect here' },
  noop: { kind: 'bool', help: 'no effect here' },
  'grab-election': { kind: 'bool', help: 'no effect here (leadership is raft’s)' },
  'skip-continuous-registration': { kind: 'bool', help: 'no effect here' },
  'enable-database-update': { kind: 'bool', help: 'no effect here' },
};

const BOOL_VALUES: Record<string, boolean> = {
  true: true,
  '1': true,
  t: true,
  false: false,
  '0': false,
  f: false,
};

/** Parses argv (without node and the script). Throws UsageError for what Go's flag package refuses. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = {
    promotionRule: 'prefer',
    ignoreRaftSetup: false,
    json: false,
    debug: false,
    verbose: false,
    quiet: false,
    version: false,
    help: false,
    positional: [],
  };
  let sibling: string | undefined;
  const set = out as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = FLAGS[name];
    if (spec === undefined || name === '') throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string | boolean;
    if (spec.kind === 'bool') {
      if (eq < 0) value = true;
      else {
        const parsed = BOOL_VALUES[body.slice(eq + 1).toLowerCase()];
        if (parsed === undefined)
          throw new UsageError(`invalid boolean value ${JSON.stringify(body.slice(eq + 1))} for -${name}`);
        value = parsed;
      }
    } else if (eq >= 0) value = body.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      value = next;
      i++;
    }
    if (name === 's') sibling = value as string;
    else if (spec.field !== undefined) set[spec.field] = value;
  }
  if (sibling !== undefined) {
    if (out.destination !== undefined && out.destination !== '')
      throw new UsageError(
        "-s and -d are synonyms, yet both were specified. You're probably doing the wrong thing.",
      );
    out.destination = sibling;
  }
  return out;
}

/** The flags' help, one line each (`orchestrator --help`). */
export function flagsUsage(): string {
  return Object.entries(FLAGS)
    .filter(([name]) => name !== 'h')
    .map(([name, spec]) => {
      const flag = name.length === 1 ? `-${name}` : `--${name}`;
      const arg = spec.kind === 'string' ? ' <value>' : '';
      return `  ${`${flag}${arg}`.padEnd(32)}${spec.help}`;
    })
    .join('\n');
}
