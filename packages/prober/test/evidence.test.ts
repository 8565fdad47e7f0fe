// The evidence rules: a master is dead only when its replicas have lost it, either by their IO
// thread or by a provably silent link, and only when no other orchestrator node reaches it.
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.js';
import {
  type ObserverViews,
  replicaLinkVerdict,
  silenceThresholdMs,
  slowDetectionDetail,
} from '../src/analysis/evidence.js';
import { config, inst, NOW } from './fixtures.js';

/** A hung master (unreachable from here) whose replicas still say IO "Yes". */
function hungTopology(heartbeat = 2) {
  return [inst(1, { dead: true }), inst(2, { master: 1, heartbeat }), inst(3, { master: 1, heartbeat })];
}

function entryFor(
  instances: ReturnType<typeof inst>[],
  extra: Parameters<typeof analyze>[1] extends infer P ? Partial<P> : never,
) {
  return analyze(instances, { config, now: NOW, ...extra }).find((e) => e.AnalyzedInstanceKey.Port === 1);
}

const silence = (ms: number) =>
  new Map([
    ['h:2', ms],
    ['h:3', ms],
  ]);

describe('replica link silence', () => {
  it('the threshold is the heartbeat period plus 5 %, at least 100 ms', () => {
    expect(silenceThresholdMs(1)).toBe(1100);
    expect(silenceThresholdMs(2)).toBe(2100);
    expect(silenceThresholdMs(30)).toBe(31500);
  });

  it('IO "Yes" but silent past the threshold: lost; under it: receiving; no heartbeat period: no evidence', () => {
    const r = inst(2, { master: 1, heartbeat: 2 });
    expect(replicaLinkVerdict(r, 2100)).toMatchObject({ receiving: false });
    expect(replicaLinkVerdict(r, 2100).detail).toMatch(
      /no event or heartbeat for 2\.1 s \(heartbeat period 2 s\)/,
    );
    expect(replicaLinkVerdict(r, 2099)).toMatchObject({ receiving: true });
    expect(replicaLinkVerdict(inst(2, { master: 1, heartbeat: 0 }), 60_000)).toMatchObject({
      receiving: true,
    });
    expect(
      replicaLinkVerdict(inst(2, { master: 1, io: 'Connecting', ioError: 'error reconnecting' }), 0).detail,
    ).toBe('IO thread Connecting: error reconnecting');
  });

  it('a hung master whose replicas went silent is DeadMaster before their IO threads give up', () => {
    expect(entryFor(hungTopology(), { replicaSilenceMs: silence(2400) })).toMatchObject({
      Analysis: 'DeadMaster',
      IsActionableRecovery: true,
      CountValidReplicatingReplicas: 0,
    });
  });

  it('an unreachable master whose replicas still receive is not dead (only this node lost it)', () => {
    const entry = entryFor(hungTopology(), { replicaSilenceMs: silence(800) });
    expect(entry).toMatchObject({ Analysis: 'UnreachableMaster', IsActionableRecovery: false });
    expect(entry?.Observations?.filter((o) => o.Kind === 'replica').map((o) => o.Verdict)).toEqual([
      'receiving',
      'receiving',
    ]);
  });

  it('one replica still receiving is enough to keep the master alive', () => {
    const entry = entryFor(hungTopology(), {
      replicaSilenceMs: new Map([
        ['h:2', 5000],
        ['h:3', 300],
      ]),
    });
    expect(entry?.Analysis).toBe('UnreachableMaster');
  });
});

describe('other orchestrator nodes as observers', () => {
  const dead = { replicaSilenceMs: silence(3000) };
  const views = (reports: { Observer: string; Reachable: boolean | null }[] | null): ObserverViews => ({
    self: 'node1',
    required: true,
    consultations:
      reports === null
        ? new Map()
        : new Map([['h:1', { complete: true, reports: reports.map((r) => ({ ...r, Detail: 'x' })) }]]),
  });

  it('not asked yet: held as UnreachableMaster, waiting', () => {
    const entry = entryFor(hungTopology(), { ...dead, observers: views(null) });
    expect(entry).toMatchObject({ Analysis: 'UnreachableMaster', IsActionableRecovery: false });
    expect(entry?.Description).toMatch(/waiting for the other orchestrator nodes/);
  });

  it('asked, still answering: held', () => {
    const entry = entryFor(hungTopology(), {
      ...dead,
      observers: {
        self: 'node1',
        required: true,
        consultations: new Map([['h:1', { complete: false, reports: [] }]]),
      },
    });
    expect(entry?.Analysis).toBe('UnreachableMaster');
  });

  it('one node reaches it: not dead, and the analysis says who', () => {
    const entry = entryFor(hungTopology(), {
      ...dead,
      observers: views([
        { Observer: 'node2', Reachable: true },
        { Observer: 'node3', Reachable: false },
      ]),
    });
    expect(entry).toMatchObject({ Analysis: 'UnreachableMaster', IsActionableRecovery: false });
    expect(entry?.Description).toMatch(/reachable from node2/);
  });

  it('no node reaches it (one did not answer): DeadMaster, with every observer listed', () => {
    const entry = entryFor(hungTopology(), {
      ...dead,
      observers: views([
        { Observer: 'node2', Reachable: false },
        { Observer: 'node3', Reachable: null },
      ]),
    });
    expect(entry).toMatchObject({ Analysis: 'DeadMaster', IsActionableRecovery: true });
    expect(entry?.Observations?.map((o) => `${o.Observer}:${o.Verdict}`)).toEqual([
      'node1:unreachable',
      'node2:unreachable',
      'node3:no answer',
      'h:2:lost',
      'h:3:lost',
    ]);
  });

  it('a killed master (replicas connecting) also waits for the other nodes', () => {
    const killed = [
      inst(1, { dead: true }),
      inst(2, { master: 1, io: 'Connecting', ioError: 'error reconnecting to master' }),
      inst(3, { master: 1, io: 'Connecting', ioError: 'error reconnecting to master' }),
    ];
    expect(entryFor(killed, { observers: views(null) })?.Analysis).toBe('UnreachableMaster');
    expect(entryFor(killed, { observers: views([{ Observer: 'node2', Reachable: false }]) })?.Analysis).toBe(
      'DeadMaster',
    );
  });
});

