// parseConfig: orchestrator.conf.json → typed config with defaults, derived values and warnings.
// Every problem is collected first and reported at once, each naming its key.
import { validateKVConfig } from '@orchestrator/kv';
import { checkHTTPAdvertise, leaderURL, normalizeNode, splitHostPort } from './addresses.js';
import { defaultConfig, KEYS, type KeyName, type KeySpec, type OrchestratorConfig } from './spec.js';

export interface ConfigProblem {
  key: string;
  message: string;
}

/** Thrown when the config cannot be used; `problems` lists every one found. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source?: string) {
    const where = source === undefined ? 'config' : source;
    const lines = problems.map((p) => `  - ${p.key}: ${p.message}`);
    super(
      `invalid ${where} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Values computed from several keys; the daemon uses these rather than re-deriving them. */
export interface DerivedConfig {
  /** BackendDB contains "sqlite". */
  sqlite: boolean;
  /** This node's raft identity: RaftAdvertise (RaftBind when empty), normalised. */
  raftId: string;
  /** True when RaftNodes is empty or holds only this node. */
  singleNode: boolean;
  /** The URL this node publishes as leader (§1.1). */
  httpURL: string;
  /** ListenAddress split: host ('' = all interfaces) and port. */
  listenHost: string;
  listenPort: number;
  /** The effective anti-flapping block: RecoveryPeriodBlockMinutes applies only when the Seconds key is 0. */
  recoveryPeriodBlockSeconds: number;
  /** URLPrefix with one leading slash and no trailing slash ('' for none). */
  urlPrefix: string;
}

export interface ParsedConfig {
  config: OrchestratorConfig;
  derived: DerivedConfig;
  warnings: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Parses an already JSON-decoded config object. Throws ConfigError listing every problem. */
export function parseConfig(json: unknown, env: Env = process.env, source?: string): ParsedConfig {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const problem = (key: string, message: string) => problems.push({ key, message });
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(
      [{ key: '(root)', message: `must be a JSON object, got ${typeName(json)}` }],
      source,
    );
  }
  const config = defaultConfig() as Record<string, unknown>;
  const given = new Set<KeyName>();
  const lower = new Map(Object.keys(KEYS).map((k) => [k.toLowerCase(), k as KeyName]));

  for (const [rawKey, value] of Object.entries(json)) {
    let key = rawKey as KeyName;
    if (!(rawKey in KEYS)) {
      const match = lower.get(rawKey.toLowerCase());
      if (match === undefined) {
        warnings.push(`unknown key ${rawKey} is ignored`);
        continue;
      }
      // Go's JSON decoding matches field names case-insensitively; accept, but say so.
      warnings.push(`key ${rawKey} is read as ${match}; spell it ${match}`);
      key = match;
    }
    const spec: KeySpec = KEYS[key];
    const checked = checkValue(key, spec, value, env, problem);
    if (checked !== undefined) {
      config[key] = checked;
      given.add(key);
    }
  }
  const c = config as OrchestratorConfig;
  const derived = crossCheck(c, given, problem, warnings);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return { config: c, derived, warnings };
}

function checkValue(
  key: string,
  spec: KeySpec,
  value: unknown,
  env: Env,
  problem: (key: string, message: string) => void,
): unknown {
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean')
        return void problem(key, `must be true or false, got ${typeName(value)}`);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return void problem(key, `must be an integer, got ${typeName(value)} ${JSON.stringify(value)}`);
      }
      if (value < spec.min || value > spec.max) {
        return void problem(key, `must be between ${spec.min} and ${spec.max}, got ${value}`);
      }
      return value;
    case 'string': {
      if (typeof value !== 'string') return void problem(key, `must be a string, got ${typeName(value)}`);
      let s = value;
      if (spec.env) {
        const expanded = expandEnv(s, env);
        if ('missing' in expanded) {
          return void problem(key, `environment variable ${expanded.missing} (from ${s}) is not set`);
        }
        s = expanded.value;
      }
      if (spec.oneOf && !spec.oneOf.includes(s)) {
        return void problem(
          key,
          `must be one of ${spec.oneOf.map((o) => JSON.stringify(o)).join(', ')}; got ${JSON.stringify(s)}`,
        );
      }
      if (spec.regex) {
        const err = regexError(s);
        if (err !== null) return void problem(key, `invalid regular expression ${JSON.stringify(s)}: ${err}`);
      }
      return s;
    }
    case 'strings': {
      if (!Array.isArray(value))
        return void problem(key, `must be an array of strings, got ${typeName(value)}`);
      const bad = value.findIndex((v) => typeof v !== 'string');
      if (bad >= 0) return void problem(key, `entry ${bad} must be a string, got ${typeName(value[bad])}`);
      let ok = true;
      for (const [i, v] of (value as string[]).entries()) {
        const err = spec.regex ? regexError(v) : spec.filters ? filterError(v) : null;
        if (err !== null) {
          ok = false;
          problem(key, `entry ${i} ${JSON.stringify(v)}: ${err}`);
        }
      }
      return ok ? [...(value as string[])] : undefined;
    }
  }
}

