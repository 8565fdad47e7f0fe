import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, KEYS, loadConfig, normalizeNode, parseConfig } from './index.js';

/** `${NAME}` written without a template-looking literal. */
const ref = (name: string) => '$' + '{' + name + '}';

const SQLITE = { BackendDB: 'sqlite', SQLite3DataFile: '/tmp/orc.db' };
const RAFT = { ...SQLITE, RaftEnabled: true, RaftDataDir: '/tmp/raft' };

/** The problems parseConfig reports, as `key: message` strings. */
function problemsOf(json: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(json, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).problems.map((p) => `${p.key}: ${p.message}`);
  }
  return [];
}

describe('defaults (reference §1.1, §2, §3.1, §5, §8)', () => {
  it('fills every key', () => {
    const { config, derived, warnings } = parseConfig(SQLITE, {});
    expect(warnings).toEqual([]);
    expect(Object.keys(config).sort()).toEqual(Object.keys(KEYS).sort());
    expect(config).toMatchObject({
      RaftEnabled: false,
      RaftBind: '127.0.0.1:10008',
      RaftAdvertise: '127.0.0.1:10008',
      DefaultRaftPort: 10008,
      RaftNodes: [],
      RaftHealthPollSeconds: 10,
      ListenAddress: ':3000',
      StatusEndpoint: '/api/status',
      MySQLOrchestratorPort: 3306,
      MySQLOrchestratorMaxPoolConnections: 128,
      MySQLConnectTimeoutSeconds: 2,
      MySQLDiscoveryReadTimeoutSeconds: 10,
      InstancePollSeconds: 5,
      DiscoveryMaxConcurrency: 300,
      DiscoveryQueueCapacity: 100000,
      UnseenInstanceForgetHours: 240,
      HostnameResolveMethod: 'default',
      MySQLHostnameResolveMethod: '@@hostname',
      ReasonableReplicationLagSeconds: 10,
      ReasonableMaintenanceReplicationLagSeconds: 20,
      RecoveryPeriodBlockSeconds: 3600,
      FailureDetectionPeriodBlockMinutes: 60,
      CandidateInstanceExpireMinutes: 60,
      ApplyMySQLPromotionAfterMasterFailover: true,
      DetachLostReplicasAfterMasterFailover: true,
      CoMasterRecoveryMustPromoteOtherCoMaster: true,
      KVClusterMasterPrefix: 'mysql/master',
      ProcessesShellCommand: 'bash',
      RaftTickMilliseconds: 50,
      RaftElectionTicks: 8,
      RaftHeartbeatTicks: 2,
      RaftSnapshotThreshold: 10_000,
      RaftSnapshotTrailingEntries: 1_000,
      LogLevel: 'info',
      LogFormat: 'auto',
    });
    expect(derived).toEqual({
      sqlite: true,
      raftId: '127.0.0.1:10008',
      singleNode: true,
      httpURL: 'http://127.0.0.1:3000',
      listenHost: '',
      listenPort: 3000,
      recoveryPeriodBlockSeconds: 3600,
      urlPrefix: '',
    });
  });

  it('defaultConfig returns fresh arrays', () => {
    const a = defaultConfig();
    a.RaftNodes.push('x');
    expect(defaultConfig().RaftNodes).toEqual([]);
  });
});

