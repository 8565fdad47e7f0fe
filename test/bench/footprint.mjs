// The daemon's footprint (3 nodes, SQLite, loopback): RSS idle and after rounds of 20k replicated
// writes, a restarted node's time from spawn to /api/raft-health 200, SIGTERM → exit, and a
// register-candidate on a new connection per request beside leader-check on the same pattern.
// Prints a markdown section with the reference figures (issue 22's table) beside ours.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { OrchestratorCluster } from '../dist/index.js';
import { ms, sleep, summarize, until } from './stats.mjs';
import { provenance, summaryLine } from './summary.mjs';

const WRITES = Number(process.env.BENCH_FOOTPRINT_WRITES ?? 20_000);
const RESTARTS = Number(process.env.BENCH_FOOTPRINT_RESTARTS ?? 7);
const STOPS = Number(process.env.BENCH_FOOTPRINT_STOPS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_FOOTPRINT_SEQUENTIAL ?? 300);
const SETTLE_MS = 5000;

/** Resident set size of a process, in MiB (VmRSS). */
function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024;
}

/** Each running node's RSS in MiB, formatted "a / b / c". */
function rssRow(cluster) {
  const values = cluster.nodes.map((n) => rssMiB(n.process.pid));
  return { values, text: values.map((v) => v.toFixed(0)).join(' / ') };
}

/** Drives `count` register-candidate writes at the leader with wrk -c20 (in bursts of a few seconds). */
function writeRound(leader, count) {
  let done = 0;
  let seconds = 0;
  while (done < count) {
    const left = count - done;
    const burst = Math.max(1, Math.min(5, Math.ceil(left / 1500)));
    const out = execFileSync(
      'wrk',
      ['-t2', '-c20', `-d${burst}s`, `${leader.api}/register-candidate/db9.example.com/3306/prefer`],
      { encoding: 'utf8' },
    );
    done += Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
    seconds += burst;
  }
  return { done, seconds };
}

/** One GET on a connection of its own (agent: false); resolves with the time to the full answer. */
function timedGet(url) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - start)
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function sequentialP50(url, n) {
  const times = [];
  for (let i = 0; i < n; i++) times.push(await timedGet(url));
  return summarize(times).median;
}

/** The step durations of a node's last "stopped" log line (daemon.ts), or undefined. */
function stoppedSteps(node) {
  const line = node.process
    .output()
    .split('\n')
    .filter((l) => l.includes('"msg":"stopped"'))
    .at(-1);
  try {
    return JSON.parse(line).steps;
  } catch {
    return undefined;
  }
}

const fmt = (s) => `${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)}`;

if (spawnSync('wrk', ['--version']).error !== undefined) {
  console.log('### Footprint of the daemon\n\nwrk is not installed (apt-get install wrk): skipped.');
  process.exit(0);
}

const loadBefore = loadavg()[0];
const cluster = await OrchestratorCluster.start({ nodes: 3 });
let idle;
let afterRounds;
let rounds;
const restarts = [];
const stops = { leader: [], follower: [] };
let slowestStop;
let candidateP50;
let leaderCheckP50;
try {
  await cluster.waitForLeader();
  await cluster.waitForFollowers();
  await sleep(SETTLE_MS);
  idle = rssRow(cluster);

  afterRounds = [];
  rounds = [];
  for (let round = 0; round < 2; round++) {
    const leader = await cluster.waitForLeader();
    rounds.push(writeRound(leader, WRITES));
    await sleep(SETTLE_MS);
    afterRounds.push(rssRow(cluster));
  }

  // Restart: a follower killed -9, spawned again, counted until raft-health answers 200.
  for (let i = 0; i < RESTARTS; i++) {
    const leader = await cluster.waitForLeader();
    const victim = cluster.nodes.find((n) => n !== leader);
    await victim.process.kill9();
    await sleep(200);
    const t0 = performance.now();
    victim.process.start();
    await until(async () => (await victim.tryGet('raft-health'))?.status === 200, 15_000, 1);
    restarts.push(performance.now() - t0);
    await cluster.waitForFollowers();
  }

  // SIGTERM → exit, the leader and a follower in turn, from the signal to the parent seeing the exit.
  for (let i = 0; i < STOPS; i++) {
    const leader = await cluster.waitForLeader();
    await cluster.waitForFollowers();
    await sleep(500);
    const role = i % 2 === 0 ? 'leader' : 'follower';
    const victim = role === 'leader' ? leader : cluster.nodes.find((n) => n !== leader);
    const t0 = performance.now();
    victim.process.signalProcess('SIGTERM');
    const code = await victim.process.waitExit();
    const took = performance.now() - t0;
    stops[role].push(took);
    if (took > (slowestStop?.took ?? 0)) slowestStop = { took, role, steps: stoppedSteps(victim) };
    if (code !== 0) throw new Error(`SIGTERM: exit code ${code}\n${victim.process.output().slice(-2000)}`);
    victim.process.start();
    await until(async () => (await victim.tryGet('raft-health'))?.status === 200, 15_000, 5);
  }

  const leader = await cluster.waitForLeader();
  await cluster.waitForFollowers();
  leaderCheckP50 = await sequentialP50(`${leader.api}/leader-check`, SEQUENTIAL);
  candidateP50 = await sequentialP50(
    `${leader.api}/register-candidate/db9.example.com/3306/prefer`,
    SEQUENTIAL,
  );
} finally {
  await cluster.destroy();
}