/** `${NAME}` anywhere in the value is replaced by the environment variable. */
export function expandEnv(value: string, env: Env): { value: string } | { missing: string } {
  let missing: string | undefined;
  const out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) missing ??= name;
    return v ?? '';
  });
  return missing === undefined ? { value: out } : { missing };
}

function regexError(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

function filterError(filter: string): string | null {
  if (filter === '') return 'is empty';
  if (filter === '*' || filter.startsWith('alias=')) return null;
  if (filter.startsWith('alias~=')) return regexError(filter.slice('alias~='.length));
  return regexError(filter);
}

function crossCheck(
  c: OrchestratorConfig,
  given: ReadonlySet<KeyName>,
  problem: (key: string, message: string) => void,
  warnings: string[],
): DerivedConfig {
  // Raft addresses: identities are the configured strings with DefaultRaftPort appended.
  const norm = (key: string, entry: string): string => {
    const n = normalizeNode(entry, c.DefaultRaftPort);
    if ('error' in n) {
      problem(key, n.error);
      return entry;
    }
    return n.address;
  };
  c.RaftBind = norm('RaftBind', c.RaftBind);
  c.RaftAdvertise = c.RaftAdvertise === '' ? c.RaftBind : norm('RaftAdvertise', c.RaftAdvertise);
  c.RaftNodes = c.RaftNodes.map((n, i) => norm(`RaftNodes[${i}]`, n));
  const dup = c.RaftNodes.find((n, i) => c.RaftNodes.indexOf(n) !== i);
  if (dup !== undefined) problem('RaftNodes', `lists ${dup} twice`);
  const singleNode =
    c.RaftNodes.length === 0 || (c.RaftNodes.length === 1 && c.RaftNodes[0] === c.RaftAdvertise);
  if (c.RaftEnabled) {
    if (c.RaftDataDir === '') problem('RaftDataDir', 'is required when RaftEnabled is true');
    if (c.RaftNodes.length > 0 && !c.RaftNodes.includes(c.RaftAdvertise)) {
      warnings.push(
        `RaftNodes does not list this node's RaftAdvertise ${c.RaftAdvertise}: it cannot vote until a leader adds it`,
      );
    }
  }
  if (c.PseudoGTIDPattern !== '' && !c.PseudoGTIDPatternIsFixedSubstring && !c.AutoPseudoGTID) {
    const err = regexError(c.PseudoGTIDPattern);
    if (err !== null) problem('PseudoGTIDPattern', `${err} (or set PseudoGTIDPatternIsFixedSubstring)`);
  }
  if (c.RaftHeartbeatTicks >= c.RaftElectionTicks) {
    problem(
      'RaftHeartbeatTicks',
      `must be smaller than RaftElectionTicks (${c.RaftElectionTicks}), got ${c.RaftHeartbeatTicks}`,
    );
  }

  // HTTP
  if (c.HTTPAdvertise !== '') {
    const err = checkHTTPAdvertise(c.HTTPAdvertise);
    if (err !== null) problem('HTTPAdvertise', err);
  }
  const listen = splitHostPort(c.ListenAddress);
  if (listen === null || listen.port === undefined) {
    problem('ListenAddress', `must be [host]:port, got ${JSON.stringify(c.ListenAddress)}`);
  }
  if (/[\s?#]/.test(c.URLPrefix))
    problem('URLPrefix', `must be a plain path such as /orchestrator, got ${JSON.stringify(c.URLPrefix)}`);
  const trimmedPrefix = c.URLPrefix.replace(/\/+$/, '');
  const urlPrefix =
    trimmedPrefix === '' ? '' : trimmedPrefix.startsWith('/') ? trimmedPrefix : `/${trimmedPrefix}`;
  if (c.UseSSL) {
    if (c.SSLCertFile === '') problem('SSLCertFile', 'is required when UseSSL is true');
    if (c.SSLPrivateKeyFile === '') problem('SSLPrivateKeyFile', 'is required when UseSSL is true');
  }
  if (c.UseMutualTLS && c.SSLCAFile === '') problem('SSLCAFile', 'is required when UseMutualTLS is true');
  if ((c.RaftTLSCertFile === '') !== (c.RaftTLSKeyFile === '')) {
    problem(
      c.RaftTLSCertFile === '' ? 'RaftTLSCertFile' : 'RaftTLSKeyFile',
      'RaftTLSCertFile and RaftTLSKeyFile go together',
    );
  }
  if (c.RaftTLSRequireClientCert && c.RaftTLSCAFile === '') {
    problem('RaftTLSCAFile', 'is required when RaftTLSRequireClientCert is true');
  }
  if (c.AuthenticationMethod === 'proxy' || c.AuthenticationMethod === 'token') {
    problem(
      'AuthenticationMethod',
      `${JSON.stringify(c.AuthenticationMethod)} is not supported here; use "", "basic" or "multi"`,
    );
  }
  if (c.AuthenticationMethod === 'basic' || c.AuthenticationMethod === 'multi') {
    if (c.HTTPAuthUser === '')
      problem('HTTPAuthUser', `is required when AuthenticationMethod is ${c.AuthenticationMethod}`);
    if (c.HTTPAuthPassword === '')
      warnings.push('HTTPAuthPassword is empty: anyone knowing HTTPAuthUser can write');
  }

  // Backend
  const sqlite = c.BackendDB.toLowerCase().includes('sqlite');
  if (!sqlite && c.BackendDB !== 'mysql') {
    problem('BackendDB', `must be "mysql" or "sqlite", got ${JSON.stringify(c.BackendDB)}`);
  }
  if (sqlite && c.SQLite3DataFile === '') problem('SQLite3DataFile', 'is required when BackendDB is sqlite');
  if (!sqlite && c.BackendDB === 'mysql' && c.MySQLOrchestratorDatabase === '') {
    problem(
      'MySQLOrchestratorDatabase',
      'is required when BackendDB is mysql (the default); or set BackendDB to sqlite',
    );
  }

  // Discovery
  for (const [i, seed] of c.DiscoverySeeds.entries()) {
    const hp = splitHostPort(seed.trim());
    if (hp === null || hp.host === '' || hp.port === 0)
      problem(`DiscoverySeeds[${i}]`, `${JSON.stringify(seed)} is not host[:port]`);
  }

  // Recovery
  if (
    c.FailMasterPromotionIfSQLThreadNotUpToDate &&
    c.DelayMasterPromotionIfSQLThreadNotUpToDate &&
    given.has('DelayMasterPromotionIfSQLThreadNotUpToDate')
  ) {
    problem(
      'FailMasterPromotionIfSQLThreadNotUpToDate',
      'cannot be true together with DelayMasterPromotionIfSQLThreadNotUpToDate; choose one',
    );
  }
  if (
    c.FailMasterPromotionIfSQLThreadNotUpToDate &&
    !given.has('DelayMasterPromotionIfSQLThreadNotUpToDate')
  ) {
    // Fail wins over the default Delay when only Fail was asked for.
    c.DelayMasterPromotionIfSQLThreadNotUpToDate = false;
  }
  const recoveryPeriodBlockSeconds =
    c.RecoveryPeriodBlockSeconds === 0 && given.has('RecoveryPeriodBlockSeconds')
      ? c.RecoveryPeriodBlockMinutes * 60
      : c.RecoveryPeriodBlockSeconds;
  if (c.ProcessesShellCommand.trim() === '') problem('ProcessesShellCommand', 'must not be empty');

  // KV stores (ZkAddress, EtcdEndpoints[i], ConsulAddress, …): packages/kv validates their syntax.
  for (const p of validateKVConfig(c)) problem(p.key, p.message);

  const listenPort = listen?.port ?? 3000;
  return {
    sqlite,
    raftId: c.RaftAdvertise,
    singleNode,
    httpURL: leaderURL({
      HTTPAdvertise: c.HTTPAdvertise,
      UseSSL: c.UseSSL,
      raftAdvertise: c.RaftAdvertise,
      listenPort,
    }),
    listenHost: listen?.host ?? '',
    listenPort,
    recoveryPeriodBlockSeconds,
    urlPrefix,
  };
}
