import { describe, expect, it } from 'vitest';
import { resolveRecoveryConfig } from '../src/config.js';
import { evaluateGates, evaluateManualGates, type GateSnapshot, recoveryKindFor } from '../src/gates.js';
import type { RecoveryRecord } from '../src/types.js';
import { entry, key } from './fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function snap(over: Partial<GateSnapshot> = {}): GateSnapshot {
  return {
    entry: entry(),
    config: resolveRecoveryConfig({
      RecoverMasterClusterFilters: ['*'],
      RecoverIntermediateMasterClusterFilters: ['*'],
    }),
    now: T0 + 3600_000,
    startedAt: T0,
    isLeader: true,
    globalRecoveryDisabled: false,
    activeDetections: [],
    activeRecoveries: [],
    ...over,
  };
}

function recovery(over: Partial<RecoveryRecord> = {}): RecoveryRecord {
  return {
    Id: 7,
    UID: 'u7',
    AnalysisEntry: entry(),
    SuccessorKey: key(3307),
    IsActive: true,
    IsSuccessful: true,
    Acknowledged: false,
    RecoveryStartTimestamp: iso(T0 + 3000_000),
    RecoveryEndTimestamp: iso(T0 + 3001_000),
    ProcessingNodeHostname: 'orc1',
    ProcessingNodeToken: 't',
    ...over,
  };
}

describe('recoveryKindFor', () => {
  it.each([
    ['DeadMaster', 'DeadMaster'],
    ['DeadMasterAndSomeReplicas', 'DeadMaster'],
    ['DeadCoMaster', 'DeadCoMaster'],
    ['DeadIntermediateMasterAndSomeReplicas', 'DeadIntermediateMaster'],
    ['AllIntermediateMasterReplicasFailingToConnectOrDead', 'DeadIntermediateMaster'],
    ['DeadMasterWithoutReplicas', undefined],
    ['UnreachableMaster', undefined],
    ['DeadIntermediateMasterWithSingleReplica', undefined],
    ['NoWriteableMasterStructureWarning', 'NoWriteableMaster'],
    ['LockedSemiSyncMaster', 'SemiSyncReplicas'],
    ['MasterWithTooManySemiSyncReplicas', 'SemiSyncReplicas'],
    ['LockedSemiSyncMasterHypothesis', undefined],
  ])('%s → %s', (code, kind) => expect(recoveryKindFor(code)).toBe(kind));
});

describe('in-place recoveries (NoWriteableMaster, semi-sync)', () => {
  const on = resolveRecoveryConfig({
    RecoverNonWriteableMaster: true,
    RecoverLockedSemiSyncMaster: true,
  });
  it('run only when their key is on, and need no cluster filter (as the reference)', () => {
    const nonWriteable = entry({ Analysis: 'NoWriteableMasterStructureWarning' });
    expect(evaluateGates(snap({ entry: nonWriteable }))).toMatchObject({
      action: 'skip',
      reason: 'RecoverNonWriteableMaster is off: a read-only master is left as it is',
    });
    expect(evaluateGates(snap({ entry: nonWriteable, config: on }))).toEqual({
      action: 'recover',
      kind: 'NoWriteableMaster',
      registerDetection: true,
    });
    const locked = entry({ Analysis: 'LockedSemiSyncMaster' });
    expect(evaluateGates(snap({ entry: locked }))).toMatchObject({ action: 'skip' });
    expect(evaluateGates(snap({ entry: locked, config: on }))).toMatchObject({
      action: 'recover',
      kind: 'SemiSyncReplicas',
    });
    const tooMany = entry({ Analysis: 'MasterWithTooManySemiSyncReplicas' });
    expect(evaluateGates(snap({ entry: tooMany, config: on }))).toMatchObject({
      action: 'skip',
      reason: 'MasterWithTooManySemiSyncReplicas is recovered only with EnforceExactSemiSyncReplicas',
    });
    const exact = resolveRecoveryConfig({ EnforceExactSemiSyncReplicas: true });
    expect(evaluateGates(snap({ entry: tooMany, config: exact }))).toMatchObject({ action: 'recover' });
  });
});