describe('raft keys and node addresses', () => {
  it('appends DefaultRaftPort and never resolves names', () => {
    const { config, derived } = parseConfig(
      {
        ...RAFT,
        RaftBind: 'node1',
        DefaultRaftPort: 9000,
        RaftNodes: ['node1', 'node2:9100', '10.0.0.3', '::1', '[::2]:7'],
      },
      {},
    );
    expect(config.RaftBind).toBe('node1:9000');
    expect(config.RaftAdvertise).toBe('node1:9000');
    expect(config.RaftNodes).toEqual(['node1:9000', 'node2:9100', '10.0.0.3:9000', '[::1]:9000', '[::2]:7']);
    expect(derived.singleNode).toBe(false);
    expect(derived.raftId).toBe('node1:9000');
  });

  it('RaftAdvertise is its own identity when set', () => {
    const { config, derived } = parseConfig(
      { ...RAFT, RaftBind: '0.0.0.0:10008', RaftAdvertise: 'public.example' },
      {},
    );
    expect(config.RaftAdvertise).toBe('public.example:10008');
    expect(derived.raftId).toBe('public.example:10008');
    expect(derived.httpURL).toBe('http://public.example:3000');
  });

  it('single-node mode: empty RaftNodes or only this node', () => {
    expect(parseConfig({ ...RAFT, RaftBind: 'a' }, {}).derived.singleNode).toBe(true);
    expect(parseConfig({ ...RAFT, RaftBind: 'a', RaftNodes: ['a:10008'] }, {}).derived.singleNode).toBe(true);
    expect(parseConfig({ ...RAFT, RaftBind: 'a', RaftNodes: ['b'] }, {}).derived.singleNode).toBe(false);
  });

  it('warns when RaftNodes does not list this node', () => {
    const { warnings } = parseConfig({ ...RAFT, RaftBind: 'a', RaftNodes: ['b', 'c'] }, {});
    expect(warnings.join('\n')).toContain("RaftNodes does not list this node's RaftAdvertise a:10008");
  });

  it('rejects bad entries, duplicates, a missing RaftDataDir and bad timing', () => {
    expect(
      problemsOf({
        ...SQLITE,
        RaftEnabled: true,
        RaftBind: 'a b',
        RaftNodes: ['x', 'x:10008', 'y:99999', ''],
        RaftHeartbeatTicks: 8,
      }),
    ).toEqual([
      'RaftBind: "a b" contains whitespace or a slash',
      'RaftNodes[2]: "y:99999" is not host[:port]',
      'RaftNodes[3]: is empty',
      'RaftNodes: lists x:10008 twice',
      'RaftDataDir: is required when RaftEnabled is true',
      'RaftHeartbeatTicks: must be smaller than RaftElectionTicks (8), got 8',
    ]);
  });

  it('normalizeNode', () => {
    expect(normalizeNode(' host ', 1)).toEqual({ address: 'host:1' });
    expect(normalizeNode('host:0', 1)).toEqual({ error: '"host:0" has port 0' });
    expect(normalizeNode('[fe80::1]', 5)).toEqual({ address: '[fe80::1]:5' });
  });
});

