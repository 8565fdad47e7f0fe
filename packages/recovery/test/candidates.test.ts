import { describe, expect, it } from 'vitest';
import {
  chooseCandidateReplica,
  effectivePromotionRule,
  sortReplicasForPromotion,
} from '../src/candidates.js';
import { resolveRecoveryConfig } from '../src/config.js';
import type { PromotionRule } from '../src/types.js';
import { key, view } from './fixtures.js';

const ports = (list: { Key: { Port: number } }[]) => list.map((i) => i.Key.Port);
const rules = (entries: [number, PromotionRule][]) =>
  new Map(entries.map(([port, rule]) => [`127.0.0.1:${port}`, rule] as const));
const config = resolveRecoveryConfig();

describe('sortReplicasForPromotion', () => {
  it('orders MariaDB replicas by GTID sequence, most advanced first', () => {
    const a = view(1, { MariaDBGtidSlavePos: '0-1-5' });
    const b = view(2, { MariaDBGtidSlavePos: '0-1-9' });
    const c = view(3, { MariaDBGtidSlavePos: '0-1-7' });
    expect(ports(sortReplicasForPromotion([a, b, c], { rules: new Map() }))).toEqual([2, 3, 1]);
  });
  it('orders Oracle replicas by executed GTID set', () => {
    const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    const o = (port: number, set: string) =>
      view(port, {
        UsingMariaDBGTID: false,
        UsingOracleGTID: true,
        ExecutedGtidSet: set,
        MariaDBGtidSlavePos: '',
      });
    expect(
      ports(sortReplicasForPromotion([o(1, `${u}:1-5`), o(2, `${u}:1-8`)], { rules: new Map() })),
    ).toEqual([2, 1]);
  });
  it('orders file/position replicas by ExecBinlogCoordinates', () => {
    const f = (port: number, file: string, pos: number) =>
      view(port, {
        UsingMariaDBGTID: false,
        ExecBinlogCoordinates: { LogFile: file, LogPos: pos, Type: 'BinaryLog' },
      });
    expect(
      ports(
        sortReplicasForPromotion([f(1, 'b.1', 900), f(2, 'b.2', 4), f(3, 'b.1', 901)], { rules: new Map() }),
      ),
    ).toEqual([2, 3, 1]);
  });
  it('breaks ties: log_slave_updates, lower major version, smaller binlog format, semi-sync replica, same DC, no errant GTID, rule', () => {
    const deadMaster = view(9, { DataCenter: 'dc1' });
    const cases: [ReturnType<typeof view>, ReturnType<typeof view>][] = [
      [view(1), view(2, { LogReplicationUpdatesEnabled: false })],
      [view(1, { Version: '10.6.1' }), view(2, { Version: '10.11.6' })],
      [view(1, { Binlog_format: 'MIXED' }), view(2, { Binlog_format: 'ROW' })],
      [view(1, { SemiSyncReplicaEnabled: true, DataCenter: 'dc2' }), view(2, { DataCenter: 'dc1' })],
      [view(1, { DataCenter: 'dc1' }), view(2, { DataCenter: 'dc2' })],
      [view(1), view(2, { GtidErrant: 'x:1' })],
    ];
    for (const [better, worse] of cases)
      expect(ports(sortReplicasForPromotion([worse, better], { deadMaster, rules: new Map() }))).toEqual([
        1, 2,
      ]);
    expect(ports(sortReplicasForPromotion([view(2), view(1)], { rules: rules([[1, 'prefer']]) }))).toEqual([
      1, 2,
    ]);
  });
});

describe('effectivePromotionRule', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  it('uses a fresh registration, expires it after CandidateInstanceExpireMinutes, else the instance rule', () => {
    const reg = (ts: string) => [
      { Key: key(1), PromotionRule: 'prefer' as const, LastSuggestedTimestamp: ts },
    ];
    expect(effectivePromotionRule(view(1), reg('2026-01-01T00:30:00Z'), config, now)).toBe('prefer');
    expect(effectivePromotionRule(view(1), reg('2026-01-01T00:00:00Z'), config, now)).toBe('neutral');
    expect(effectivePromotionRule(view(1, { PromotionRule: 'must_not' }), [], config, now)).toBe('must_not');
  });
});

