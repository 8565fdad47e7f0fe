// A command log exercising every op, with explicit times: used by the FSM, determinism and
// snapshot suites.
import type { CommandOp } from '../src/fsm/commands.js';

export type Cmd = [op: CommandOp | string, value: unknown, at?: number];

const T = (s: string) => `2026-01-10T${s}Z`;
const at = (s: string) => Date.parse(T(s));

const analysis = (host: string, code: string) => ({
  Analysis: code,
  AnalyzedInstanceKey: { Hostname: host, Port: 3306 },
  AnalyzedInstanceMasterKey: { Hostname: '', Port: 0 },
  ClusterDetails: { ClusterName: `${host}:3306`, ClusterAlias: `${host}-alias` },
  CountReplicas: 2,
  SlaveHosts: [
    { Hostname: `${host}-r1`, Port: 3306 },
    { Hostname: `${host}-r2`, Port: 3306 },
  ],
  IsActionableRecovery: true,
  IsMaster: true,
  StructureAnalysis: ['NoFailoverSupport'],
});

export const commandLog: Cmd[] = [
  ['leader-uri', 'http://node1:3000', at('10:00:00')],
  ['heartbeat', '', at('10:00:01')],
  ['register-node', null],
  ['request-health-report', 'tok-1', at('10:00:02')],
  ['discover', { Hostname: 'm1', Port: 3306 }, at('10:00:03')],
  [
    'begin-downtime',
    {
      Key: { Hostname: 'm1', Port: 3306 },
      Owner: 'ops',
      Reason: 'maint',
      Duration: 0,
      BeginsAt: T('10:01:00'),
    },
  ],
  [
    'begin-downtime',
    {
      Key: { Hostname: 'r9', Port: 3306 },
      Owner: 'ops',
      Reason: 'x',
      Duration: 60e9,
      BeginsAt: T('10:01:00.123456789'),
    },
  ],
  ['end-downtime', { Hostname: 'r9', Port: 3306 }],
  [
    'register-candidate',
    {
      Hostname: 'r1',
      Port: 3306,
      PromotionRule: 'prefer',
      LastSuggestedString: T('10:02:00'),
      PromotionRuleExpiry: T('11:02:00'),
    },
  ],
  [
    'register-candidate',
    {
      Hostname: 'r2',
      Port: 3306,
      PromotionRule: 'must_not',
      LastSuggestedString: T('10:02:00'),
      PromotionRuleExpiry: T('10:05:00'),
    },
  ],
  [
    'register-hostname-unresolve',
    { CreatedAt: T('10:03:00'), Key: { Hostname: 'm1', Port: 3306 }, Hostname: 'vip' },
  ],
  [
    'register-hostname-unresolve',
    { CreatedAt: T('10:03:00'), Key: { Hostname: 'm2', Port: 3306 }, Hostname: 'vip2' },
  ],
  [
    'register-hostname-unresolve',
    { CreatedAt: T('10:03:01'), Key: { Hostname: 'm2', Port: 3306 }, Hostname: '' },
  ],
  [
    'submit-pool-instances',
    { CreatedAt: T('10:04:00'), Pool: 'web', DelimitedInstances: 'r1:3306,r2', RegisteredAt: T('10:04:00') },
  ],
  ['submit-pool-instances', { CreatedAt: T('10:04:30'), Pool: 'web', DelimitedInstances: 'r1:3306' }],
  ['register-failure-detection', { ...analysis('m1', 'DeadMaster'), DetectedAt: T('10:05:00') }],
  ['register-failure-detection', analysis('m1', 'DeadMaster'), at('10:05:01')],
  ['register-failure-detection', analysis('m7', 'UnreachableMaster'), at('10:05:02')],
  [
    'write-recovery',
    {
      Id: 0,
      UID: 'uid-1',
      AnalysisEntry: analysis('m1', 'DeadMaster'),
      IsActive: true,
      RecoveryStartTimestamp: T('10:05:02'),
      ProcessingNodeHostname: 'node1',
      ProcessingNodeToken: 'tk',
      LastDetectionId: 1,
      Type: 'MasterRecovery',
    },
  ],
  [
    'write-recovery-step',
    { Id: 0, RecoveryUID: 'uid-1', AuditAt: T('10:05:03'), Message: 'will handle DeadMaster' },
  ],
  ['write-recovery-step', { Id: 0, RecoveryUID: 'uid-1', AuditAt: T('10:05:04'), Message: 'promoted r1' }],
  [
    'resolve-recovery',
    {
      UID: 'uid-1',
      AnalysisEntry: analysis('m1', 'DeadMaster'),
      SuccessorKey: { Hostname: 'r1', Port: 3306 },
      SuccessorAlias: 'r1-alias',
      IsSuccessful: true,
      LostReplicas: [{ Hostname: 'r2', Port: 3306 }],
      ParticipatingInstanceKeys: [
        { Hostname: 'm1', Port: 3306 },
        { Hostname: 'r1', Port: 3306 },
      ],
      AllErrors: ['e1', 'e2'],
      RecoveryEndTimestamp: T('10:05:09'),
    },
  ],
  ['put-key-value', { Key: 'mysql/master/m1-alias', Value: 'r1:3306' }, at('10:05:10')],
  ['async-snapshot', '', at('10:05:11')],
  ['ack-recovery', { CreatedAt: T('10:06:00'), Owner: 'ops', Comment: 'ok', ClusterName: 'm1:3306' }],
  [
    'write-recovery',
    {
      UID: 'uid-2',
      AnalysisEntry: analysis('m1', 'DeadMaster'),
      RecoveryStartTimestamp: T('10:07:00'),
      Type: 'MasterRecovery',
    },
  ],
  ['ack-recovery', { CreatedAt: T('10:08:00'), Owner: 'ops', Comment: 'by uid', UID: 'uid-2' }],
  ['disable-global-recoveries', 0],
  ['enable-global-recoveries', 0],
  ['disable-global-recoveries', 0],
  [
    'put-instance-tag',
    {
      Key: { Hostname: 'r1', Port: 3306 },
      T: { TagName: 'role', TagValue: 'web', HasValue: true, Negate: false },
    },
  ],
  [
    'put-instance-tag',
    {
      Key: { Hostname: 'r2', Port: 3306 },
      T: { TagName: 'role', TagValue: 'db', HasValue: true, Negate: false },
    },
  ],
  [
    'put-instance-tag',
    {
      Key: { Hostname: 'r2', Port: 3306 },
      T: { TagName: 'flag', TagValue: '', HasValue: false, Negate: false },
    },
  ],
  [
    'delete-instance-tag',
    {
      Key: { Hostname: 'r2', Port: 3306 },
      T: { TagName: 'role', TagValue: '', HasValue: false, Negate: false },
    },
  ],
  ['injected-pseudo-gtid', 'm1:3306', at('10:09:00')],
  ['set-cluster-alias-manual-override', ['m1:3306', 'main']],
  ['set-cluster-alias-manual-override', ['m7:3306', 'seven']],
  ['set-cluster-alias-manual-override', ['m7:3306', '']],
  ['yield', 'node2:10008'],
  ['yield-hint', 'node3'],
  ['forget', { Hostname: 'm9', Port: 3306 }],
  ['forget-cluster', 'nothing:3306'],
];
