import { afterAll, describe, expect, it } from 'vitest';
import type { Instance } from '../src/model/instance.js';
import { Env, FakeClock, kinds, sampleInstance } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

/** The instance as read back: stored fields equal, derived fields as computed for `clock`. */
function expectedRead(i: Instance, derived: Partial<Instance>): Instance {
  return { ...i, ...derived };
}

describe.each(kinds)('instances on %s', (kind) => {
  it('reads back exactly what was upserted, with derived fields computed at read time', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    const master = sampleInstance('m1', 3306);
    const replica = sampleInstance('r1', 3306, { Hostname: 'm1', Port: 3306 });
    expect(await store.instances.upsert([master, replica])).toBe(2);
    const fresh = {
      IsLastCheckValid: true,
      IsUpToDate: true,
      IsRecentlyChecked: true,
      SecondsSinceLastSeen: { Int64: 2, Valid: true },
    };
    expect(await store.instances.read(master.Key)).toEqual(expectedRead(master, fresh));
    expect(await store.instances.read(replica.Key)).toEqual(expectedRead(replica, fresh));

    clock.advance(20);
    const stale = await store.instances.read(master.Key);
    expect(stale?.IsUpToDate).toBe(false);
    expect(stale?.IsRecentlyChecked).toBe(true);
    expect(stale?.SecondsSinceLastSeen).toEqual({ Int64: 22, Valid: true });
    clock.advance(60);
    expect((await store.instances.read(master.Key))?.IsRecentlyChecked).toBe(false);
    expect((await store.instances.read(master.Key))?.Problems).toEqual(['not_recently_checked']);
    expect(await store.instances.read({ Hostname: 'nope', Port: 1 })).toBeUndefined();
  });

  it('updates on re-upsert and reads by cluster, alias, replicas, masters', async () => {
    const store = await env.open(kind);
    const m = sampleInstance('m1', 3306);
    const r1 = sampleInstance('r1', 3306, m.Key);
    const r2 = sampleInstance('r2', 3307, m.Key);
    const other = sampleInstance('x1', 3306);
    await store.instances.upsert([m, r1, r2, other]);
    await store.instances.upsert([{ ...r2, LastSQLError: 'boom', ReplicationSQLThreadRuning: false }]);
    expect((await store.instances.read(r2.Key))?.LastSQLError).toBe('boom');
    // problems are derived on read (store default ReasonableReplicationLagSeconds 10)
    expect((await store.instances.read(r2.Key))?.Problems).toEqual(['not_replicating']);
    await store.instances.upsert([{ ...r1, ReplicationLagSeconds: { Int64: 11, Valid: true } }]);
    expect((await store.instances.read(r1.Key))?.Problems).toEqual(['replication_lag']);
    await store.instances.upsert([r1]);
    expect((await store.instances.readCluster('m1:3306')).map((i) => i.Key.Hostname)).toEqual([
      'm1',
      'r1',
      'r2',
    ]);
    expect((await store.instances.readReplicas(m.Key)).map((i) => i.Key.Hostname)).toEqual(['r1', 'r2']);
    expect((await store.instances.readMasters()).map((i) => i.Key.Hostname)).toEqual(['m1', 'x1']);
    expect(await store.instances.clusterNames()).toEqual(['m1:3306', 'x1:3306']);
    expect((await store.instances.readAll()).length).toBe(4);
    expect((await store.instances.readMany([m.Key, other.Key])).map((i) => i.Key.Hostname)).toEqual([
      'm1',
      'x1',
    ]);
    await store.clusterAliases.setDetected('m1:3306', 'main');
    expect((await store.instances.readByAlias('main')).length).toBe(3);
    await store.applyCommand('set-cluster-alias-manual-override', ['x1:3306', 'main'], {
      at: Date.parse('2026-01-10T12:00:00Z'),
    });
    expect((await store.instances.readByAlias('main')).map((i) => i.Key.Hostname)).toEqual(['x1']);
    expect(await store.instances.count()).toBe(4);
  });

  it('joins downtime, candidate and unresolve metadata', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    const m = sampleInstance('m1', 3306);
    await store.instances.upsert([m]);
    await store.applyCommand('begin-downtime', {
      Key: m.Key,
      Owner: 'ops',
      Reason: 'upgrade',
      Duration: 7200e9,
      BeginsAt: '2026-01-10T11:00:00Z',
    });
    await store.applyCommand('register-candidate', {
      Hostname: 'm1',
      Port: 3306,
      PromotionRule: 'prefer',
      LastSuggestedString: '2026-01-10T11:30:00Z',
      PromotionRuleExpiry: '2026-01-10T12:30:00Z',
    });
    await store.applyCommand('register-hostname-unresolve', {
      Key: m.Key,
      Hostname: 'vip-m1',
      CreatedAt: '2026-01-10T11:00:00Z',
    });
    const read = await store.instances.read(m.Key);
    expect(read).toMatchObject({
      IsDowntimed: true,
      DowntimeOwner: 'ops',
      DowntimeReason: 'upgrade',
      DowntimeEndTimestamp: '2026-01-10T13:00:00.000Z',
      IsCandidate: true,
      PromotionRule: 'prefer',
      UnresolvedHostname: 'vip-m1',
    });
    clock.advance(3600);
    expect(await store.instances.read(m.Key)).toMatchObject({
      IsDowntimed: false,
      IsCandidate: false,
      PromotionRule: 'neutral',
    });
  });

  it('lists outdated keys, records failed checks and attempts, forgets', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    const a = sampleInstance('a', 3306, undefined, '2026-01-10T12:00:00.000Z');
    const b = sampleInstance('b', 3306, undefined, '2026-01-10T11:59:50.000Z');
    await store.instances.upsert([a, b]);
    expect(await store.instances.outdatedKeys()).toEqual([{ Hostname: 'b', Port: 3306 }]);
    // A pending attempt doubles the allowance.
    await store.instances.recordCheckAttempt(b.Key);
    expect(await store.instances.outdatedKeys()).toEqual([]);
    clock.advance(6);
    expect(await store.instances.outdatedKeys()).toEqual([a.Key, b.Key]);
    await store.instances.recordFailedCheck(a.Key, true);
    const failed = await store.instances.read(a.Key);
    expect(failed?.LastCheckedTimestamp).toBe('2026-01-10T12:00:06.000Z');
    expect(failed?.LastSeenTimestamp).toBe('2026-01-10T12:00:00.000Z');
    expect(failed?.LastCheckPartialSuccess).toBe(true);
    expect(failed?.IsLastCheckValid).toBe(false);
    expect(await store.instances.forget(a.Key)).toBe(true);
    expect(await store.instances.forget(a.Key)).toBe(false);
    expect(await store.instances.forgetCluster('b:3306')).toEqual([b.Key]);
    expect(await store.instances.count()).toBe(0);
  });

  it('resolves cluster name, depth, co-masters and ancestry from the backend', async () => {
    const store = await env.open(kind);
    const m = sampleInstance('m', 3306);
    const r = sampleInstance('r', 3306, m.Key);
    const rr = sampleInstance('rr', 3306, r.Key);
    const orphan = sampleInstance('o', 3306, { Hostname: 'unknown', Port: 3306 });
    await store.instances.resolveClusterAttributes([m, r]);
    await store.instances.upsert([m, r]);
    await store.instances.resolveClusterAttributes([rr, orphan]);
    expect([m.ClusterName, m.ReplicationDepth, m.AncestryUUID]).toEqual(['m:3306', 0, 'uuid-m-3306']);
    expect([r.ClusterName, r.ReplicationDepth]).toEqual(['m:3306', 1]);
    expect([rr.ClusterName, rr.ReplicationDepth, rr.AncestryUUID]).toEqual([
      'm:3306',
      2,
      'uuid-m-3306,uuid-r-3306,uuid-rr-3306',
    ]);
    expect([orphan.ClusterName, orphan.ReplicationDepth]).toEqual(['unknown:3306', 1]);
    const c1 = sampleInstance('c1', 3306, { Hostname: 'c2', Port: 3306 });
    const c2 = sampleInstance('c2', 3306, { Hostname: 'c1', Port: 3306 });
    await store.instances.resolveClusterAttributes([c1, c2]);
    expect([c1.IsCoMaster, c2.IsCoMaster, c1.ClusterName, c2.ClusterName]).toEqual([
      true,
      true,
      'c1:3306',
      'c1:3306',
    ]);
  });

  it('upserts 2,000 instances in one call', async () => {
    const store = await env.open(kind);
    const many = Array.from({ length: 2000 }, (_, n) => sampleInstance(`h${n}`, 3306));
    expect(await store.instances.upsert(many)).toBe(2000);
    expect(await store.instances.count()).toBe(2000);
    expect(await store.instances.read({ Hostname: 'h1999', Port: 3306 })).toMatchObject({
      ServerUUID: 'uuid-h1999-3306',
    });
  });
});
