// The HTTP API of real daemons (3 nodes, SQLite, a discovered MariaDB 1+2 topology) under wrk
// (-t2 -c20 -d10s, sharing the 2 cores), and replicated commands (register-candidate) through the
// API: one sequential client, and 20 concurrent connections. Prints a markdown section.
import { execFileSync, spawnSync } from 'node:child_process';
import { startMariaDBTopology } from '@orchestrator/testkit';
import { OrchestratorCluster, topologyConfig } from '../dist/index.js';
import { summarize, until } from './stats.mjs';
import { provenance, summaryLine } from './summary.mjs';

const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_WRK_ROUNDS ?? 5);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 500);

function hasWrk() {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** wrk's Requests/sec and latency percentiles (ms). */
function wrk(url) {
  const out = execFileSync('wrk', ['-t2', '-c20', `-d${SECONDS}s`, '--latency', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50: pct(50), p99: pct(99), non2xx };
}

// What each wrk case must reach (targets.md), for the summary at the top of BENCHMARKS.md.
const GOALS = {
  'GET /api/leader-check (leader)': {
    id: 'api-leader-check',
    what: '`leader-check` ≥ 21.6k req/s',
    atLeast: 21_600,
  },
  'GET /api/clusters (leader)': {
    id: 'api-clusters',
    what: '`clusters` ≥ 2× (11.6k req/s)',
    atLeast: 11_600,
  },
  'GET /api/cluster/:name, 3 instances (leader)': {
    id: 'api-cluster-name',
    what: '`cluster/:name` ≥ 4× (3.4k req/s)',
    atLeast: 3_400,
  },
  'register-candidate through raft, 20 connections (wrk)': {
    id: 'api-register-candidate-concurrent',
    what: 'register-candidate, 20 connections, ≥ 2,000 req/s',
    atLeast: 2_000,
  },
};

if (!hasWrk()) {
  console.log('### HTTP API of the daemon\n\nwrk is not installed (apt-get install wrk): skipped.');
  process.exit(0);
}

const topology = await startMariaDBTopology({ replicas: 2 });
const cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 5) });
const rows = [];
const summaries = [];
let ratio;
try {
  const leader = await cluster.waitForLeader();
  const follower = cluster.nodes.find((n) => n !== leader);
  const clusterName = `127.0.0.1:${topology.master}`;
  await until(
    async () => {
      const r = await leader.get(`cluster/${clusterName}`);
      return Array.isArray(r.body) && r.body.length === 3;
    },
    20_000,
    50,
  );

  const cases = [
    ['GET /api/leader-check (leader)', `${leader.api}/leader-check`, '21.6k req/s, p99 14.6 ms', '≥ 1.0×'],
    ['GET /api/clusters (leader)', `${leader.api}/clusters`, '5.8k req/s', '≥ 2×'],
    [
      'GET /api/clusters through a follower',
      `${follower.api}/clusters`,
      '1.4k req/s (0.24× direct)',
      '≥ 0.6× direct',
    ],
    [
      'GET /api/cluster/:name, 3 instances (leader)',
      `${leader.api}/cluster/${clusterName}`,
      '850 req/s',
      '≥ 4×',
    ],
    [
      'register-candidate through raft, 20 connections (wrk)',
      `${leader.api}/register-candidate/db9.example.com/3306/prefer`,
      '191–199 req/s, p50 ~95 ms, p99 ~267 ms',
      '≥ 2,000 req/s',
    ],
  ];
  // Rounds alternate the cases, so a slow spell of this noisy machine hits every case alike; the
  // proxy ratio is taken within each round (follower right after direct) and its median reported.
  const results = new Map(cases.map(([what]) => [what, []]));
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [what, url] of cases) results.get(what).push(wrk(url));
    const direct = results.get('GET /api/clusters (leader)').at(-1).rps;
    const proxied = results.get('GET /api/clusters through a follower').at(-1).rps;
    ratios.push(proxied / (direct || 1));
  }
  for (const [what, , reference, target] of cases) {
    const runs = results.get(what);
    const rps = summarize(runs.map((r) => r.rps));
    const p50 = summarize(runs.map((r) => r.p50)).median;
    const p99 = summarize(runs.map((r) => r.p99)).median;
    const non2xx = runs.reduce((n, r) => n + r.non2xx, 0);
    const fmt = (v) => Math.round(v).toLocaleString('en-US');
    const goal = GOALS[what];
    if (goal)
      summaries.push(
        summaryLine({
          id: goal.id,
          what: goal.what,
          ours: `${fmt(rps.median)} req/s (${fmt(rps.min)}–${fmt(rps.max)})`,
          reference,
          met: rps.median >= goal.atLeast,
          on: 'daemon',
        }),
      );
    rows.push(
      `| ${what} | ${fmt(rps.median)} | ${fmt(rps.min)}–${fmt(rps.max)} | ${p50.toFixed(2)} ms | ${p99.toFixed(2)} ms | ${non2xx} | ${reference} | ${target} |`,
    );
  }
  ratio = summarize(ratios);
  summaries.push(
    summaryLine({
      id: 'api-follower-proxy',
      what: 'follower proxying `clusters`, ≥ 0.6× direct',
      ours: `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
      reference: '0.24× (1.4k req/s)',
      met: ratio.median >= 0.6,
      on: 'daemon',
    }),
  );

  const latencies = [];
  const t0 = Date.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const s = performance.now();
    const r = await leader.get(`register-candidate/seq${i % 50}.example.com/3306/prefer`);
    if (r.body?.Code !== 'OK') throw new Error(`register-candidate failed: ${r.text}`);
    latencies.push(performance.now() - s);
  }
  const seconds = (Date.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)];
  const seqP50 = summarize(latencies).median;
  summaries.push(
    summaryLine({
      id: 'api-register-candidate-sequential',
      what: 'register-candidate, 1 sequential client, p50 ≤ 1.5 ms',
      ours: `p50 ${seqP50.toFixed(2)} ms (p99 ${p99.toFixed(2)} ms, ${SEQUENTIAL} calls)`,
      reference: 'p50 8–9 ms',
      met: seqP50 <= 1.5,
      on: 'daemon',
    }),
  );
  rows.push(
    `| register-candidate through raft, 1 sequential client (${SEQUENTIAL} calls) | ${Math.round(SEQUENTIAL / seconds)} | – | ${summarize(latencies).median.toFixed(2)} ms | ${p99.toFixed(2)} ms | 0 | 98–113 ops/s, p50 8–9 ms, p99 20–27 ms | p50 ≤ 1.5 ms |`,
  );
} finally {
  await cluster.destroy();
  await topology.destroy();
}

console.log(`### HTTP API of the daemon (3 nodes, SQLite, wrk -t2 -c20 -d${SECONDS}s on 127.0.0.1, ${ROUNDS} rounds)

${provenance('node test/bench/api-daemon.mjs')}

req/s is the median of the rounds (min–max beside it); p50 and p99 are medians of the rounds' percentiles.

| what | req/s | min–max | p50 | p99 | non-2xx | reference | target |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Follower proxying, throughput through a follower ÷ direct on the leader in the same round (both
answered from the leader's read cache; wrk, the follower and the leader share the 2 cores): median
**${ratio.median.toFixed(2)}×** (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}; reference 0.24×, target ≥ 0.6×).

${summaries.join('\n')}
`);
process.exit(0);
