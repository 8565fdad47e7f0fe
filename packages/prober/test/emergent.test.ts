import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.js';
import { EmergentExecutor, planEmergentActions, RESTART_IO_THREAD_SQL } from '../src/emergent.js';
import { CONNECT_ERROR, config, inst, NOW } from './fixtures.js';

const unreachable = () =>
  analyze([inst(1, { dead: true }), inst(2, { master: 1 }), inst(3, { master: 1 })], { config, now: NOW });
const lagging = () =>
  analyze([inst(1, { dead: true }), inst(2, { master: 1, lag: 60 }), inst(3, { master: 1, lag: 60 })], {
    config,
    now: NOW,
  });

describe('planEmergentActions', () => {
  it('re-reads an unreachable master and its replicas, at most once a second', () => {
    const first = planEmergentActions(unreachable(), new Map(), NOW);
    expect(first.actions).toHaveLength(1);
    expect(first.actions[0]).toMatchObject({ kind: 'reprobe', reason: 'UnreachableMaster' });
    expect(first.actions[0]?.keys.map((k) => k.Port).sort()).toEqual([1, 2, 3]);
    expect(planEmergentActions(unreachable(), first.state, NOW + 500).actions).toEqual([]);
    expect(planEmergentActions(unreachable(), first.state, NOW + 1000).actions).toHaveLength(1);
  });

  it('restarts replication on lagging replicas at most every 30 s', () => {
    const first = planEmergentActions(lagging(), new Map(), NOW);
    expect(first.actions).toMatchObject([
      { kind: 'restartReplication', reason: 'UnreachableMasterWithLaggingReplicas' },
    ]);
    expect(planEmergentActions(lagging(), first.state, NOW + 29_000).actions).toEqual([]);
    expect(planEmergentActions(lagging(), first.state, NOW + 30_000).actions).toHaveLength(1);
  });

  it("re-reads a failing first-tier replica's master", () => {
    const entries = analyze(
      [inst(1), inst(2, { master: 1, io: 'Connecting', ioError: CONNECT_ERROR }), inst(3, { master: 1 })],
      {
        config,
        now: NOW,
      },
    );
    const { actions } = planEmergentActions(entries, new Map(), NOW);
    expect(actions).toMatchObject([
      { kind: 'reprobe', keys: [{ Port: 1 }], reason: 'FirstTierReplicaFailingToConnectToMaster' },
    ]);
  });

  it('does nothing for DeadMaster (recovery handles it)', () => {
    const entries = analyze(
      [inst(1, { dead: true }), inst(2, { master: 1, io: 'No' }), inst(3, { master: 1, io: 'No' })],
      { config, now: NOW },
    );
    expect(entries.find((e) => e.AnalyzedInstanceKey.Port === 1)?.Analysis).toBe('DeadMaster');
    expect(planEmergentActions(entries, new Map(), NOW).actions).toEqual([]);
  });
});

describe('EmergentExecutor', () => {
  it('restarts the IO thread on each replica, then re-probes them, even if one restart fails', async () => {
    const executed: string[] = [];
    const reprobed: number[][] = [];
    const ex = new EmergentExecutor({
      reprobe: (keys) => reprobed.push(keys.map((k) => k.Port)),
      execute: async (key, sql) => {
        executed.push(`${key.Port}:${sql}`);
        if (key.Port === 2) throw new Error('refused');
      },
    });
    await ex.run(lagging(), NOW);
    expect(executed.sort()).toEqual([`2:${RESTART_IO_THREAD_SQL}`, `3:${RESTART_IO_THREAD_SQL}`]);
    expect(reprobed).toEqual([[2, 3]]);
    expect(ex.lastRestart.get('h:1')).toBe(NOW);
  });
});
