// Probing scale through the real daemon: one node (raft on SQLite, analysis on) at
// InstancePollSeconds=5 against the prober's fake fleet (packages/prober/bench/fleet.mjs) of 1,000,
// 3,000 and 10,000 instances, seeded with every master through DiscoverySeeds. Once all are
// discovered and two polls have passed, the daemon's CPU (from /proc/<pid>/stat), RSS and probe
// count (/metrics orchestrator_probes_total) are read at the end of each 5 s slice of the window.
// Prints a markdown section with `<!-- bench-summary … -->` lines for BENCHMARKS.md's summary.
// Env: BENCH_PROBE_SIZES (1000,3000,10000), BENCH_PROBE_SECONDS (30), BENCH_PROBE_SETTLE_SECONDS (10).
import { readFileSync } from 'node:fs';
import { fleetMasters, startFleet } from '../../packages/prober/bench/start-fleet.mjs';
import { OrchestratorCluster } from '../dist/index.js';
import { sleep, summarize } from './stats.mjs';
import { provenance, summaryLine } from './summary.mjs';

const SIZES = (process.env.BENCH_PROBE_SIZES ?? '1000,3000,10000').split(',').map(Number);
const WINDOW_SECONDS = Number(process.env.BENCH_PROBE_SECONDS ?? 30);
const SETTLE_SECONDS = Number(process.env.BENCH_PROBE_SETTLE_SECONDS ?? 10);
const POLL = 5;
const SLICE_SECONDS = POLL;
const CLOCK_TICKS = 100; // USER_HZ on Linux
const DISCOVERY_TIMEOUT_MS = Number(process.env.BENCH_PROBE_DISCOVERY_SECONDS ?? 180) * 1000;
const TARGET_CORES = { 1000: 0.3, 3000: 0.7, 10000: 1 };
const REFERENCE = {
  1000: '1.1–1.3 cores, 122 MB, avg interval 7 s',
  3000: 'saturates ~1.6 cores, 294 MB, every 15–19 s',
  10000: 'not measured (saturated at 3,000)',
};

/** CPU seconds (user + system) a process has used: fields 14 and 15 of /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024;
}

/** The samples of one metric family in a Prometheus exposition, by their label text. */
function series(text, name) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

async function scrape(node) {
  const res = await fetch(`http://${node.address}:${node.httpPort}/metrics`);
  const text = await res.text();
  const probes = series(text, 'orchestrator_probes_total');
  const states = series(text, 'orchestrator_instances');
  const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    probes: sum(probes),
    ok: states.get('{state="ok"}') ?? 0,
    stale: states.get('{state="stale"}') ?? 0,
    unreachable: states.get('{state="unreachable"}') ?? 0,
  };
}

async function runOnce(count) {
  const fleet = await startFleet(count);
  let cluster;
  try {
    cluster = await OrchestratorCluster.start({
      nodes: 1,
      config: () => ({
        InstancePollSeconds: POLL,
        MySQLTopologyUser: 'bench',
        MySQLTopologyPassword: 'bench',
        MySQLHostnameResolveMethod: '@@report_host',
        DiscoverySeeds: fleetMasters(count),
      }),
    });
    const started = performance.now();
    const node = await cluster.waitForLeader(30_000);
    const pid = node.process.pid;
    // Discovery that does not finish is a result too: the window is measured anyway and the row
    // says how many instances were ok when the wait gave up.
    let seen = { ok: 0 };
    while (seen.ok < count && performance.now() - started < DISCOVERY_TIMEOUT_MS) {
      await sleep(250);
      seen = await scrape(node).catch(() => seen);
    }
    const discovered = seen.ok;
    const discoverySeconds = (performance.now() - started) / 1000;
    await sleep(SETTLE_SECONDS * 1000);

    const slices = [];
    let cpu0 = cpuSeconds(pid);
    let probes0 = (await scrape(node)).probes;
    let t0 = performance.now();
    const first = t0;
    while (performance.now() - first < WINDOW_SECONDS * 1000 - 100) {
      await sleep(SLICE_SECONDS * 1000);
      const cpu1 = cpuSeconds(pid);
      const m = await scrape(node);
      const t1 = performance.now();
      const seconds = (t1 - t0) / 1000;
      slices.push({
        cores: (cpu1 - cpu0) / seconds,
        rss: rssMiB(pid),
        // Probes per instance per poll: 1.0 means every instance was probed every 5 s.
        perPoll: (m.probes - probes0) / count / (seconds / POLL),
        stale: m.stale + m.unreachable,
        ok: m.ok,
      });
      cpu0 = cpu1;
      probes0 = m.probes;
      t0 = t1;
    }
    return { count, discovered, discoverySeconds, slices };
  } finally {
    await cluster?.destroy();
    fleet.kill();
    await fleet.exited();
  }
}

