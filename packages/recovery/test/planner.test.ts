import { describe, expect, it } from 'vitest';
import { resolveRecoveryConfig } from '../src/config.js';
import { planMasterFailover } from '../src/planner.js';
import { planIntermediateMasterRecovery } from '../src/planner-intermediate.js';
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
  it('refuses typed: no replicas, no candidate, designated not eligible, SQL thread not up to date', () => {
    expect(planMasterFailover({ ...base, replicas: [] })).toMatchObject({ ok: false, code: 'NO_REPLICAS' });
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
    // A plan that would move nobody only detaches replicas: refused, nothing changes.
    const nobody = planIntermediateMasterRecovery({ config, replicas, targets: [behindSibling] });
    expect(nobody).toMatchObject({ ok: false, code: 'NO_METHOD' });
    if (nobody.ok) throw new Error('planned');
    expect(nobody.message).toBe(
      'no replica can be placed under 127.0.0.1:20: 127.0.0.1:11 (ahead of the candidate)',
    );
    expect(planIntermediateMasterRecovery({ config, replicas, targets: [] })).toMatchObject({
      ok: false,
      code: 'TARGET_NOT_FOUND',
    });
  });
});

const at = (file: string, pos: number) => ({ LogFile: file, LogPos: pos, Type: 'BinaryLog' as const });
/** A replica positioned by binlog coordinates that executed (and read) `pos` of bin.000007. */
const fp = (port: number, pos: number, over: Partial<ReturnType<typeof view>> = {}) =>
  view(port, {
    UsingMariaDBGTID: false,
    ExecBinlogCoordinates: at('bin.000007', pos),
    ReadBinlogCoordinates: at('bin.000007', pos),
    ...over,
  });

describe('planMasterFailover by binlog coordinates', () => {
  it('regroups replicas at the same coordinates under the candidate, from the end of its binlog', () => {
    const plan = planMasterFailover({ ...base, replicas: [fp(1, 900), fp(2, 900), fp(3, 900)] });
    expect(plan).toMatchObject({
      ok: true,
      method: 'binlog-coordinates',
      flavor: null,
      candidate: key(1),
      moved: [key(2), key(3)],
      lost: [],
    });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.steps.filter((s) => s.op === 'repoint')).toEqual([
      { op: 'repoint', instance: key(2), master: key(1), via: 'coordinates' },
      { op: 'repoint', instance: key(3), master: key(1), via: 'coordinates' },
    ]);
  });
  it('promotes the most advanced replica; one behind is lost without Pseudo-GTID, matched with it', () => {
    const replicas = [fp(1, 500), fp(2, 900), fp(3, 900)];
    const plan = planMasterFailover({ ...base, replicas });
    expect(plan).toMatchObject({
      ok: true,
      candidate: key(2),
      moved: [key(3)],
      lost: [{ key: key(1), reason: 'behind the candidate, and neither GTID nor Pseudo-GTID can place it' }],
    });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.steps.map((s) => s.op)).toEqual([
      'promote',
      'repoint',
      'detach',
      'downtime',
      'downtime',
      'old-master-read-only',
    ]);
    const matched = planMasterFailover({ ...base, replicas, pseudoGtid: true });
    expect(matched).toMatchObject({ ok: true, candidate: key(2), moved: [key(3), key(1)], lost: [] });
    if (!matched.ok) throw new Error(matched.message);
    expect(matched.steps).toContainEqual({
      op: 'repoint',
      instance: key(1),
      master: key(2),
      via: 'pseudo-gtid',
    });
  });
  it('moves a replica that received the candidate position but has not applied it yet', () => {
    const plan = planMasterFailover({
      ...base,
      replicas: [fp(1, 900), fp(2, 700, { ReadBinlogCoordinates: at('bin.000007', 900) }), fp(3, 700)],
    });
    expect(plan).toMatchObject({ ok: true, candidate: key(1), moved: [key(2)] });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.lost.map((l) => l.key)).toEqual([key(3)]);
  });
  it('compares binlog files by number, not as text', () => {
    const plan = planMasterFailover({
      ...base,
      replicas: [
        fp(1, 100, {
          ExecBinlogCoordinates: at('bin.999999', 900),
          ReadBinlogCoordinates: at('bin.999999', 900),
        }),
        fp(2, 100, {
          ExecBinlogCoordinates: at('bin.1000000', 4),
          ReadBinlogCoordinates: at('bin.1000000', 4),
        }),
      ],
    });
    expect(plan).toMatchObject({ ok: true, candidate: key(2) });
  });
  it('chooses among the most advanced replicas only: a prefer replica behind them does not cost data', () => {
    const plan = planMasterFailover({
      ...base,
      rules: rules([[1, 'prefer']]),
      replicas: [fp(1, 500), fp(2, 900), fp(3, 900)],
    });
    expect(plan).toMatchObject({ ok: true, candidate: key(2), catchUpFrom: null });
    // A prefer replica among the most advanced wins over a neutral one there.
    const preferTop = planMasterFailover({
      ...base,
      rules: rules([[3, 'prefer']]),
      replicas: [fp(1, 500), fp(2, 900), fp(3, 900)],
    });
    expect(preferTop).toMatchObject({ ok: true, candidate: key(3), moved: [key(2)] });
  });
  it('loses a must_not replica ahead of every promotable one', () => {
    const plan = planMasterFailover({
      ...base,
      rules: rules([[1, 'must_not']]),
      replicas: [fp(1, 950), fp(2, 900), fp(3, 900)],
    });
    expect(plan).toMatchObject({
      ok: true,
      candidate: key(2),
      moved: [key(3)],
      lost: [{ key: key(1), reason: 'ahead of the candidate' }],
    });
  });
  it('compares with where the candidate will be once it applied its relay log', () => {
    const delay = resolveRecoveryConfig({ DelayMasterPromotionIfSQLThreadNotUpToDate: true });
    const candidate = fp(1, 900, { ReadBinlogCoordinates: at('bin.000007', 1200) });
    const plan = planMasterFailover({
      ...base,
      config: delay,
      replicas: [candidate, fp(2, 1200), fp(3, 900)],
    });
    // 2 executed 1200 already: it is the most advanced and becomes the candidate.
    expect(plan).toMatchObject({ ok: true, candidate: key(2) });
    const only = planMasterFailover({ ...base, config: delay, replicas: [candidate, fp(3, 1200)] });
    expect(only).toMatchObject({ ok: true, candidate: key(3) });
    const waits = planMasterFailover({
      ...base,
      config: delay,
      rules: rules([[2, 'must_not']]),
      replicas: [candidate, fp(2, 1200)],
    });
    expect(waits).toMatchObject({ ok: true, candidate: key(1), moved: [key(2)] });
    if (!waits.ok) throw new Error(waits.message);
    expect(waits.steps[0]).toEqual({ op: 'wait-sql-thread', instance: key(1) });
  });
  it('keeps GTID for a GTID replica of a mixed topology, and loses everyone below a candidate without binlog', () => {
    const plan = planMasterFailover({
      ...base,
      replicas: [fp(1, 900), view(2, { ExecBinlogCoordinates: at('bin.000007', 900) })],
    });
    expect(plan).toMatchObject({ ok: true, method: 'binlog-coordinates', candidate: key(1) });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.steps).toContainEqual({ op: 'repoint', instance: key(2), master: key(1), via: 'gtid' });
    const noBinlog = planMasterFailover({
      ...base,
      rules: rules([[2, 'must_not']]),
      replicas: [fp(1, 900, { LogBinEnabled: false, LogReplicationUpdatesEnabled: false }), fp(2, 900)],
    });
    expect(noBinlog).toMatchObject({
      ok: true,
      candidate: key(1),
      lost: [{ key: key(2), reason: 'cannot replicate from the candidate' }],
    });
  });
});

