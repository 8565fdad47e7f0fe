// Chaos: 3 real daemons, each in its own network namespace, under a nemesis that kill -9s, pauses
// (SIGSTOP/SIGCONT), restarts and partitions them while clients send replicated commands. Every
// acknowledged command must end up on every node, and the replicated tables must be identical.
// CHAOS_SECONDS sets how long faults are injected (default 90; the file then takes ~2 min);
// CHAOS_SEED replays a run. Needs root (ip netns); skipped otherwise. The lab itself (NetLab, its
// silent faults and its cleanup) is tested in packages/testkit/test/netlab.test.ts.
import { netLabAvailable, ownerPid } from '@orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { runChaos } from '../src/chaos.js';
import { FAULT_KINDS, planFault, seededRandom } from '../src/nemesis.js';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 90);
const SEED = process.env.CHAOS_SEED === undefined ? undefined : Number(process.env.CHAOS_SEED);
const canRun = netLabAvailable();

describe('nemesis plans (pure)', () => {
  it('the same seed gives the same faults; every kind shows up; targets stay in range', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const plans = Array.from({ length: 500 }, () => planFault(a, 3));
    expect(Array.from({ length: 500 }, () => planFault(b, 3))).toEqual(plans);
    expect(new Set(plans.map((p) => p.kind))).toEqual(new Set(FAULT_KINDS));
    for (const p of plans) {
      expect(p.node).toBeGreaterThanOrEqual(0);
      expect(p.node).toBeLessThan(3);
      expect(p.other).not.toBe(p.node);
      expect(p.other).toBeLessThan(3);
      expect(p.holdMs).toBeGreaterThanOrEqual(500);
    }
  });

  it('names carry their owner pid', () => {
    const tag = `orcx${(123456).toString(36)}`;
    expect(ownerPid(`${tag}b`)).toBe(123456);
    expect(ownerPid(`${tag}n2`)).toBe(123456);
    expect(ownerPid(`${tag}v3`)).toBe(123456);
    expect(ownerPid(`${tag}-3n2`)).toBe(123456);
    expect(ownerPid('eth0')).toBeUndefined();
  });
});

describe.skipIf(!canRun)('chaos: 3 daemons in network namespaces under a nemesis', () => {
  it(
    `no acknowledged command is lost and all replicated tables are identical after ${SECONDS} s of faults`,
    async () => {
      const report = await runChaos({
        seconds: SECONDS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        log: (line) => console.log(line),
      });
      console.log(
        `chaos figures: ${JSON.stringify({
          seed: report.seed,
          operations: report.operations,
          acknowledged: report.acknowledged,
          lost: report.lost,
          faults: report.faults,
          faultsByKind: report.faultsByKind,
        })}`,
      );
      expect(report.lostExamples).toEqual([]);
      expect(report.lost).toBe(0);
      expect(report.divergence).toEqual([]);
      expect(report.divergentTables).toEqual([]);
      expect(report.acknowledged).toBeGreaterThan(0);
      // Faults make some commands fail: the test must have seen refusals, not a quiet cluster.
      expect(report.operations).toBeGreaterThan(report.acknowledged);
      expect(report.faults).toBeGreaterThan(Math.min(5, SECONDS / 10));
    },
    SECONDS * 1000 + 150_000,
  );
});
