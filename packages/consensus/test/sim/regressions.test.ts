// Seeds that once failed, kept as regression tests with the settings that exposed them.
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulator.js';

describe('simulator regressions', () => {
  it.each([
    // Livelock: a candidate outside a lagging voter's configuration never learned that voter's term
    // because stale vote requests went unanswered (fixed: Figure 2 RequestVote rule 1 reply).
    { seed: 23207, ticks: 1000 },
  ])('seed $seed with $ticks ticks stays safe and live', ({ seed, ticks }) => {
    const r = runSimulation({ seed, ticks });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});
