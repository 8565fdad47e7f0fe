// A longer chaos run (default 240 s of faults; CHAOS_SECONDS, CHAOS_SEED override): 3 daemons in
// network namespaces, clients sending replicated commands, a nemesis killing, pausing, restarting
// and partitioning nodes. Prints a markdown section with the figures, and the same figures as JSON.
// Needs root (ip netns). Exits 1 when an acknowledged command was lost or the nodes diverged.
import { runChaos } from '../dist/chaos.js';
import { provenance, summaryLine } from './summary.mjs';

const seconds = Number(process.env.CHAOS_SECONDS ?? 240);
const seed = process.env.CHAOS_SEED === undefined ? undefined : Number(process.env.CHAOS_SEED);

const report = await runChaos({
  seconds,
  ...(seed === undefined ? {} : { seed }),
  log: (line) => console.error(line.length > 300 ? `${line.slice(0, 300)}…` : line),
});

const figures = {
  seed: report.seed,
  durationSeconds: report.totalSeconds,
  faultSeconds: report.faultSeconds,
  operations: report.operations,
  acknowledged: report.acknowledged,
  lost: report.lost,
  unacknowledgedApplied: report.unacknowledgedApplied,
  faults: report.faults,
  faultsByKind: report.faultsByKind,
  appliedIndex: report.appliedIndex,
  divergentTables: report.divergentTables,
};
const kinds = Object.entries(report.faultsByKind)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([kind, n]) => `${kind} ${n}`)
  .join(', ');

const summary = summaryLine({
  id: 'chaos',
  what: 'process-level chaos: 0 acknowledged commands lost, tables identical',
  ours: `${report.lost} lost, ${report.divergentTables.length} tables differing (${report.acknowledged} acknowledged, ${report.faults} faults in ${report.faultSeconds} s)`,
  reference: '–',
  met: report.lost === 0 && report.divergentTables.length === 0,
  on: 'daemon',
});

console.log(`### Chaos (3 daemons in network namespaces, SQLite backends, ${report.faultSeconds} s of faults)

${provenance(`CHAOS_SECONDS=${seconds} node test/bench/chaos.mjs`)}

| what | value |
|---|---|
| operations (replicated commands sent by 3 clients to random nodes) | ${report.operations} |
| acknowledged (HTTP 200, Code OK) | ${report.acknowledged} |
| lost (acknowledged but missing on a node after healing) | ${report.lost} |
| not acknowledged but applied (reply lost) | ${report.unacknowledgedApplied} |
| replicated tables differing between nodes | ${report.divergentTables.length} |
| faults injected | ${report.faults} (${kinds}) |
| duration (start, faults, heal, convergence) | ${report.totalSeconds} s |

Seed ${report.seed} (\`CHAOS_SEED=${report.seed} CHAOS_SECONDS=${seconds} node test/bench/chaos.mjs\` replays the fault sequence).

\`\`\`json
${JSON.stringify(figures)}
\`\`\`

${summary}
`);
process.exit(report.lost === 0 && report.divergentTables.length === 0 ? 0 : 1);