const allStops = summarize([...stops.leader, ...stops.follower]);
const restart = summarize(restarts);
const rssText = (r) => {
  const s = summarize(r.values);
  return `median ${s.median.toFixed(0)} MiB (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
};
const worst = (r) => Math.max(...r.values);
const summaries = [
  summaryLine({
    id: 'footprint-rss-idle',
    what: 'daemon RSS idle, ≤ 60 MB',
    ours: `${rssText(idle)} over the 3 nodes`,
    reference: '26 MB',
    met: worst(idle) <= 60,
    on: 'daemon',
  }),
  summaryLine({
    id: 'footprint-rss-writes',
    what: `daemon RSS after ${WRITES.toLocaleString('en-US')} replicated writes, ≤ 100 MB, flat across a second round`,
    ours: `round 1 ${rssText(afterRounds[0])}, round 2 ${rssText(afterRounds[1])}`,
    reference: '34–43 MB',
    met: worst(afterRounds[0]) <= 100 && worst(afterRounds[1]) <= 100,
    on: 'daemon',
  }),
  summaryLine({
    id: 'footprint-register-candidate-new-connection',
    what: 'register-candidate, new connection per request, p50 ≤ leader-check p50 + 1.0 ms',
    ours: `p50 ${candidateP50.toFixed(2)} ms (leader-check ${leaderCheckP50.toFixed(2)} ms)`,
    reference: 'p50 5.85 ms',
    met: candidateP50 <= leaderCheckP50 + 1,
    on: 'daemon',
  }),
];
console.log(`### Footprint of the daemon (3 nodes, SQLite, 127.0.0.1)

${provenance(`BENCH_FOOTPRINT_WRITES=${WRITES} node test/bench/footprint.mjs`)}

RSS is VmRSS of each node (MiB, node 0 / 1 / 2) after ${SETTLE_MS / 1000} s of settling. A round is
${WRITES.toLocaleString('en-US')} register-candidate writes at the leader with wrk -t2 -c20
(round 1: ${rounds[0].done.toLocaleString('en-US')} in ${rounds[0].seconds} s, round 2: ${rounds[1].done.toLocaleString('en-US')} in ${rounds[1].seconds} s).
Restart is a follower killed -9 and spawned again, counted from spawn to \`/api/raft-health\` 200 (${RESTARTS} runs).
SIGTERM → exit is counted from the signal to the parent seeing the exit, on the leader and a
follower in turn (${STOPS} runs). Reference: orchestrator 3.2.6, same harness (issue 22). The
machine's 1-minute load average was ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (2 cores: timings
stretch with it).

| what | ours | reference | target |
|---|---|---|---|
| RSS per node, idle (MiB) | ${idle.text} | 26 | ≤ 60 |
| RSS per node after round 1 (MiB) | ${afterRounds[0].text} | 34–43 | ≤ 100 |
| RSS per node after round 2 (MiB) | ${afterRounds[1].text} | – | ≤ 100, flat |

| what | median | min | max | reference | target |
|---|---|---|---|---|---|
| killed node restarted → raft-health 200, from spawn | ${fmt(restart)} | 52 ms | ≤ 150 ms |
| SIGTERM → exit (all) | ${fmt(allStops)} | median 21 ms, max 23 ms | max ≤ 100 ms |
| SIGTERM → exit (leader) | ${fmt(summarize(stops.leader))} | – | – |
| SIGTERM → exit (follower) | ${fmt(summarize(stops.follower))} | – | – |

The slowest SIGTERM (${slowestStop ? `${ms(slowestStop.took)}, ${slowestStop.role}` : '–'}) by the daemon's own account, in ms:
\`${JSON.stringify(slowestStop?.steps ?? {})}\` (the rest is the signal's delivery and the process's exit).

| sequential, a new connection per request (${SEQUENTIAL} each) | p50 | reference | target |
|---|---|---|---|
| GET /api/leader-check | ${leaderCheckP50.toFixed(2)} ms | 0.78 ms | – |
| GET /api/register-candidate (through raft) | ${candidateP50.toFixed(2)} ms | 5.85 ms | ≤ leader-check + 1.0 ms |

${summaries.join('\n')}
`);
process.exit(0);