const results = [];
for (const count of SIZES) {
  const r = await runOnce(count);
  process.stderr.write(`${JSON.stringify(r)}\n`);
  results.push(r);
}

const f2 = (v) => v.toFixed(2);
const range = (s, fmt) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
const rows = [];
const summaries = [];
for (const { count, discovered, discoverySeconds, slices } of results) {
  const cores = summarize(slices.map((s) => s.cores));
  const rss = summarize(slices.map((s) => s.rss));
  const perPoll = summarize(slices.map((s) => s.perPoll));
  const notOk = Math.max(...slices.map((s) => s.stale));
  const target = TARGET_CORES[count];
  const keptRhythm = discovered === count && perPoll.min >= 0.95 && notOk === 0;
  const discoveredText =
    discovered === count
      ? `${discoverySeconds.toFixed(1)} s`
      : `**only ${discovered} ok after ${discoverySeconds.toFixed(0)} s**`;
  rows.push(
    `| ${count.toLocaleString('en-US')} | ${discoveredText} | ${range(cores, f2)} | ${range(rss, (v) => v.toFixed(0))} | ${range(perPoll, f2)} | ${notOk} | ${REFERENCE[count] ?? '–'} | ${target === undefined ? '–' : `≤ ${target} core`} |`,
  );
  if (target !== undefined) {
    summaries.push(
      summaryLine({
        id: `probe-scale-${count}`,
        what: `probing ${count.toLocaleString('en-US')} instances through the daemon at the 5 s rhythm, ≤ ${target} core`,
        ours: `${discovered === count ? '' : `only ${discovered} ok; `}${f2(cores.median)} core (${f2(cores.min)}–${f2(cores.max)}), ${rss.median.toFixed(0)} MiB, ${f2(perPoll.median)} probes/instance/poll`,
        reference: REFERENCE[count],
        met: cores.median <= target && keptRhythm,
        on: 'daemon',
      }),
    );
  }
}

console.log(`### Probing scale through the daemon

${provenance(`BENCH_PROBE_SIZES=${SIZES.join(',')} BENCH_PROBE_SECONDS=${WINDOW_SECONDS} node test/bench/probe-scale-daemon.mjs`)}

One daemon (raft on SQLite, analysis on), \`InstancePollSeconds=5\`, against the fake fleet of
\`packages/prober/bench/fleet.mjs\` (groups of master + 2 replicas, separate processes sharing the 2
cores), every master a \`DiscoverySeeds\` entry. After discovery and ${SETTLE_SECONDS} s of settling, a
${WINDOW_SECONDS} s window is cut into ${SLICE_SECONDS} s slices; each column is the median of the slices (min–max).
CPU is the daemon's user + system time from \`/proc/<pid>/stat\`; probes per instance per poll come from
\`orchestrator_probes_total\` (1.00 = every instance probed every 5 s); "not ok" is the most instances
\`orchestrator_instances\` reported stale or unreachable at any slice end.

| instances | all discovered after | CPU (cores) | RSS (MiB) | probes / instance / poll | not ok | reference | target |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${summaries.join('\n')}
`);
process.exit(0);
