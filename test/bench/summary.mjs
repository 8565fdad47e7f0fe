import os from 'node:os';
import { ms, summarize } from './stats.mjs';
// The machine-readable line each benchmark prints beside its markdown, one per summary row:
// `<!-- bench-summary {json} -->`. scripts/bench-all.mjs collects them into the summary table at
// the top of BENCHMARKS.md. `on` says what was measured: 'daemon' rows are compared with the
// reference; 'bench server' and 'library' rows are not (their reference is shown as not comparable).
export function summaryLine({ id, what, ours, reference, met, on }) {
  if (!['daemon', 'bench server', 'library'].includes(on))
    throw new Error(`bench summary ${id}: bad "on" ${on}`);
  return `<!-- bench-summary ${JSON.stringify({ id, what, ours, reference, met, on })} -->`;
}

/** The line every benchmark section starts with: the command that produced it, the date, the machine. */
export function provenance(command) {
  const cpus = os.cpus();
  return `Command: \`${command}\`, ${new Date().toISOString()}, ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, Node ${process.version}.`;
}

/** "median (min–max)" of durations in ms, or "no runs". */
export function msRange(values) {
  if (values.length === 0) return 'no runs';
  const s = summarize(values);
  return `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
}
