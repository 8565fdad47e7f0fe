import { describe, expect, it } from 'vitest';
import { resolveRecoveryConfig } from '../src/config.js';
import { planIntermediateMasterRecovery, planMasterFailover } from '../src/planner.js';
import type { PromotionRule } from '../src/types.js';
import { key, view } from './fixtures.js';

const config = resolveRecoveryConfig();
const rules = (entries: [number, PromotionRule][]) =>
  new Map(entries.map(([port, rule]) => [`127.0.0.1:${port}`, rule] as const));
const base = {
  config,
  deadMaster: view(3306, { MasterKey: { Hostname: '', Port: 0 } }),
  deadMasterKey: key(3306),
  rules: new Map(),
};

describe('planMasterFailover', () => {
  it('promotes the most advanced replica and re-points the others under it', () => {
    const plan = planMasterFailover({
      ...base,
      replicas: [
        view(1, { MariaDBGtidSlavePos: '0-1-5' }),
        view(2, { MariaDBGtidSlavePos: '0-1-9' }),
        view(3, { MariaDBGtidSlavePos: '0-1-7' }),
      ],
    });
    expect(plan).toMatchObject({
      ok: true,
      flavor: 'mariadb',
      candidate: key(2),
      catchUpFrom: null,
      lost: [],
    });
    if (!plan.ok) throw new Error('refused');
    expect(plan.steps.map((s) => s.op)).toEqual([
      'promote',
      'repoint',
      'repoint',
      'downtime',
      'old-master-read-only',
    ]);
    expect(plan.moved).toEqual([key(3), key(1)]);
  });
  it('catches a prefer candidate up from a more advanced must_not replica, then moves the latter under it', () => {
    const plan = planMasterFailover({
      ...base,
      rules: rules([
        [1, 'must_not'],
        [2, 'prefer'],
      ]),
      replicas: [
        view(1, { MariaDBGtidSlavePos: '0-1-12' }),
        view(2, { MariaDBGtidSlavePos: '0-1-9' }),
        view(3),
      ],
    });
    expect(plan).toMatchObject({ ok: true, candidate: key(2), catchUpFrom: key(1), lost: [] });
    if (!plan.ok) throw new Error('refused');
    expect(plan.steps[0]).toEqual({ op: 'catch-up', instance: key(2), from: key(1) });
    expect(plan.moved).toEqual([key(1), key(3)]);
  });
  it('classifies diverged replicas and replicas without GTID as lost, with detach and downtime steps', () => {
    const plan = planMasterFailover({
      ...base,
      replicas: [
        view(1, { MariaDBGtidSlavePos: '0-1-10' }),
        view(2, { MariaDBGtidSlavePos: '0-1-9,1-5-3', LogReplicationUpdatesEnabled: false }),
        view(3, { UsingMariaDBGTID: false, IsLastCheckValid: false }),
      ],
    });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.candidate).toEqual(key(1));
    expect([...plan.lost].sort((a, b) => a.key.Port - b.key.Port)).toEqual([
      { key: key(2), reason: 'cannot replicate from the candidate' },
      { key: key(3), reason: 'no GTID' },
    ]);
    expect(plan.steps.filter((s) => s.op === 'detach').length).toBe(2);
    const noDetach = planMasterFailover({
      ...base,
      config: resolveRecoveryConfig({ DetachLostReplicasAfterMasterFailover: false }),
      replicas: [view(1), view(3, { UsingMariaDBGTID: false, IsLastCheckValid: false })],
    });
    if (!noDetach.ok) throw new Error(noDetach.message);
    expect(noDetach.steps.some((s) => s.op === 'detach')).toBe(false);
  });
  it('refuses typed: no replicas, no GTID, no candidate, designated not eligible, SQL thread not up to date', () => {
    expect(planMasterFailover({ ...base, replicas: [] })).toMatchObject({ ok: false, code: 'NO_REPLICAS' });
    expect(planMasterFailover({ ...base, replicas: [view(1, { UsingMariaDBGTID: false })] })).toMatchObject({
      ok: false,
      code: 'NOT_GTID',
    });
    expect(
      planMasterFailover({ ...base, rules: rules([[1, 'must_not']]), replicas: [view(1)] }),
    ).toMatchObject({ ok: false, code: 'NO_CANDIDATE' });
    expect(planMasterFailover({ ...base, designated: key(5), replicas: [view(1)] })).toMatchObject({
      ok: false,
      code: 'DESIGNATED_NOT_ELIGIBLE',
    });
    const behind = view(1, {
      ReadBinlogCoordinates: { LogFile: 'bin.000001', LogPos: 500, Type: 'BinaryLog' },
    });
    const fail = resolveRecoveryConfig({ FailMasterPromotionIfSQLThreadNotUpToDate: true });
    expect(planMasterFailover({ ...base, config: fail, replicas: [behind] })).toMatchObject({
      ok: false,
      code: 'SQL_THREAD_NOT_UP_TO_DATE',
    });
    const delay = resolveRecoveryConfig({ DelayMasterPromotionIfSQLThreadNotUpToDate: true });
    const plan = planMasterFailover({ ...base, config: delay, replicas: [behind] });
    expect(plan.ok && plan.steps[0]).toEqual({ op: 'wait-sql-thread', instance: key(1) });
  });
  it('promotes even with ApplyMySQLPromotionAfterMasterFailover off when forced (graceful takeover)', () => {
    const off = resolveRecoveryConfig({ ApplyMySQLPromotionAfterMasterFailover: false });
    const a = planMasterFailover({ ...base, config: off, replicas: [view(1)] });
    const b = planMasterFailover({ ...base, config: off, replicas: [view(1)], forcePromotion: true });
    expect(a.ok && a.steps[0]).toMatchObject({ op: 'promote', applyMySQLPromotion: false });
    expect(b.ok && b.steps[0]).toMatchObject({ op: 'promote', applyMySQLPromotion: true });
  });
});

describe('planIntermediateMasterRecovery', () => {
  it('moves replicas under the first target that serves their position', () => {
    const replicas = [
      view(11, { MariaDBGtidSlavePos: '0-1-10' }),
      view(12, { MariaDBGtidSlavePos: '0-1-8' }),
    ];
    const master = view(3306, { MariaDBGtidBinlogPos: '0-1-10' });
    const plan = planIntermediateMasterRecovery({ config, replicas, targets: [master] });
    expect(plan).toMatchObject({ ok: true, target: key(3306), moved: [key(11), key(12)], lost: [] });
  });
  it('picks the target that loses the fewest replicas, and refuses without one', () => {
    const replicas = [view(11, { MariaDBGtidSlavePos: '0-1-10' })];
    const behindSibling = view(20, { MariaDBGtidBinlogPos: '0-1-5' });
    const master = view(3306, { MariaDBGtidBinlogPos: '0-1-10' });
    expect(
      planIntermediateMasterRecovery({ config, replicas, targets: [behindSibling, master] }),
    ).toMatchObject({ ok: true, target: key(3306) });
    expect(planIntermediateMasterRecovery({ config, replicas, targets: [behindSibling] })).toMatchObject({
      ok: true,
      lost: [{ key: key(11), reason: 'ahead of the candidate' }],
    });
    expect(planIntermediateMasterRecovery({ config, replicas, targets: [] })).toMatchObject({
      ok: false,
      code: 'TARGET_NOT_FOUND',
    });
  });
});