describe('planIntermediateMasterRecovery by binlog coordinates', () => {
  const im = (over: Partial<ReturnType<typeof view>> = {}) =>
    fp(20, 300, {
      MasterKey: key(3306),
      SelfBinlogCoordinates: at('im-bin.000002', 777),
      ExecBinlogCoordinates: at('bin.000007', 300),
      ...over,
    });
  const orphan = (port: number, pos: number) =>
    fp(port, pos, {
      MasterKey: key(20),
      ExecBinlogCoordinates: at('im-bin.000002', pos),
      ReadBinlogCoordinates: at('im-bin.000002', pos),
    });
  const master = view(3306, { MasterKey: { Hostname: '', Port: 0 } });
  it('moves replicas that executed all of an answering intermediate master up, at its executed position', () => {
    const plan = planIntermediateMasterRecovery({
      config,
      replicas: [orphan(21, 777), orphan(22, 500)],
      targets: [master],
      intermediate: im(),
    });
    expect(plan).toMatchObject({
      ok: true,
      method: 'binlog-coordinates',
      target: key(3306),
      moved: [key(21)],
    });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.steps[0]).toEqual({
      op: 'repoint',
      instance: key(21),
      master: key(3306),
      via: 'coordinates',
      at: { LogFile: 'bin.000007', LogPos: 300 },
    });
    expect(plan.lost[0]?.key).toEqual(key(22));
    expect(plan.lost[0]?.reason).toMatch(/^behind 127\.0\.0\.1:20 .*neither GTID nor Pseudo-GTID/);
  });
  it('refuses (nothing can place them) when the intermediate master is gone, unless Pseudo-GTID can match them', () => {
    const input = { config, replicas: [orphan(21, 777)], targets: [master], intermediate: null };
    const refused = planIntermediateMasterRecovery(input);
    expect(refused).toMatchObject({ ok: false, code: 'NO_METHOD' });
    if (refused.ok) throw new Error('planned');
    expect(refused.message).toContain('without GTID or Pseudo-GTID');
    expect(planIntermediateMasterRecovery({ ...input, pseudoGtid: true })).toMatchObject({
      ok: true,
      method: 'pseudo-gtid',
      target: key(3306),
      moved: [key(21)],
    });
  });
});
