// Shared runner for the simulator's many-seeds tests. SIM_SEEDS sets the total count (default
// 10,000, split over the part files so vitest runs them on both cores), SIM_SEED replays one seed
// with a trace, SIM_TICKS overrides the fault phase length.
import { describe, expect, it } from 'vitest';
import { runSimulation, type SimResult } from '../../src/sim/simulator.js';

const PARTS = 2;

function report(r: SimResult): string {
  const lines = [
    `SIM FAILURE seed=${r.seed}: ${r.error}`,
    `replay: cd packages/consensus && SIM_SEED=${r.seed} npx vitest run test/sim`,
  ];
  if (r.trace) lines.push('last events:', ...r.trace.slice(-150));
  return lines.join('\n');
}

/** Registers the tests of part `part` (0-based) of the seed range. */
export function seedsPart(part: number): void {
  const replay = process.env.SIM_SEED;
  const total = Number(process.env.SIM_SEEDS ?? 10_000);
  const ticks = process.env.SIM_TICKS ? Number(process.env.SIM_TICKS) : undefined;

  describe('simulator', () => {
    if (replay !== undefined) {
      // Replays run once, in part 0.
      if (part !== 0) return;
      it(`replays seed ${replay}`, () => {
        const r = runSimulation({ seed: Number(replay), trace: true, ...(ticks ? { ticks } : {}) });
        if (!r.ok) console.error(report(r));
        else console.log(`seed ${replay} ok`, r.stats);
        expect(r.ok, r.ok ? '' : report(r)).toBe(true);
      });
      return;
    }

    const per = Math.ceil(total / PARTS);
    const first = 1 + part * per;
    const last = Math.min(total, first + per - 1);
    it(`keeps raft's safety and liveness for seeds ${first}..${last}`, { timeout: 900_000 }, () => {
      let committed = 0;
      let elections = 0;
      let wipes = 0;
      for (let seed = first; seed <= last; seed++) {
        const r = runSimulation({ seed, ...(ticks ? { ticks } : {}) });
        if (!r.ok) {
          console.error(report(r));
          expect.fail(report(r));
        }
        committed += r.stats.committed;
        elections += r.stats.elections;
        wipes += r.stats.wipes;
      }
      const runs = Math.max(0, last - first + 1);
      // The runs must have done real work, not idled through the faults.
      expect(committed).toBeGreaterThanOrEqual(runs * 10);
      expect(elections).toBeGreaterThanOrEqual(runs);
      // "Crash and lose everything" is exercised (about one wipe per seed at the default length).
      if (runs >= 1000) expect(wipes).toBeGreaterThanOrEqual(runs / 4);
    });
  });
}