describe('a closed port: refused to this node and to every replica', () => {
  const refusedError =
    "error reconnecting to master 'repl@h:1' - retry-time: 1 message: Can't connect to server on 'h' (111 \"Connection refused\")";
  const killed = (second = refusedError) => {
    const replicas = [
      inst(2, { master: 1, io: 'Connecting', ioError: refusedError }),
      inst(3, { master: 1, io: 'Connecting', ioError: second }),
    ];
    for (const r of replicas) r.LastIOErrno = 2003;
    return [inst(1, { dead: true }), ...replicas];
  };
  const waiting: ObserverViews = { self: 'node1', required: true, consultations: new Map() };

  it('the process is gone: DeadMaster without waiting for the other nodes, and the analysis says why', () => {
    const entry = entryFor(killed(), { observers: waiting, refusedConnections: new Set(['h:1']) });
    expect(entry).toMatchObject({ Analysis: 'DeadMaster', IsActionableRecovery: true });
    expect(entry?.Observations?.[0]?.Detail).toMatch(/connection refused, as for every replica/);
    expect(entry?.Observations?.some((o) => o.Verdict === 'waiting')).toBe(false);
  });

  it('refused here only, or a replica timing out instead: the other nodes are still asked', () => {
    expect(entryFor(killed(), { observers: waiting })?.Analysis).toBe('UnreachableMaster');
    const timedOut =
      "error reconnecting to master 'repl@h:1' - retry-time: 1 message: Can't connect to server on 'h' (110 \"Connection timed out\")";
    expect(
      entryFor(killed(timedOut), { observers: waiting, refusedConnections: new Set(['h:1']) })?.Analysis,
    ).toBe('UnreachableMaster');
  });
});

describe('slow detection settings', () => {
  it('warns on a master whose replicas have a long heartbeat period or none, naming the setting', () => {
    const entries = analyze(
      [inst(1), inst(2, { master: 1, heartbeat: 30, netTimeout: 60 }), inst(3, { master: 1, heartbeat: 2 })],
      {
        config,
        now: NOW,
      },
    );
    const master = entries.find((e) => e.AnalyzedInstanceKey.Port === 1);
    expect(master?.StructureAnalysis).toContain('SlowReplicaHeartbeatStructureWarning');
    expect(master?.StructureDetails).toEqual([
      expect.stringMatching(/^h:2: MASTER_HEARTBEAT_PERIOD is 30 s \(slave_net_timeout 60 s\)/),
    ]);
    expect(slowDetectionDetail(inst(4, { master: 1, heartbeat: 0, netTimeout: 60 }))).toMatch(
      /no heartbeats.*slave_net_timeout \(60 s\)/,
    );
    expect(slowDetectionDetail(inst(4, { master: 1, heartbeat: 2, netTimeout: 4 }))).toBeUndefined();
  });
});

describe('a deposed master that comes back', () => {
  it('is reported while it is reachable and writable, naming its successor and the recovery', () => {
    const formerMasters = new Map([
      ['h:1', { successor: 'h:2', recoveryUID: 'u-1', at: '2026-01-01T00:00:00Z' }],
    ]);
    const back = analyze([inst(1)], { config, now: NOW, formerMasters });
    expect(back[0]?.StructureAnalysis).toContain('DeposedMasterWritableStructureWarning');
    expect(back[0]?.StructureDetails?.[0]).toMatch(
      /^h:1 was replaced as master by h:2 in recovery u-1 .* fence it/,
    );
    // Fenced (read_only) or still down: nothing to say.
    expect(
      analyze([inst(1, { readOnly: true })], { config, now: NOW, formerMasters })[0]?.StructureAnalysis ?? [],
    ).not.toContain('DeposedMasterWritableStructureWarning');
    expect(
      analyze([inst(1, { dead: true })], { config, now: NOW, formerMasters })[0]?.StructureAnalysis ?? [],
    ).not.toContain('DeposedMasterWritableStructureWarning');
  });
});
