// Same-machine comparison of the daemon's HTTP API: throughput (wrk -t2 -c20 -d10s, as targets.md says) and the leader's
// CPU per request (from /proc/<pid>/stat), for a 3-node cluster on SQLite with a discovered MariaDB
// 1+2 topology. Usage: node test/bench/api-cpu.mjs [repo-root]; the root defaults to this checkout,
// and another built checkout (e.g. a git worktree of an older commit) gives the "before" figures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startMariaDBTopology } from '@orchestrator/testkit';

const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const { OrchestratorCluster, topologyConfig } = await import(`${root}/test/dist/index.js`);

/** utime + stime of a process, in clock ticks (10 ms). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const topology = await startMariaDBTopology({ replicas: 2 });
const cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 5) });
try {
  const leader = await cluster.waitForLeader();
  const name = `127.0.0.1:${topology.master}`;
  for (let i = 0; i < 200; i++) {
    const r = await leader.get(`cluster/${name}`);
    if (Array.isArray(r.body) && r.body.length === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const routes = [
    ['leader-check', 'leader-check'],
    ['clusters', 'clusters'],
    ['cluster/:name (3 instances)', `cluster/${name}`],
    ['register-candidate (replicated)', `register-candidate/127.0.0.1/${topology.replicas[0]}/prefer`],
  ];
  console.log(`root ${root}`);
  for (const [label, route] of routes) {
    const before = cpuTicks(leader.process.pid);
    const out = execFileSync('wrk', ['-t2', '-c20', '-d10s', `${leader.api}/${route}`], { encoding: 'utf8' });
    const ticks = cpuTicks(leader.process.pid) - before;
    const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
    const cpu = requests > 0 ? (ticks * 10_000) / requests : Number.NaN;
    console.log(
      `${label.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  ${cpu.toFixed(0).padStart(5)} µs CPU/req`,
    );
  }
} finally {
  await cluster.destroy();
  await topology.destroy();
}
