import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.js';
import { ANALYSIS_CODES, type AnalysisCode } from '../src/analysis/types.js';
import { proberConfig } from '../src/config.js';
import { CONNECT_ERROR, config, inst, NOW } from './fixtures.js';

const down = { io: 'Connecting', sql: 'Yes', ioError: CONNECT_ERROR };
const stopped = { io: 'No', sql: 'No' };

interface Case {
  name: string;
  instances: ReturnType<typeof inst>[];
  /** The analysed instance's port. */
  port: number;
  code: AnalysisCode;
  actionable?: boolean;
  cfg?: Partial<ReturnType<typeof proberConfig>>;
  binlogUnchangedSinceMs?: number;
}

// One row per code (reference §4). Topology: master 1, replicas 2, 3 (…), intermediate 2 → 4, 5.
const cases: Case[] = [
  {
    name: 'dead master, no replicas',
    instances: [inst(1, { dead: true })],
    port: 1,
    code: 'DeadMasterWithoutReplicas',
  },
  {
    name: 'dead master, replicas connecting',
    instances: [inst(1, { dead: true }), inst(2, { master: 1, ...down }), inst(3, { master: 1, ...down })],
    port: 1,
    code: 'DeadMaster',
    actionable: true,
  },
  {
    name: 'dead master and all replicas',
    instances: [
      inst(1, { dead: true }),
      inst(2, { master: 1, dead: true }),
      inst(3, { master: 1, dead: true }),
    ],
    port: 1,
    code: 'DeadMasterAndReplicas',
  },
  {
    name: 'dead master and some replicas',
    instances: [inst(1, { dead: true }), inst(2, { master: 1, dead: true }), inst(3, { master: 1, ...down })],
    port: 1,
    code: 'DeadMasterAndSomeReplicas',
    actionable: true,
  },
  {
    name: 'unreachable master, lagging replicas',
    instances: [inst(1, { dead: true }), inst(2, { master: 1, lag: 60 }), inst(3, { master: 1, lag: 70 })],
    port: 1,
    code: 'UnreachableMasterWithLaggingReplicas',
  },
  {
    name: 'unreachable master, replicas replicating',
    instances: [inst(1, { dead: true }), inst(2, { master: 1 }), inst(3, { master: 1, ...down })],
    port: 1,
    code: 'UnreachableMaster',
  },
  {
    name: 'unreachable master with partial success and a failing replica',
    instances: [
      inst(1, { dead: true, partial: true }),
      inst(2, { master: 1 }),
      inst(3, { master: 1, ...down }),
    ],
    port: 1,
    code: 'UnreachableMaster',
  },
  {
    name: 'semi-sync master short of acks, coordinates recently moved',
    instances: [
      inst(1, { semiSync: { enabled: true, status: true, wait: 2, clients: 1 } }),
      inst(2, { master: 1, semiSyncReplica: true }),
    ],
    port: 1,
    code: 'LockedSemiSyncMasterHypothesis',
    binlogUnchangedSinceMs: NOW - 1000,
  },
  {
    name: 'semi-sync master short of acks, coordinates stale',
    instances: [
      inst(1, { semiSync: { enabled: true, status: true, wait: 2, clients: 1 } }),
      inst(2, { master: 1, semiSyncReplica: true }),
    ],
    port: 1,
    code: 'LockedSemiSyncMaster',
    binlogUnchangedSinceMs: NOW - 60_000,
    cfg: { RecoverLockedSemiSyncMaster: true },
    actionable: true,
  },
  {
    name: 'too many semi-sync replicas',
    instances: [
      inst(1, { semiSync: { enabled: true, status: true, wait: 1, clients: 2 } }),
      inst(2, { master: 1, semiSyncReplica: true }),
      inst(3, { master: 1, semiSyncReplica: true }),
    ],
    port: 1,
    code: 'MasterWithTooManySemiSyncReplicas',
    cfg: { EnforceExactSemiSyncReplicas: true },
    actionable: true,
  },
  {
    name: 'read-only master with RecoverNonWriteableMaster',
    instances: [inst(1, { readOnly: true }), inst(2, { master: 1 })],
    port: 1,
    code: 'NoWriteableMasterStructureWarning',
    cfg: { RecoverNonWriteableMaster: true },
    actionable: true,
  },
  {
    name: 'single replica stopped',
    instances: [inst(1), inst(2, { master: 1, ...stopped })],
    port: 1,
    code: 'MasterSingleReplicaNotReplicating',
  },
  {
    name: 'single replica dead',
    instances: [inst(1), inst(2, { master: 1, dead: true })],
    port: 1,
    code: 'MasterSingleReplicaDead',
  },
  {
    name: 'all replicas stopped',
    instances: [inst(1), inst(2, { master: 1, ...stopped }), inst(3, { master: 1, sql: 'No' })],
    port: 1,
    code: 'AllMasterReplicasNotReplicating',
  },
  {
    name: 'replicas stopped or dead',
    instances: [inst(1), inst(2, { master: 1, ...stopped }), inst(3, { master: 1, dead: true })],
    port: 1,
    code: 'AllMasterReplicasNotReplicatingOrDead',
  },
  {
    name: 'dead co-master',
    instances: [
      inst(1, { master: 2, dead: true }),
      inst(2, { master: 1, ...down }),
      inst(3, { master: 1, ...down }),
    ],
    port: 1,
    code: 'DeadCoMaster',
    actionable: true,
  },
  {
    name: 'dead co-master and some replicas',
    instances: [
      inst(1, { master: 2, dead: true }),
      inst(2, { master: 1, ...down }),
      inst(3, { master: 1, dead: true }),
    ],
    port: 1,
    code: 'DeadCoMasterAndSomeReplicas',
    actionable: true,
  },
  {
    name: 'unreachable co-master',
    instances: [inst(1, { master: 2, dead: true }), inst(2, { master: 1 }), inst(3, { master: 1 })],
    port: 1,
    code: 'UnreachableCoMaster',
  },
  {
    name: 'co-master replicas stopped',
    instances: [inst(1, { master: 2 }), inst(2, { master: 1, ...stopped })],
    port: 1,
    code: 'AllCoMasterReplicasNotReplicating',
  },
  {
    name: 'dead IM, single replica failing to connect',
    instances: [inst(1), inst(2, { master: 1, dead: true }), inst(4, { master: 2, ...down })],
    port: 2,
    code: 'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
    actionable: true,
  },
  {
    name: 'dead IM, single replica stopped',
    instances: [inst(1), inst(2, { master: 1, dead: true }), inst(4, { master: 2, ...stopped })],
    port: 2,
    code: 'DeadIntermediateMasterWithSingleReplica',
  },
  {
    name: 'dead IM, replicas not replicating',
    instances: [
      inst(1),
      inst(2, { master: 1, dead: true }),
      inst(4, { master: 2, ...down }),
      inst(5, { master: 2, ...down }),
    ],
    port: 2,
    code: 'DeadIntermediateMaster',
    actionable: true,
  },
  {
    name: 'dead IM and some replicas',
    instances: [
      inst(1),
      inst(2, { master: 1, dead: true }),
      inst(4, { master: 2, ...down }),
      inst(5, { master: 2, dead: true }),
    ],
    port: 2,
    code: 'DeadIntermediateMasterAndSomeReplicas',
    actionable: true,
  },
  {
    name: 'dead IM and all replicas',
    instances: [
      inst(1),
      inst(2, { master: 1, dead: true }),
      inst(4, { master: 2, dead: true }),
      inst(5, { master: 2, dead: true }),
    ],
    port: 2,
    code: 'DeadIntermediateMasterAndReplicas',
  },
  {
    name: 'unreachable IM, lagging replicas',
    instances: [
      inst(1),
      inst(2, { master: 1, dead: true }),
      inst(4, { master: 2, lag: 50 }),
      inst(5, { master: 2, lag: 50 }),
    ],
    port: 2,
    code: 'UnreachableIntermediateMasterWithLaggingReplicas',
  },
  {
    name: 'unreachable IM, replicas replicating',
    instances: [inst(1), inst(2, { master: 1, dead: true }), inst(4, { master: 2 }), inst(5, { master: 2 })],
    port: 2,
    code: 'UnreachableIntermediateMaster',
  },
  {
    name: 'IM alive, all replicas failing to connect',
    instances: [
      inst(1),
      inst(2, { master: 1 }),
      inst(4, { master: 2, ...down }),
      inst(5, { master: 2, ...down }),
    ],
    port: 2,
    code: 'AllIntermediateMasterReplicasFailingToConnectOrDead',
    actionable: true,
  },
  {
    name: 'IM alive, replicas stopped',
    instances: [
      inst(1),
      inst(2, { master: 1 }),
      inst(4, { master: 2, ...stopped }),
      inst(5, { master: 2, ...stopped }),
    ],
    port: 2,
    code: 'AllIntermediateMasterReplicasNotReplicating',
  },
  {
    name: 'first-tier replica failing to connect',
    instances: [inst(1), inst(2, { master: 1, ...down }), inst(3, { master: 1 })],
    port: 2,
    code: 'FirstTierReplicaFailingToConnectToMaster',
  },
];

