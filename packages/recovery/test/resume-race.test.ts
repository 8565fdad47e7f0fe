// A new leader resuming an interrupted recovery must be the only one recovering that cluster: once
// it acknowledges the interrupted recovery, that recovery no longer blocks the analysis loop, and
// an analysis pass arriving in that moment must not start a second, concurrent recovery.
import { describe, expect, it } from 'vitest';
import { createRecoveryEngine, type RecoveryEngine } from '../src/engine.js';
import type { MySQLOperations } from '../src/mysql/operations.js';
import type { RecoveryRecord } from '../src/types.js';
import { entry } from './fixtures.js';

// Every MySQL call fails: the resumed recovery ends unsuccessfully, which is all this test needs.
const unreachable = new Proxy(
  {},
  {
    get: () => async () => {
      throw new Error('connect ECONNREFUSED');
    },
  },
) as unknown as MySQLOperations;

function setup() {
  const interrupted: RecoveryRecord = {
    Id: 7,
    UID: 'interrupted',
    AnalysisEntry: entry(),
    SuccessorKey: null,
    IsActive: true,
    IsSuccessful: false,
    Acknowledged: false,
    RecoveryStartTimestamp: '2026-01-01T00:00:00.000Z',
    RecoveryEndTimestamp: '',
    ProcessingNodeHostname: 'old-leader',
    ProcessingNodeToken: 'old-token',
  };
  const ops: string[] = [];
  const registered: string[] = [];
  let duringResume: (() => Promise<void>) | undefined;
  let now = Date.parse('2026-01-01T00:00:05Z');
  const engine: RecoveryEngine = createRecoveryEngine({
    config: { RecoverMasterClusterFilters: ['*'], RecoveryWarmupSeconds: 1 },
    node: { hostname: 'new-leader', token: 'new-token' },
    leadership: { isLeaderWithQuorum: () => true },
    publish: async (op, value) => {
      ops.push(op);
      const v = value as { UID?: string; Message?: string; RecoveryEndTimestamp?: string };
      if (op === 'write-recovery') registered.push(String(v.UID));
      if (op === 'resolve-recovery' && v.UID === interrupted.UID)
        interrupted.RecoveryEndTimestamp = String(v.RecoveryEndTimestamp);
      if (op === 'ack-recovery') interrupted.Acknowledged = true;
      if (op === 'write-recovery-step' && /^resuming interrupted/.test(String(v.Message)) && duringResume)
        await duringResume();
    },
    reads: {
      clusterInstances: async () => [],
      instance: async () => null,
      candidates: async () => [],
      activeRecoveries: async () =>
        interrupted.RecoveryEndTimestamp === '' || !interrupted.Acknowledged ? [{ ...interrupted }] : [],
      activeDetections: async () => [],
      isGlobalRecoveryDisabled: async () => false,
    },
    mysql: unreachable,
    clock: { now: () => now },
  });
  now += 10_000; // past the warm-up
  return {
    engine,
    ops,
    registered,
    interrupted,
    during: (f: () => Promise<void>) => {
      duringResume = f;
    },
  };
}

describe('resuming an interrupted recovery', () => {
  it('an analysis pass while the resumed recovery starts does not start a second one', async () => {
    const { engine, registered, interrupted, during } = setup();
    let concurrent: Awaited<ReturnType<RecoveryEngine['onAnalysis']>> = [];
    during(async () => {
      // The interrupted recovery is closed and acknowledged by now: nothing but the claim stops this.
      expect(interrupted.Acknowledged).toBe(true);
      concurrent = await engine.onAnalysis([entry()]);
    });
    const results = await engine.resumeInterruptedRecoveries();
    expect(results).toHaveLength(1);
    expect(results[0]?.decision.action).toBe('resume');
    expect(concurrent).toMatchObject([
      { outcome: 'skipped', reason: expect.stringMatching(/already running/) },
    ]);
    // Exactly one new recovery was registered: the resumed one.
    expect(registered).toHaveLength(1);
    expect(results[0]?.resumed?.RelatedRecoveryId).toBe(7);
  });

  it('two resume passes at once (new leadership and the periodic one) resume it only once', async () => {
    const { engine, registered } = setup();
    const [a, b] = await Promise.all([
      engine.resumeInterruptedRecoveries(),
      engine.resumeInterruptedRecoveries(),
    ]);
    expect([...a, ...b]).toHaveLength(1);
    expect(registered).toHaveLength(1);
    // Once closed, later passes find nothing.
    expect(await engine.resumeInterruptedRecoveries()).toEqual([]);
  });
});
