import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyze } from '../src/analysis/analyze.js';
import { proberConfig } from '../src/config.js';
import { DiscoveryLoop } from '../src/discovery/loop.js';
import { InMemoryInstanceRepository } from '../src/discovery/repository.js';
import { backoffMs, slowLaneLimit } from '../src/discovery/schedule.js';
import { FakeProber } from './fake-prober.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(extra: Partial<ReturnType<typeof proberConfig>> = {}) {
  const prober = new FakeProber();
  prober.addServer(1, undefined, [2, 3]);
  prober.addServer(2, 1);
  prober.addServer(3, 1);
  const repository = new InMemoryInstanceRepository();
  const changes: string[] = [];
  const loop = new DiscoveryLoop({
    config: proberConfig({ DiscoverySeeds: ['h:1'], ...extra }),
    prober,
    repository,
    onTopologyChange: (c) => changes.push(c),
  });
  return { prober, repository, loop, changes };
}

describe('schedule rules', () => {
  it('backs off exponentially from one poll interval, capped', () => {
    expect([1, 2, 3, 4, 10].map((f) => backoffMs(f, 5000, 30_000))).toEqual([
      5000, 10_000, 20_000, 30_000, 30_000,
    ]);
  });
  it('reserves a tenth of the workers for failing instances, at least 2, at most all', () => {
    expect([1, 10, 300].map(slowLaneLimit)).toEqual([1, 2, 30]);
  });
});