function run(c: Case) {
  const cfg = proberConfig(c.cfg);
  return analyze(c.instances, {
    config: cfg,
    now: NOW,
    binlogUnchangedSince:
      c.binlogUnchangedSinceMs === undefined ? undefined : new Map([['h:1', c.binlogUnchangedSinceMs]]),
  });
}

describe('analyze: one case per code', () => {
  it.each(cases)('$code: $name', (c) => {
    const entry = run(c).find((e) => e.AnalyzedInstanceKey.Port === c.port);
    expect(entry?.Analysis).toBe(c.code);
    expect(entry?.IsActionableRecovery).toBe(c.actionable ?? false);
    expect(entry?.Description).not.toBe('');
  });

  it('covers every code except NoProblem and the binlog-server one', () => {
    const covered = new Set(cases.map((c) => c.code));
    const missing = ANALYSIS_CODES.filter(
      (c) => !covered.has(c) && c !== 'NoProblem' && c !== 'BinlogServerFailingToConnectToMaster',
    );
    expect(missing).toEqual([]);
  });
});

describe('analyze: entry fields', () => {
  it('fills counts, cluster details and replicas for a DeadMaster', () => {
    const [m] = analyze(
      [inst(1, { dead: true }), inst(2, { master: 1, ...down }), inst(3, { master: 1, ...down, lag: 30 })],
      {
        config,
        now: NOW,
      },
    ).filter((e) => e.AnalyzedInstanceKey.Port === 1);
    expect(m).toMatchObject({
      Analysis: 'DeadMaster',
      IsMaster: true,
      IsCoMaster: false,
      LastCheckValid: false,
      CountReplicas: 2,
      CountValidReplicas: 2,
      CountValidReplicatingReplicas: 0,
      CountReplicasFailingToConnectToMaster: 2,
      CountLaggingReplicas: 1,
      ClusterDetails: { ClusterName: 'h:1', ClusterAlias: '', ClusterDomain: '' },
      MariaDBGTIDImmediateTopology: true,
      OracleGTIDImmediateTopology: false,
      AnalyzedInstanceMasterKey: { Hostname: '', Port: 0 },
    });
    expect(m?.Replicas.map((k) => k.Port).sort()).toEqual([2, 3]);
    expect(m?.SlaveHosts).toEqual(m?.Replicas);
  });

  it('omits healthy instances unless includeNoProblem', () => {
    const healthy = [inst(1), inst(2, { master: 1 }), inst(3, { master: 1 })];
    expect(analyze(healthy, { config, now: NOW })).toEqual([]);
    const all = analyze(healthy, { config, now: NOW, includeNoProblem: true });
    expect(all.map((e) => e.Analysis)).toEqual(['NoProblem', 'NoProblem', 'NoProblem']);
    expect(all.find((e) => e.AnalyzedInstanceKey.Port === 2)?.ReplicationDepth).toBe(1);
  });

  it('an attempt hanging longer than poll + reasonable seconds invalidates the last check', () => {
    const m = inst(1);
    m.LastAttemptedCheckTimestamp = new Date(NOW).toISOString();
    m.LastSeenTimestamp = new Date(NOW - 7000).toISOString();
    m.LastCheckedTimestamp = m.LastSeenTimestamp;
    const [e] = analyze([m, inst(2, { master: 1, ...down }), inst(3, { master: 1, ...down })], {
      config,
      now: NOW,
    }).filter((x) => x.AnalyzedInstanceKey.Port === 1);
    expect(e?.Analysis).toBe('DeadMaster');
  });
});