describe('HTTP keys', () => {
  it('leader URL: HTTPAdvertise wins, else scheme from UseSSL, RaftAdvertise host, ListenAddress port', () => {
    expect(parseConfig({ ...SQLITE, HTTPAdvertise: 'https://orc1.example:8443' }, {}).derived.httpURL).toBe(
      'https://orc1.example:8443',
    );
    const ssl = parseConfig(
      {
        ...SQLITE,
        UseSSL: true,
        SSLCertFile: 'c',
        SSLPrivateKeyFile: 'k',
        RaftBind: 'n1:7000',
        ListenAddress: '0.0.0.0:3443',
      },
      {},
    );
    expect(ssl.derived.httpURL).toBe('https://n1:3443');
    expect(ssl.derived.listenHost).toBe('0.0.0.0');
  });

  it('HTTPAdvertise must have scheme, host and port and no path', () => {
    const bad = [
      'node1:3000',
      'ftp://node1:3000',
      'http://node1',
      'http://node1:3000/api',
      'http://node1:3000/',
      'nonsense',
    ];
    for (const value of bad) {
      const problems = problemsOf({ ...SQLITE, HTTPAdvertise: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(/^HTTPAdvertise: /);
    }
    expect(problemsOf({ ...SQLITE, HTTPAdvertise: 'http://[::1]:3000' })).toEqual([]);
  });

  it('TLS, auth and listen address checks', () => {
    expect(
      problemsOf({
        ...SQLITE,
        UseSSL: true,
        UseMutualTLS: true,
        AuthenticationMethod: 'basic',
        ListenAddress: 'localhost',
        URLPrefix: '/a b',
      }),
    ).toEqual([
      'ListenAddress: must be [host]:port, got "localhost"',
      'URLPrefix: must be a plain path such as /orchestrator, got "/a b"',
      'SSLCertFile: is required when UseSSL is true',
      'SSLPrivateKeyFile: is required when UseSSL is true',
      'SSLCAFile: is required when UseMutualTLS is true',
      'HTTPAuthUser: is required when AuthenticationMethod is basic',
    ]);
    expect(problemsOf({ ...SQLITE, AuthenticationMethod: 'token' })[0]).toContain('not supported here');
    expect(problemsOf({ ...SQLITE, AuthenticationMethod: 'ldap' })[0]).toContain('must be one of');
    const { warnings, derived } = parseConfig(
      { ...SQLITE, AuthenticationMethod: 'multi', HTTPAuthUser: 'u', URLPrefix: 'orc/' },
      {},
    );
    expect(warnings).toEqual(['HTTPAuthPassword is empty: anyone knowing HTTPAuthUser can write']);
    expect(derived.urlPrefix).toBe('/orc');
  });
});

describe('backend keys', () => {
  it('BackendDB: anything containing sqlite selects SQLite, which needs a file', () => {
    expect(parseConfig({ BackendDB: 'sqlite3', SQLite3DataFile: '/x' }, {}).derived.sqlite).toBe(true);
    expect(problemsOf({ BackendDB: 'sqlite' })).toEqual([
      'SQLite3DataFile: is required when BackendDB is sqlite',
    ]);
    expect(problemsOf({ BackendDB: 'postgres' })[0]).toMatch(/^BackendDB: must be "mysql" or "sqlite"/);
    expect(problemsOf({})).toEqual([
      'MySQLOrchestratorDatabase: is required when BackendDB is mysql (the default); or set BackendDB to sqlite',
    ]);
    expect(parseConfig({ MySQLOrchestratorDatabase: 'orc' }, {}).derived.sqlite).toBe(false);
  });

  it('expands environment references in the two passwords only', () => {
    const { config } = parseConfig(
      {
        ...SQLITE,
        MySQLOrchestratorPassword: ref('A'),
        MySQLTopologyPassword: `x-${ref('B')}-y`,
        HTTPAuthPassword: ref('A'),
      },
      { A: 'alpha', B: 'beta' },
    );
    expect(config.MySQLOrchestratorPassword).toBe('alpha');
    expect(config.MySQLTopologyPassword).toBe('x-beta-y');
    expect(config.HTTPAuthPassword).toBe(ref('A'));
    expect(problemsOf({ ...SQLITE, MySQLTopologyPassword: ref('NOPE') })).toEqual([
      `MySQLTopologyPassword: environment variable NOPE (from ${ref('NOPE')}) is not set`,
    ]);
  });
});

describe('discovery keys', () => {
  it('validates regexes, enums, ranges and seeds', () => {
    expect(
      problemsOf({
        ...SQLITE,
        DiscoveryIgnoreHostnameFilters: ['ok', '(unclosed'],
        DataCenterPattern: '[',
        HostnameResolveMethod: 'dns',
        InstancePollSeconds: 0,
        DiscoveryMaxConcurrency: 2.5,
        DiscoverySeeds: ['db1:3306', 'db2:x'],
      }).map((p) => p.split(':')[0]),
    ).toEqual([
      'DiscoveryIgnoreHostnameFilters',
      'DataCenterPattern',
      'HostnameResolveMethod',
      'InstancePollSeconds',
      'DiscoveryMaxConcurrency',
      'DiscoverySeeds[1]',
    ]);
  });
});

describe('recovery keys', () => {
  it('cluster filters accept *, alias=, alias~=, names and regexes', () => {
    const { config } = parseConfig(
      { ...SQLITE, RecoverMasterClusterFilters: ['*', 'alias=main', 'alias~=^s[0-9]+$', 'db1:3306', '.*'] },
      {},
    );
    expect(config.RecoverMasterClusterFilters).toHaveLength(5);
    expect(problemsOf({ ...SQLITE, RecoverIntermediateMasterClusterFilters: ['alias~=(', ''] })).toEqual([
      'RecoverIntermediateMasterClusterFilters: entry 0 "alias~=(": Invalid regular expression: /(/: Unterminated group',
      'RecoverIntermediateMasterClusterFilters: entry 1 "": is empty',
    ]);
  });

  it('RecoveryPeriodBlockMinutes applies only when the Seconds key is explicitly 0', () => {
    expect(
      parseConfig({ ...SQLITE, RecoveryPeriodBlockMinutes: 5 }, {}).derived.recoveryPeriodBlockSeconds,
    ).toBe(3600);
    expect(
      parseConfig({ ...SQLITE, RecoveryPeriodBlockSeconds: 0, RecoveryPeriodBlockMinutes: 5 }, {}).derived
        .recoveryPeriodBlockSeconds,
    ).toBe(300);
  });

  it('Fail vs Delay promotion when the SQL thread lags', () => {
    expect(
      parseConfig({ ...SQLITE, FailMasterPromotionIfSQLThreadNotUpToDate: true }, {}).config
        .DelayMasterPromotionIfSQLThreadNotUpToDate,
    ).toBe(false);
    expect(
      problemsOf({
        ...SQLITE,
        FailMasterPromotionIfSQLThreadNotUpToDate: true,
        DelayMasterPromotionIfSQLThreadNotUpToDate: true,
      })[0],
    ).toMatch(/^FailMasterPromotionIfSQLThreadNotUpToDate: cannot be true together/);
  });

  it('hook lists must be arrays of strings', () => {
    expect(
      problemsOf({ ...SQLITE, PreFailoverProcesses: 'echo hi', PostFailoverProcesses: ['a', 1] }),
    ).toEqual([
      'PreFailoverProcesses: must be an array of strings, got string',
      'PostFailoverProcesses: entry 1 must be a string, got number',
    ]);
  });
});

describe('errors, warnings and files', () => {
  it('reports every problem at once, each naming the key', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(
        {
          RaftEnabled: 'yes',
          InstancePollSeconds: '5',
          LogLevel: 'loud',
          BackendDB: 'sqlite',
          RaftNodes: {},
        },
        {},
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems.map((p) => p.key)).toEqual([
      'RaftEnabled',
      'InstancePollSeconds',
      'LogLevel',
      'RaftNodes',
      'SQLite3DataFile',
    ]);
    expect(error?.message).toMatch(
      /^invalid config \(5 problems\):\n {2}- RaftEnabled: must be true or false, got string/,
    );
  });

  it('unknown keys are warnings; case-insensitive matches are read with a warning', () => {
    const { config, warnings } = parseConfig({ ...SQLITE, NoSuchKey: 1, instancepollseconds: 7 }, {});
    expect(config.InstancePollSeconds).toBe(7);
    expect(warnings).toEqual([
      'unknown key NoSuchKey is ignored',
      'key instancepollseconds is read as InstancePollSeconds; spell it InstancePollSeconds',
    ]);
  });

  it('the root must be an object', () => {
    expect(problemsOf([1, 2])).toEqual(['(root): must be a JSON object, got array']);
  });

  it('loads the fixture file', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const { config, derived, warnings } = loadConfig(join(here, 'testdata', 'orchestrator.conf.json'), {
      ORC_BACKEND_PW: 'bpw',
      ORC_TOPOLOGY_PW: 'tpw',
    });
    expect(warnings).toEqual(['unknown key SomeFutureKey is ignored']);
    expect(config.RaftNodes).toEqual([
      'node1.example.com:10008',
      'node2.example.com:10009',
      '10.0.0.3:10008',
    ]);
    expect(config.MySQLOrchestratorPassword).toBe('bpw');
    expect(config.MySQLTopologyPassword).toBe('tpw');
    expect(config.RaftElectionTicks).toBe(10);
    expect(derived).toMatchObject({
      sqlite: false,
      singleNode: false,
      raftId: 'node1.example.com:10008',
      httpURL: 'http://node1.example.com:3000',
      urlPrefix: '/orchestrator',
      recoveryPeriodBlockSeconds: 600,
    });
  });

  it('names the file for unreadable files and bad JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orc-config-'));
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"RaftEnabled": true,');
      expect(() => loadConfig(bad, {})).toThrow(new RegExp(`${bad} is not valid JSON`));
      expect(() => loadConfig(join(dir, 'missing.json'), {})).toThrow(/cannot read .*missing\.json/);
      const invalid = join(dir, 'invalid.json');
      writeFileSync(invalid, JSON.stringify({ BackendDB: 'sqlite' }));
      expect(() => loadConfig(invalid, {})).toThrow(new RegExp(`^invalid ${invalid} \\(1 problem\\)`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KV store keys (packages/kv)', () => {
  it('reads ZkAddress, EtcdEndpoints and the Consul keys with the reference defaults', () => {
    const { config, warnings } = parseConfig(
      {
        ...SQLITE,
        ZkAddress: 'zk-1,zk-2:12181',
        EtcdEndpoints: ['http://etcd-1:2379', 'etcd-2:2379'],
        ConsulAddress: '127.0.0.1:8500',
        ConsulKVStoreProvider: 'consul-txn',
      },
      {},
    );
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      ZkAddress: 'zk-1,zk-2:12181',
      EtcdEndpoints: ['http://etcd-1:2379', 'etcd-2:2379'],
      ConsulScheme: 'http',
      ConsulAclToken: '',
      ConsulKVStoreProvider: 'consul-txn',
      ConsulCrossDataCenterDistribution: false,
      ConsulMaxKVsPerTransaction: 5,
    });
    expect(parseConfig(SQLITE, {}).config).toMatchObject({
      ZkAddress: '',
      EtcdEndpoints: [],
      ConsulAddress: '',
    });
  });

  it('malformed addresses are errors naming the key', () => {
    expect(
      problemsOf({
        ...SQLITE,
        ZkAddress: 'zk-1,,zk-2',
        EtcdEndpoints: ['http://etcd-1:2379', 'ftp://etcd-2'],
        ConsulAddress: 'consul:0',
        ConsulScheme: 'ftp',
        ConsulKVStoreProvider: 'zk',
        ConsulMaxKVsPerTransaction: 100,
      }),
    ).toEqual([
      'ConsulScheme: must be one of "http", "https"; got "ftp"',
      'ConsulKVStoreProvider: must be one of "consul", "consul-txn"; got "zk"',
      'ConsulMaxKVsPerTransaction: must be between 5 and 64, got 100',
      'ZkAddress: server 2 is empty (expected srv1[:port1][,srv2[:port2]...])',
      'EtcdEndpoints[1]: "ftp://etcd-2": the scheme must be http or https',
      'ConsulAddress: expected host[:port]: port "0" must be a number from 1 to 65535',
    ]);
  });
});