describe('DiscoveryLoop', () => {
  it('discovers the topology from the master alone and writes it in batches', async () => {
    const { loop, repository } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect([...repository.rows.keys()].sort()).toEqual(['h:1', 'h:2', 'h:3']);
    expect(repository.rows.get('h:2')).toMatchObject({
      ClusterName: 'h:1',
      ReplicationDepth: 1,
      IsLastCheckValid: true,
    });
    expect(repository.upserts).toBeLessThan(4);
    await loop.stop();
  });

  it('polls every instance every InstancePollSeconds', async () => {
    const { loop, prober } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(20_500);
    const counts = ['h:1', 'h:2', 'h:3'].map((k) => prober.probes.filter((p) => p === k).length);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(4);
    for (const c of counts) expect(c).toBeLessThanOrEqual(6);
    await loop.stop();
  });

  it('tracks since when binlog coordinates stood still', async () => {
    const { loop, prober } = setup();
    const master = prober.servers.get('h:1');
    if (master) master.SelfBinlogCoordinates = { LogFile: 'bin.1', LogPos: 100, Type: 'BinaryLog' };
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    const first = loop.binlogUnchangedSince().get('h:1');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(loop.binlogUnchangedSince().get('h:1')).toBe(first);
    if (master) master.SelfBinlogCoordinates = { LogFile: 'bin.1', LogPos: 200, Type: 'BinaryLog' };
    await vi.advanceTimersByTimeAsync(5_100);
    expect(loop.binlogUnchangedSince().get('h:1')).toBeGreaterThan(first ?? 0);
    await loop.stop();
  });

  it('honours DiscoveryIgnore*HostnameFilters', async () => {
    const prober = new FakeProber();
    prober.addServer(1, undefined, [2]);
    prober.addServer(2, 1);
    const a = prober.servers.get('h:2');
    if (a) a.Replicas = [{ Hostname: 'skip', Port: 9 }];
    const repository = new InMemoryInstanceRepository();
    const loop = new DiscoveryLoop({
      config: proberConfig({
        DiscoverySeeds: ['h:2'],
        DiscoveryIgnoreMasterHostnameFilters: ['^h$'],
        DiscoveryIgnoreHostnameFilters: ['skip'],
      }),
      prober,
      repository,
    });
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(loop.knownKeys().map((k) => `${k.Hostname}:${k.Port}`)).toEqual(['h:2']);
    await loop.stop();
  });

  it('a killed master is re-probed at once and its replicas in bursts; analysis sees DeadMaster without waiting a poll', async () => {
    const { loop, prober, repository, changes } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    prober.kill(1);
    // Replicas notice 400 ms later (connect retry).
    await vi.advanceTimersByTimeAsync(400);
    for (const p of [2, 3]) {
      const r = prober.servers.get(`h:${p}`);
      if (r) {
        r.ReplicationIOThreadRuning = false;
        r.ReplicationIOThreadState = 2;
        r.LastIOError = "error reconnecting to master 'repl@h:1' - retry-time: 1";
      }
    }
    await vi.advanceTimersByTimeAsync(400);
    const entries = analyze(await repository.readAll(), { config: proberConfig(), now: Date.now() });
    expect(entries.find((e) => e.AnalyzedInstanceKey.Port === 1)?.Analysis).toBe('DeadMaster');
    expect(changes).toContain('h:1');
    // Its connection was refused: the loop says so (analysis then need not wait for other observers).
    expect([...loop.refusedInstances()]).toEqual(['h:1']);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(100); // the last fake probes finish
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a hung master (probes and pings never answer) is a failed check within a ping timeout and keeps being checked', async () => {
    const { loop, prober, repository } = setup({
      MySQLConnectTimeoutSeconds: 1,
      MySQLDiscoveryReadTimeoutSeconds: 3,
    });
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    const probesBefore = prober.probes.filter((p) => p === 'h:1').length;
    prober.hung.add('h:1');
    // The fake's ping never settles, the real prober's fails after MySQLConnectTimeoutSeconds;
    // here the loop's own probe deadline (connect + 2 reads + 1 s = 8 s) is what must end it.
    await vi.advanceTimersByTimeAsync(30_000);
    const row = repository.rows.get('h:1');
    expect(row?.IsLastCheckValid).toBe(false);
    const entries = analyze(await repository.readAll(), { config: proberConfig(), now: Date.now() });
    expect(entries.find((e) => e.AnalyzedInstanceKey.Port === 1)?.LastCheckValid).toBe(false);
    // Abandoned probes close their connection, and the instance is probed again and again.
    expect(prober.closed).toContain('h:1');
    expect(prober.probes.filter((p) => p === 'h:1').length).toBeGreaterThanOrEqual(probesBefore + 2);
    // Once it answers again, its last check is valid again.
    prober.hung.delete('h:1');
    await vi.advanceTimersByTimeAsync(45_000);
    expect(repository.rows.get('h:1')?.IsLastCheckValid).toBe(true);
    await loop.stop();
  });

  it('a master that stops answering pings is marked failed at once, without waiting for its probe', async () => {
    const prober = new FakeProber();
    prober.addServer(1, undefined, [2, 3]);
    prober.addServer(2, 1);
    prober.addServer(3, 1);
    const repository = new InMemoryInstanceRepository();
    const loop = new DiscoveryLoop({
      config: proberConfig({ DiscoverySeeds: ['h:1'] }),
      prober: {
        ...prober,
        probe: (r) => prober.probe(r),
        ping: async () => false, // the real prober answers false once its ping deadline passes
        onConnectionLost: (l) => prober.onConnectionLost(l),
        execute: (r, sql) => prober.execute(r, sql),
        close: (k) => prober.close(k),
        closeAll: () => prober.closeAll(),
      },
      repository,
    });
    await loop.start();
    await vi.advanceTimersByTimeAsync(400);
    prober.hung.add('h:1');
    await vi.advanceTimersByTimeAsync(700);
    expect(repository.rows.get('h:1')?.IsLastCheckValid).toBe(false);
    await loop.stop();
  });

  it('a ping unanswered for suspectAfterMs starts a suspicion: onSuspicion once, replicas watched in bursts', async () => {
    const prober = new FakeProber();
    prober.addServer(1, undefined, [2, 3]);
    prober.addServer(2, 1);
    prober.addServer(3, 1);
    const suspicions: string[] = [];
    const loop = new DiscoveryLoop({
      config: proberConfig({ DiscoverySeeds: ['h:1'] }),
      prober,
      repository: new InMemoryInstanceRepository(),
      onSuspicion: (k, since) => suspicions.push(`${k.Hostname}:${k.Port}@${since}`),
    });
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(suspicions).toEqual([]);
    const replicaProbes = () => prober.probes.filter((p) => p !== 'h:1').length;
    const before = replicaProbes();
    prober.hung.add('h:1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(suspicions).toHaveLength(1);
    expect(suspicions[0]).toMatch(/^h:1@/);
    expect(loop.suspectedSince({ Hostname: 'h', Port: 1 })).toBeDefined();
    // Bursts every 150 ms on both replicas, not one probe per poll interval.
    expect(replicaProbes() - before).toBeGreaterThanOrEqual(8);
    await loop.stop();
  });

  it('a suspicion ends when the instance is seen again; the next failure starts a new one, dated anew', async () => {
    const { loop, prober } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    const key = { Hostname: 'h', Port: 1 };
    prober.hung.add('h:1');
    await vi.advanceTimersByTimeAsync(3000);
    const first = loop.suspectedSince(key);
    expect(first).toBeDefined();
    prober.hung.delete('h:1');
    await vi.advanceTimersByTimeAsync(40_000); // past the abandoned probe's deadline and the backoff
    expect(loop.suspectedSince(key)).toBeUndefined();
    const killedAt = Date.now();
    prober.kill(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(loop.suspectedSince(key)).toBeGreaterThanOrEqual(killedAt);
    await loop.stop();
  });

  it('replicaSilence: how long a replica provably received nothing; reset by any change', async () => {
    const { loop, prober } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(10_000);
    // Unchanged for two polls: silent for about one poll interval or more.
    expect(loop.replicaSilence().get('h:2')).toBeGreaterThanOrEqual(5000);
    expect(loop.replicaSilence().has('h:1')).toBe(false); // a master has no master link
    const replica = prober.servers.get('h:2');
    if (replica) replica.ReplicationLink.HeartbeatsReceived += 1;
    await vi.advanceTimersByTimeAsync(5000);
    expect(loop.replicaSilence().get('h:2')).toBe(0);
    await loop.stop();
  });

  it('failing instances back off and never starve healthy ones', async () => {
    const prober = new FakeProber();
    const seeds: string[] = [];
    for (let p = 100; p < 140; p++) {
      prober.addServer(p);
      seeds.push(`h:${p}`);
      if (p >= 120) prober.down.add(`h:${p}`);
    }
    prober.latencyMs = 50;
    const loop = new DiscoveryLoop({
      config: proberConfig({ DiscoverySeeds: seeds, DiscoveryMaxConcurrency: 10 }),
      prober,
      repository: new InMemoryInstanceRepository(),
    });
    await loop.start();
    await vi.advanceTimersByTimeAsync(60_000);
    const healthy = prober.probes.filter((p) => Number(p.slice(2)) < 120).length / 20;
    const failing = prober.probes.filter((p) => Number(p.slice(2)) >= 120).length / 20;
    expect(healthy).toBeGreaterThanOrEqual(11);
    expect(failing).toBeLessThanOrEqual(6);
    // The 20 failing instances, and only those, are in the slow lane.
    expect(loop.slowLane()).toBe(20);
    await loop.stop();
  });

  it('API discovery resolves with the probe result; stop leaves no timers', async () => {
    const { loop } = setup({ DiscoverySeeds: [] });
    await loop.start();
    const pending = loop.discover({ Hostname: 'h', Port: 2 });
    await vi.advanceTimersByTimeAsync(50);
    const r = await pending;
    expect(r.ok).toBe(true);
    await loop.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settled(): a walk from one seed is complete once every instance found was probed; onProbe times each', async () => {
    const prober = new FakeProber();
    prober.addServer(1, undefined, [2, 3]);
    prober.addServer(2, 1);
    prober.addServer(3, 1);
    prober.kill(3);
    const probes: { id: string; error?: string; errorKind?: string }[] = [];
    const loop = new DiscoveryLoop({
      config: proberConfig({ DiscoverySeeds: [] }),
      prober,
      repository: new InMemoryInstanceRepository(),
      onProbe: (p) =>
        probes.push({ id: `${p.key.Hostname}:${p.key.Port}`, error: p.error, errorKind: p.errorKind }),
    });
    await loop.start();
    expect(loop.settled()).toBe(true);
    void loop.discover({ Hostname: 'h', Port: 1 });
    expect(loop.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(loop.settled()).toBe(true);
    expect(loop.active()).toBe(0);
    expect([...new Set(probes.map((p) => p.id))].sort()).toEqual(['h:1', 'h:2', 'h:3']);
    expect(probes.find((p) => p.id === 'h:3')?.error).toBe('h:3 down');
    expect(probes.find((p) => p.id === 'h:3')?.errorKind).toBe('refused');
    expect(probes.find((p) => p.id === 'h:1')?.error).toBeUndefined();
    expect(probes.find((p) => p.id === 'h:1')?.errorKind).toBeUndefined();
    await loop.stop();
  });

  it('forgets instances unseen for UnseenInstanceForgetHours', async () => {
    const { loop, prober, repository } = setup({ UnseenInstanceForgetHours: 1 });
    await loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    prober.down.add('h:3');
    const master = prober.servers.get('h:1');
    if (master) master.Replicas = [{ Hostname: 'h', Port: 2 }];
    await vi.advanceTimersByTimeAsync(3_700_000);
    expect(
      loop
        .knownKeys()
        .map((k) => k.Port)
        .sort(),
    ).toEqual([1, 2]);
    expect(repository.rows.has('h:3')).toBe(false);
    await loop.stop();
  });
});