describe('analyze: filters', () => {
  const deadMaster = () => [
    inst(1, { dead: true }),
    inst(2, { master: 1, ...down }),
    inst(3, { master: 1, ...down }),
  ];

  it('skips a downtimed master unless includeDowntimed, and reports the downtime', () => {
    const downtimes = [
      { Key: { Hostname: 'h', Port: 1 }, EndTimestamp: new Date(NOW + 60_000).toISOString() },
    ];
    expect(
      analyze(deadMaster(), { config, now: NOW, downtimes }).filter((e) => e.AnalyzedInstanceKey.Port === 1),
    ).toEqual([]);
    const [e] = analyze(deadMaster(), { config, now: NOW, downtimes, includeDowntimed: true }).filter(
      (x) => x.AnalyzedInstanceKey.Port === 1,
    );
    expect(e).toMatchObject({ Analysis: 'DeadMaster', IsDowntimed: true, DowntimeRemainingSeconds: 60 });
    expect(e?.DowntimeEndTimestamp).toBe(new Date(NOW + 60_000).toISOString());
  });

  it('an expired downtime does not count', () => {
    const downtimes = [{ Key: { Hostname: 'h', Port: 1 }, EndTimestamp: new Date(NOW - 1).toISOString() }];
    const [e] = analyze(deadMaster(), { config, now: NOW, downtimes }).filter(
      (x) => x.AnalyzedInstanceKey.Port === 1,
    );
    expect(e?.IsDowntimed).toBe(false);
  });

  it('skips replica-centric codes when every replica is downtimed, but not DeadMaster', () => {
    const end = new Date(NOW + 60_000).toISOString();
    const downtimes = [2, 3].map((p) => ({ Key: { Hostname: 'h', Port: p }, EndTimestamp: end }));
    const stoppedSet = [inst(1), inst(2, { master: 1, ...stopped }), inst(3, { master: 1, ...stopped })];
    expect(analyze(stoppedSet, { config, now: NOW, downtimes })).toEqual([]);
    const [e] = analyze(deadMaster(), { config, now: NOW, downtimes });
    expect(e).toMatchObject({ Analysis: 'DeadMaster', IsReplicasDowntimed: true });
  });

  it('drops instances under maintenance and RecoveryIgnoreHostnameFilters matches', () => {
    const masterEntries = (cfg: typeof config, maintenance: { Hostname: string; Port: number }[] = []) =>
      analyze(deadMaster(), { config: cfg, now: NOW, maintenance }).filter(
        (e) => e.AnalyzedInstanceKey.Port === 1,
      );
    expect(masterEntries(config)).toHaveLength(1);
    expect(masterEntries(config, [{ Hostname: 'h', Port: 1 }])).toEqual([]);
    const ignoring = proberConfig({ RecoveryIgnoreHostnameFilters: ['^h$'] });
    expect(masterEntries(ignoring)).toEqual([]);
  });

  it('uses the cluster alias map', () => {
    const [e] = analyze(deadMaster(), { config, now: NOW, clusterAliases: new Map([['h:1', 'main']]) });
    expect(e?.ClusterDetails.ClusterAlias).toBe('main');
  });
});

