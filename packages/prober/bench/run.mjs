// Scale benchmark: one prober polling a fake fleet (bench/fleet.mjs, a separate process) at
// InstancePollSeconds=5. Usage: npm run bench [-- 1000,3000 [measureSeconds]]. Needs `npm run build`.
// Writes bench-results.json and prints a markdown table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiscoveryLoop, MySQLProber, proberConfig } from '../dist/index.js';
import { fleetMasters, startFleet } from './start-fleet.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = (process.argv[2] ?? '1000').split(',').map(Number);
const measureSeconds = Number(process.argv[3] ?? 30);
const POLL = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function runOnce(count, masterPingMs) {
  const fleet = await startFleet(count);
  const config = proberConfig({
    InstancePollSeconds: POLL,
    MySQLTopologyUser: 'bench',
    MySQLHostnameResolveMethod: '@@report_host',
    DiscoverySeeds: fleetMasters(count),
  });
  const prober = new MySQLProber(config);
  const starts = new Map();
  let measuring = false;
  const probe = prober.probe.bind(prober);
  prober.probe = (req) => {
    if (measuring) {
      const id = req.key.Port;
      const list = starts.get(id);
      if (list) list.push(performance.now());
      else starts.set(id, [performance.now()]);
    }
    return probe(req);
  };
  let written = 0;
  const repository = {
    upsertInstances: async (b) => {
      written += b.length;
    },
    recordCheckFailures: async () => {},
    recordAttempts: async () => {},
    readAll: async () => [],
    forgetInstances: async () => {},
  };
  const loop = new DiscoveryLoop({ config, prober, repository, masterPingMs });
  await loop.start();
  const discoverDeadline = Date.now() + 60_000;
  while (loop.instances().length < count && Date.now() < discoverDeadline) await sleep(100);
  const discovered = loop.instances().length;
  await sleep(2 * POLL * 1000); // settle: connections open, schedule spread
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const probes0 = loop.probesDone;
  let rssMax = 0;
  let heapMax = 0;
  let backlogMax = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rssMax = Math.max(rssMax, m.rss);
    heapMax = Math.max(heapMax, m.heapUsed);
    backlogMax = Math.max(backlogMax, loop.backlog());
  }, 250);
  await sleep(measureSeconds * 1000);
  clearInterval(sampler);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  // Live memory: what survives a full GC while the loop is still running (run with --expose-gc).
  globalThis.gc?.();
  const liveHeapMiB = Math.round(process.memoryUsage().heapUsed / 1048576);
  const liveRssMiB = Math.round(process.memoryUsage().rss / 1048576);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const probes = loop.probesDone - probes0;
  const intervals = [];
  const longestGaps = [];
  let fellBehind = 0;
  for (const list of starts.values()) {
    let longest = 0;
    for (let i = 1; i < list.length; i++) {
      const gap = list[i] - list[i - 1];
      intervals.push(gap);
      longest = Math.max(longest, gap);
    }
    longestGaps.push(longest);
    // Behind: a gap longer than a poll plus ReasonableInstanceCheckSeconds makes the check invalid.
    if (longest > (POLL + 1) * 1000) fellBehind++;
  }
  const neverProbed = count - starts.size;
  longestGaps.sort((a, b) => a - b);
  const p95 = longestGaps[Math.floor(longestGaps.length * 0.95)] ?? 0;
  const avg = intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length);
  await loop.stop();
  fleet.kill();
  await fleet.exited();
  return {
    instances: count,
    masterPingMs,
    discovered,
    measureSeconds: Math.round(elapsed),
    cpuCores: +(cpuSeconds / elapsed).toFixed(3),
    rssMiB: Math.round(rssMax / 1048576),
    heapUsedMiB: Math.round(heapMax / 1048576),
    liveHeapMiB,
    liveRssMiB,
    probesPerSecond: +(probes / elapsed).toFixed(1),
    probesPerCpuSecond: Math.round(probes / cpuSeconds),
    avgProbeIntervalMs: Math.round(avg),
    p95LongestGapMs: Math.round(p95),
    instancesFellBehind: fellBehind + neverProbed,
    maxBacklog: backlogMax,
    rowsWritten: written,
  };
}

const results = [];
for (const n of sizes) {
  for (const ping of [500, 0]) {
    const r = await runOnce(n, ping);
    results.push(r);
    process.stderr.write(`${JSON.stringify(r)}\n`);
  }
}
const file = join(here, '..', 'bench-results.json');
const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const summary = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  pollSeconds: POLL,
  results,
};
// Keep the detection-latency section written by detect-latency.mjs.
writeFileSync(
  file,
  `${JSON.stringify({ ...summary, ...(previous.detection ? { detection: previous.detection } : {}) }, null, 2)}\n`,
);
console.log(
  '### Prober loop alone, no-op repository (not the daemon)\n\nThe discovery loop and MySQL prober with a repository that discards what it is given: no SQLite, analysis or raft. Not comparable with the reference; the daemon figure is in `test/bench/probe-scale-daemon.mjs`.\n',
);
const head =
  '| instances | master ping | CPU (cores) | peak RSS (MiB) | live heap after GC (MiB) | probes/s | probes per CPU-s | avg interval (ms) | p95 longest gap (ms) | fell behind |';
console.log(head);
console.log(
  `|${head
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`,
);
for (const r of results) {
  console.log(
    `| ${r.instances} | ${r.masterPingMs ? `${r.masterPingMs} ms` : 'off'} | ${r.cpuCores} | ${r.rssMiB} | ${r.liveHeapMiB} | ${r.probesPerSecond} | ${r.probesPerCpuSecond} | ${r.avgProbeIntervalMs} | ${r.p95LongestGapMs} | ${r.instancesFellBehind} |`,
  );
}
