import { afterAll, describe, expect, it } from 'vitest';
import { Env, FakeClock, kinds } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

const key = (h: string) => ({ Hostname: h, Port: 3306 });

describe.each(kinds)('DAOs on %s', (kind) => {
  it('maintenance: one active lock per instance, end, expiry', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    const id = await store.maintenance.begin(key('a'), 'ops', 'disk');
    expect(id).toBeGreaterThan(0);
    expect(await store.maintenance.begin(key('a'), 'ops', 'again')).toBeUndefined();
    expect(await store.maintenance.isUnderMaintenance(key('a'))).toBe(true);
    expect(await store.maintenance.active()).toMatchObject([
      {
        Id: id,
        Key: key('a'),
        Owner: 'ops',
        Reason: 'disk',
        ProcessingNodeHostname: 'node1',
        EndTimestamp: '2026-01-10T12:10:00.000Z',
      },
    ]);
    expect(await store.maintenance.end(key('a'))).toBe(true);
    expect(await store.maintenance.end(key('a'))).toBe(false);
    await store.maintenance.begin(key('b'), 'ops', 'short', 30);
    clock.advance(31);
    expect(await store.maintenance.isUnderMaintenance(key('b'))).toBe(false);
    expect(await store.maintenance.expire()).toBe(1);
    expect(await store.maintenance.begin(key('b'), 'ops', 'new')).toBeGreaterThan(0);
  });

  it('downtime: active vs expired by the injected clock', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    await store.applyCommand('begin-downtime', {
      Key: key('a'),
      Owner: 'o',
      Reason: 'r',
      Duration: 60e9,
      BeginsAt: '2026-01-10T12:00:00Z',
    });
    expect((await store.downtime.read(key('a')))?.EndsAt).toBe('2026-01-10T12:01:00.000Z');
    expect(await store.downtime.expired()).toEqual([]);
    clock.advance(61);
    expect(await store.downtime.active()).toEqual([]);
    expect((await store.downtime.expired()).map((d) => d.Key)).toEqual([key('a')]);
  });

  it('recoveries: active periods, running, blocked, detections', async () => {
    const clock = new FakeClock(Date.parse('2026-01-10T10:30:00Z'));
    const store = await env.open(kind, clock);
    const entry = {
      Analysis: 'DeadMaster',
      AnalyzedInstanceKey: key('m'),
      ClusterDetails: { ClusterName: 'm:3306', ClusterAlias: 'mm' },
      IsActionableRecovery: true,
    };
    await store.applyCommand('register-failure-detection', { ...entry, DetectedAt: '2026-01-10T10:00:00Z' });
    await store.applyCommand('write-recovery', {
      UID: 'u1',
      AnalysisEntry: entry,
      RecoveryStartTimestamp: '2026-01-10T10:00:01Z',
    });
    expect((await store.recoveries.active({ clusterName: 'm:3306' })).map((r) => r.UID)).toEqual(['u1']);
    expect((await store.recoveries.running()).map((r) => r.UID)).toEqual(['u1']);
    expect((await store.recoveries.read({ uid: 'u1' }))[0]?.AnalysisEntry).toEqual(entry);
    expect((await store.recoveries.read({ key: key('x') })).length).toBe(0);
    expect((await store.recoveries.activeDetections()).map((d) => d.Analysis)).toEqual(['DeadMaster']);
    expect((await store.recoveries.detections({ clusterAlias: 'mm' })).length).toBe(1);
    await store.recoveries.registerBlocked(key('m'), 'm:3306', 'DeadMaster', 1);
    expect(await store.recoveries.blocked('m:3306')).toEqual([
      {
        FailedInstanceKey: key('m'),
        ClusterName: 'm:3306',
        Analysis: 'DeadMaster',
        LastBlockedTimestamp: '2026-01-10T10:30:00.000Z',
        BlockingRecoveryId: 1,
      },
    ]);
    clock.advance(3600);
    expect(await store.recoveries.active()).toEqual([]);
    expect(await store.recoveries.activeDetections()).toEqual([]);
    expect(await store.recoveries.expireBlocked(60)).toBe(1);
  });

  it('node health, audit, kv, pools, aliases', async () => {
    const clock = new FakeClock();
    const store = await env.open(kind, clock);
    await store.nodeHealth.write({ hostname: 'n1', token: 't', appVersion: '1.0' });
    clock.advance(2);
    await store.nodeHealth.write({ hostname: 'n1', token: 't', appVersion: '1.1' });
    const [n] = await store.nodeHealth.available(5);
    expect(n).toMatchObject({
      Hostname: 'n1',
      AppVersion: '1.1',
      FirstSeenActive: '2026-01-10T12:00:00.000Z',
      LastSeenActive: '2026-01-10T12:00:02.000Z',
      DBBackend: kind,
    });
    clock.advance(10);
    expect(await store.nodeHealth.available(5)).toEqual([]);
    expect(await store.nodeHealth.expire(5)).toBe(1);

    await store.audit.write('begin-downtime', key('a'), 'a:3306', 'hello');
    await store.audit.write('forget', undefined, '', 'bye');
    expect((await store.audit.read()).map((e) => e.Message)).toEqual(['bye', 'hello']);
    expect((await store.audit.read({ key: key('a') }))[0]).toMatchObject({
      AuditType: 'begin-downtime',
      AuditInstanceKey: key('a'),
    });
    clock.advance(100);
    expect(await store.audit.expire(50)).toBe(2);

    await store.applyCommand('submit-pool-instances', { Pool: 'p', DelimitedInstances: 'x:1,y' });
    expect(await store.pools.instances('p')).toEqual([
      { Hostname: 'x', Port: 1 },
      { Hostname: 'y', Port: 3306 },
    ]);
    await store.clusterAliases.setDetected('c:1', 'detected');
    expect(await store.clusterAliases.aliasOf('c:1')).toBe('detected');
    expect(await store.clusterAliases.clusterOf('detected')).toBe('c:1');
    await store.applyCommand('set-cluster-alias-manual-override', ['c:1', 'manual']);
    expect(await store.clusterAliases.aliasOf('c:1')).toBe('manual');
    expect(await store.clusterAliases.clusterOf('manual')).toBe('c:1');
    expect(await store.hostnameUnresolve.unresolved('nobody')).toBeUndefined();
    expect(await store.kv.get('none')).toBeUndefined();
  });
});