describe('analyze: structure warnings', () => {
  const warnings = (instances: ReturnType<typeof inst>[], port = 1) =>
    analyze(instances, { config, now: NOW }).find((e) => e.AnalyzedInstanceKey.Port === port)
      ?.StructureAnalysis ?? [];

  it.each([
    [
      'NoLoggingReplicasStructureWarning',
      [inst(1), inst(2, { master: 1, logging: false }), inst(3, { master: 1, logging: false })],
    ],
    ['NoFailoverSupportStructureWarning', [inst(1), inst(2, { master: 1, mariaGtid: false })]],
    [
      'StatementAndMixedLoggingReplicasStructureWarning',
      [inst(1), inst(2, { master: 1, format: 'STATEMENT' }), inst(3, { master: 1, format: 'MIXED' })],
    ],
    [
      'StatementAndRowLoggingReplicasStructureWarning',
      [inst(1), inst(2, { master: 1, format: 'STATEMENT' }), inst(3, { master: 1 })],
    ],
    [
      'MixedAndRowLoggingReplicasStructureWarning',
      [inst(1), inst(2, { master: 1, format: 'MIXED' }), inst(3, { master: 1 })],
    ],
    [
      'MultipleMajorVersionsLoggingReplicasStructureWarning',
      [inst(1), inst(2, { master: 1, version: '10.6.1' }), inst(3, { master: 1 })],
    ],
    [
      'DifferentGTIDModesStructureWarning',
      [
        inst(1),
        inst(2, { master: 1, oracleGtid: true, gtidMode: 'ON' }),
        inst(3, { master: 1, oracleGtid: true, gtidMode: 'OFF_PERMISSIVE' }),
      ],
    ],
    ['ErrantGTIDStructureWarning', [inst(1), inst(2, { master: 1, errant: '0-2-5' })]],
    ['NoWriteableMasterStructureWarning', [inst(1, { readOnly: true }), inst(2, { master: 1 })]],
    [
      'NotEnoughValidSemiSyncReplicasStructureWarning',
      [inst(1, { semiSync: { enabled: true, status: false, wait: 1, clients: 0 } }), inst(2, { master: 1 })],
    ],
  ] as const)('%s', (warning, instances) => {
    expect(warnings([...instances])).toContain(warning);
  });

  it('a healthy GTID topology has no warnings', () => {
    expect(warnings([inst(1), inst(2, { master: 1 }), inst(3, { master: 1 })])).toEqual([]);
  });
});
