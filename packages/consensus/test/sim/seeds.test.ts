// Runs the deterministic simulator over many seeds. SIM_SEEDS sets how many (default 10,000),
// SIM_SEED replays one seed with a trace, SIM_TICKS overrides the fault phase length.
import { describe, expect, it } from 'vitest';
import { runSimulation, type SimResult } from '../../src/sim/simulator.js';

const replay = process.env.SIM_SEED;
const count = Number(process.env.SIM_SEEDS ?? 10_000);
const ticks = process.env.SIM_TICKS ? Number(process.env.SIM_TICKS) : undefined;

function report(r: SimResult): string {
  const lines = [
    `SIM FAILURE seed=${r.seed}: ${r.error}`,
    `replay: cd packages/consensus && SIM_SEED=${r.seed} npx vitest run test/sim`,
  ];
  if (r.trace) lines.push('last events:', ...r.trace.slice(-120));
  return lines.join('\n');
}

describe('simulator', () => {
  if (replay !== undefined) {
    it(`replays seed ${replay}`, () => {
      const r = runSimulation({ seed: Number(replay), trace: true, ...(ticks ? { ticks } : {}) });
      if (!r.ok) console.error(report(r));
      expect(r.ok, r.ok ? '' : report(r)).toBe(true);
    });
    return;
  }

  it(`keeps raft's safety and liveness over ${count} seeds`, { timeout: 600_000 }, () => {
    let committed = 0;
    let elections = 0;
    for (let seed = 1; seed <= count; seed++) {
      const r = runSimulation({ seed, ...(ticks ? { ticks } : {}) });
      if (!r.ok) {
        console.error(report(r));
        expect.fail(report(r));
      }
      committed += r.stats.committed;
      elections += r.stats.elections;
    }
    // The runs must have done real work, not idled through the faults.
    expect(committed).toBeGreaterThan(count * 10);
    expect(elections).toBeGreaterThanOrEqual(count);
  });
});