describe('evaluateGates', () => {
  it('recovers a DeadMaster on the leader and registers the detection once', () => {
    expect(evaluateGates(snap())).toEqual({ action: 'recover', kind: 'DeadMaster', registerDetection: true });
    const detections = [
      {
        Id: 1,
        Key: key(3306),
        Analysis: 'DeadMaster',
        ClusterName: 'c',
        StartActivePeriod: iso(T0 + 3500_000),
        Acknowledged: false,
      },
    ];
    expect(evaluateGates(snap({ activeDetections: detections })).registerDetection).toBe(false);
    // FailureDetectionPeriodBlockMinutes (60) elapsed: a new detection registers.
    expect(
      evaluateGates(snap({ activeDetections: detections, now: T0 + 3500_000 + 3600_001 })).registerDetection,
    ).toBe(true);
    // An acknowledged detection does not count.
    expect(
      evaluateGates(snap({ activeDetections: [{ ...detections[0]!, Acknowledged: true }] }))
        .registerDetection,
    ).toBe(true);
  });
  it('skips on a follower and during warm-up (3 × InstancePollSeconds by default)', () => {
    expect(evaluateGates(snap({ isLeader: false }))).toMatchObject({
      action: 'skip',
      reason: 'not the raft leader',
    });
    expect(evaluateGates(snap({ now: T0 + 14_000 }))).toMatchObject({
      action: 'skip',
      reason: 'warming up after start',
    });
    expect(evaluateGates(snap({ now: T0 + 15_000 })).action).toBe('recover');
  });
  it('skips codes without a recovery and non-actionable entries', () => {
    expect(evaluateGates(snap({ entry: entry({ Analysis: 'UnreachableMaster' }) })).action).toBe('skip');
    expect(evaluateGates(snap({ entry: entry({ IsActionableRecovery: false }) }))).toMatchObject({
      action: 'skip',
      registerDetection: false,
    });
  });
  it('registers detections even when global recovery is disabled or the instance is downtimed', () => {
    expect(evaluateGates(snap({ globalRecoveryDisabled: true }))).toEqual({
      action: 'skip',
      reason: 'recoveries are globally disabled',
      registerDetection: true,
    });
    expect(evaluateGates(snap({ entry: entry({ IsDowntimed: true }) }))).toMatchObject({
      action: 'skip',
      registerDetection: true,
    });
  });
  it('applies the master and intermediate-master cluster filters', () => {
    const config = resolveRecoveryConfig({
      RecoverMasterClusterFilters: ['alias=other'],
      RecoverIntermediateMasterClusterFilters: ['main'],
    });
    expect(evaluateGates(snap({ config }))).toMatchObject({
      action: 'skip',
      reason: 'cluster does not match RecoverMasterClusterFilters',
    });
    expect(evaluateGates(snap({ config, entry: entry({ Analysis: 'DeadIntermediateMaster' }) })).action).toBe(
      'recover',
    );
    expect(evaluateGates(snap({ config: resolveRecoveryConfig() })).action).toBe('skip');
  });
  it('RecoveryIgnoreHostnameFilters drops the entry', () => {
    const config = resolveRecoveryConfig({
      RecoverMasterClusterFilters: ['*'],
      RecoveryIgnoreHostnameFilters: ['^127\\.'],
    });
    expect(evaluateGates(snap({ config }))).toMatchObject({ action: 'skip', registerDetection: false });
  });
  it('anti-flapping: a recovery on the cluster in its active period blocks; ack or expiry unblocks', () => {
    const r = recovery();
    expect(evaluateGates(snap({ activeRecoveries: [r] }))).toMatchObject({
      action: 'blocked',
      blockingRecovery: r,
    });
    expect(evaluateGates(snap({ activeRecoveries: [{ ...r, Acknowledged: true }] })).action).toBe('recover');
    expect(evaluateGates(snap({ activeRecoveries: [r], now: T0 + 3000_000 + 3600_001 })).action).toBe(
      'recover',
    );
    const config = resolveRecoveryConfig({
      RecoverMasterClusterFilters: ['*'],
      RecoveryPeriodBlockSeconds: 60,
    });
    expect(evaluateGates(snap({ config, activeRecoveries: [r] })).action).toBe('recover');
  });
  it('anti-flapping: the instance promoted by an active recovery is blocked even in another cluster', () => {
    const r = recovery({
      AnalysisEntry: entry({ ClusterDetails: { ClusterName: 'x', ClusterAlias: '', ClusterDomain: '' } }),
    });
    const e = entry({
      AnalyzedInstanceKey: key(3307),
      ClusterDetails: { ClusterName: 'y', ClusterAlias: '', ClusterDomain: '' },
    });
    expect(evaluateGates(snap({ entry: e, activeRecoveries: [r] })).action).toBe('blocked');
  });
  it('a running recovery (no end) blocks regardless of its age; manual gates only check running ones', () => {
    const running = recovery({ RecoveryStartTimestamp: iso(T0), RecoveryEndTimestamp: '' });
    expect(evaluateGates(snap({ activeRecoveries: [running], now: T0 + 10 * 3600_000 })).action).toBe(
      'blocked',
    );
    expect(evaluateManualGates(entry(), true, [recovery()])).toEqual({ ok: true });
    expect(evaluateManualGates(entry(), true, [running]).ok).toBe(false);
    expect(evaluateManualGates(entry(), false, []).ok).toBe(false);
  });
});
