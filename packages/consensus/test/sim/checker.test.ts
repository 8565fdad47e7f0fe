// The checker must be able to fail: each safety property is fed a contradiction and must throw.
// (A broken core was also run through the simulator during development: granting votes without the
// §5.4.1 check, committing on a minority and forgetting the vote were each caught within a few seeds.)
import { describe, expect, it } from 'vitest';
import { Checker, SafetyViolation } from '../../src/sim/checker.js';
import { runSimulation } from '../../src/sim/simulator.js';
import type { Entry } from '../../src/types.js';

const e = (index: number, term: number, data = 'x'): Entry => ({
  index,
  term,
  kind: 'normal',
  data: new TextEncoder().encode(data),
});

describe('Checker', () => {
  it('Election Safety: two leaders in one term', () => {
    const c = new Checker();
    c.leaderElected(3, 'a');
    c.leaderElected(3, 'a');
    expect(() => c.leaderElected(3, 'b')).toThrow(SafetyViolation);
  });

  it('Log Matching: same index and term with different data or a different predecessor', () => {
    const c = new Checker();
    c.persisted('a', e(2, 1), 1);
    expect(() => c.persisted('b', e(2, 1, 'y'), 1)).toThrow(/different entry/);
    expect(() => c.persisted('b', e(2, 1), 0)).toThrow(/after term/);
  });

  it('State Machine Safety: a committed entry reported differently', () => {
    const c = new Checker();
    c.committedEntry('a', e(1, 1));
    expect(() => c.committedEntry('b', e(1, 2))).toThrow(SafetyViolation);
  });

  it('every node applies the same sequence', () => {
    const c = new Checker();
    c.applied('a', 4, 99);
    expect(() => c.applied('b', 4, 98)).toThrow(SafetyViolation);
  });

  it('Leader Completeness: a new leader lacking a committed or acknowledged entry', () => {
    const c = new Checker();
    c.committedEntry('a', e(1, 1));
    c.ack(2, 1, 5);
    expect(() => c.leaderComplete('b', 1, (i) => (i === 1 ? 1 : undefined))).toThrow(/acknowledged/);
    expect(() => c.leaderComplete('b', 1, () => 2)).toThrow(/lacks committed/);
    expect(() => c.leaderComplete('b', 3, () => undefined)).not.toThrow();
  });
});

describe('simulator determinism', () => {
  it('a seed replays exactly', () => {
    for (const seed of [3, 1234, 99_991]) {
      const a = runSimulation({ seed });
      const b = runSimulation({ seed, trace: true });
      expect(b.stats).toEqual(a.stats);
      expect(b.ok).toBe(a.ok);
    }
  });
});