describe('chooseCandidateReplica', () => {
  const sorted = (list: ReturnType<typeof view>[], r = new Map<string, PromotionRule>()) =>
    sortReplicasForPromotion(list, { rules: r });
  it('takes the most advanced eligible replica', () => {
    const list = sorted([
      view(1, { MariaDBGtidSlavePos: '0-1-5' }),
      view(2, { MariaDBGtidSlavePos: '0-1-6' }),
    ]);
    expect(chooseCandidateReplica(list, { config, rules: new Map() }).candidate?.Key.Port).toBe(2);
  });
  it('never promotes must_not or PromotionIgnoreHostnameFilters matches', () => {
    const r = rules([[2, 'must_not']]);
    const list = sorted(
      [view(1, { MariaDBGtidSlavePos: '0-1-5' }), view(2, { MariaDBGtidSlavePos: '0-1-6' })],
      r,
    );
    const choice = chooseCandidateReplica(list, { config, rules: r });
    expect(choice.candidate?.Key.Port).toBe(1);
    expect(choice.rejected.get('127.0.0.1:2')).toEqual(['must_not']);
    const ignore = resolveRecoveryConfig({ PromotionIgnoreHostnameFilters: ['^127'] });
    expect(chooseCandidateReplica(list, { config: ignore, rules: new Map() }).candidate).toBeNull();
  });
  it('prefers prefer over neutral over prefer_not among eligible replicas', () => {
    const r = rules([
      [1, 'prefer_not'],
      [3, 'prefer'],
    ]);
    const list = sorted([view(1), view(2), view(3)], r);
    expect(chooseCandidateReplica(list, { config, rules: r }).candidate?.Key.Port).toBe(3);
    const r2 = rules([[1, 'prefer_not']]);
    expect(
      chooseCandidateReplica(sorted([view(1, { MariaDBGtidSlavePos: '0-1-99' }), view(2)], r2), {
        config,
        rules: r2,
      }).candidate?.Key.Port,
    ).toBe(2);
  });
  it('marks a prefer candidate in the dead master DC/env as ideal', () => {
    const r = rules([[1, 'prefer']]);
    const deadMaster = view(9);
    expect(chooseCandidateReplica(sorted([view(1)], r), { config, rules: r, deadMaster }).ideal).toBe(true);
    expect(chooseCandidateReplica(sorted([view(1)]), { config, rules: new Map(), deadMaster }).ideal).toBe(
      false,
    );
  });
  it('enforces data-center and region constraints', () => {
    const deadMaster = view(9, { DataCenter: 'dc1', Region: 'r1' });
    const list = sorted([
      view(1, { DataCenter: 'dc2', MariaDBGtidSlavePos: '0-1-11' }),
      view(2, { DataCenter: 'dc1', Region: 'r2' }),
    ]);
    const dc = resolveRecoveryConfig({ PreventCrossDataCenterMasterFailover: true });
    expect(
      chooseCandidateReplica(list, { config: dc, rules: new Map(), deadMaster }).candidate?.Key.Port,
    ).toBe(2);
    const both = resolveRecoveryConfig({
      PreventCrossDataCenterMasterFailover: true,
      PreventCrossRegionMasterFailover: true,
    });
    expect(chooseCandidateReplica(list, { config: both, rules: new Map(), deadMaster }).candidate).toBeNull();
  });
  it('refuses replicas lagging beyond FailMasterPromotionOnLagMinutes', () => {
    const lagging = view(1, { ReplicationLagSeconds: { Int64: 120, Valid: true } });
    const lag = resolveRecoveryConfig({ FailMasterPromotionOnLagMinutes: 2 });
    expect(chooseCandidateReplica([lagging], { config: lag, rules: new Map() }).candidate).toBeNull();
    expect(chooseCandidateReplica([lagging], { config, rules: new Map() }).candidate?.Key.Port).toBe(1);
  });
  it('falls back to a soft-ineligible replica (no log_slave_updates) when nothing else qualifies', () => {
    const only = view(1, { LogReplicationUpdatesEnabled: false });
    const choice = chooseCandidateReplica([only], { config, rules: new Map() });
    expect(choice.candidate?.Key.Port).toBe(1);
    expect(choice.rejected.get('127.0.0.1:1')).toEqual(['no log_slave_updates']);
  });
  it('honours a designated replica unless it is banned', () => {
    const list = sorted([view(1, { MariaDBGtidSlavePos: '0-1-11' }), view(2)]);
    expect(
      chooseCandidateReplica(list, { config, rules: new Map(), designated: key(2) }).candidate?.Key.Port,
    ).toBe(2);
    const r = rules([[2, 'must_not']]);
    expect(chooseCandidateReplica(list, { config, rules: r, designated: key(2) }).candidate).toBeNull();
  });
});
