#!/usr/bin/env node
// `npm run soak`: a bounded soak run of 3 daemons (SQLite) probing a real MariaDB topology (1 master,
// 2 replicas, from the test kit) while clients send replicated writes and API reads to random nodes,
// the master is taken over (planned) or killed (unplanned) in turn, and the daemons are killed -9,
// stopped with SIGTERM or hung and brought back. Each daemon's RSS and open files are read from
// /proc, its V8 heap and event-loop delay by a sampler loaded into it (sampler.mjs). The verdict:
// nothing grows without bound — each figure's second half is compared with its first half.
// Node 0 is never killed, so its figures form one unbroken series. The result is printed and
// written into BENCHMARKS.md as the "## Soak" section (scripts/bench-all.mjs keeps it).
//
// Duration: --minutes=N or SOAK_MINUTES (default 30). Exit 1 when a figure grew or the run broke.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariaDBTopology } from '@orchestrator/testkit';
import { OrchestratorCluster, topologyConfig } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const flag = process.argv.find((a) => a.startsWith('--minutes='))?.split('=')[1];
const minutes = Number(flag ?? process.env.SOAK_MINUTES ?? 30);
if (!(minutes > 0)) {
  console.error(
    `soak: --minutes / SOAK_MINUTES must be a positive number, got ${flag ?? process.env.SOAK_MINUTES}`,
  );
  process.exit(2);
}
const durationMs = minutes * 60_000;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const SAMPLE_MS = clamp(Math.round(durationMs / 120), 1000, 10_000);
const FAULT_EVERY_MS = clamp(Math.round(durationMs / 15), 10_000, 60_000);
const FAILOVER_EVERY_MS = clamp(Math.round(durationMs / 5), 30_000, 180_000);
const CLIENT_PAUSE_MS = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => console.error(`[soak ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);
const started = Date.now();
const deadline = started + durationMs;
const running = () => Date.now() < deadline;
/** Sleeps `ms`, or until the deadline if that comes first. */
const pause = (ms) => sleep(Math.max(0, Math.min(ms, deadline - Date.now())));

async function until(what, probe, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function procStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024;
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return { rss, fds };
  } catch {
    return undefined;
  }
}

const samplesDir = mkdtempSync(join(tmpdir(), 'orch-soak-'));
const counts = {
  writes: 0,
  writesFailed: 0,
  reads: 0,
  readsFailed: 0,
  faults: {},
  faultsFailed: 0,
  failovers: { planned: 0, unplanned: 0 },
  failoversFailed: 0,
  failoverMs: [],
};
const failures = [];
/** When each node was hung: its event loop "stalls" then by design, so those samples are left out. */
const hangs = [];
const noteFailure = (what) => {
  if (failures.length < 20) failures.push(what);
  log(`failure: ${what}`);
};

log(
  `${minutes} min; samples every ${SAMPLE_MS} ms, a fault every ${FAULT_EVERY_MS / 1000} s, a failover every ${FAILOVER_EVERY_MS / 1000} s`,
);
const topology = await startMariaDBTopology({ replicas: 2 });
const cluster = await OrchestratorCluster.start({
  nodes: 3,
  config: () => ({
    ...topologyConfig(topology, 2),
    // Recover the same cluster again soon: the soak fails its master over and over.
    RecoveryPeriodBlockSeconds: 1,
    FailureDetectionPeriodBlockMinutes: 0,
  }),
  env: {
    NODE_OPTIONS: `--import=${join(here, 'sampler.mjs')}`,
    SOAK_SAMPLES_DIR: samplesDir,
    SOAK_SAMPLE_MS: String(SAMPLE_MS),
  },
});
/** pid → node index, for every process each node ran. */
const pidNode = new Map();
const notePids = () => {
  for (const n of cluster.nodes) if (n.process.running) pidNode.set(n.process.pid, n.index);
};
const procSamples = [];
let exitCode = 0;
let section = '';

const anyNode = () => {
  const up = cluster.nodes.filter((n) => n.process.running && !n.process.hung);
  return up[Math.floor(Math.random() * up.length)] ?? cluster.nodes[0];
};
const masterPort = async () => {
  for (const port of topology.ports) {
    const r = await anyNode().tryGet(`master/127.0.0.1:${port}`);
    const key = r?.body?.Key;
    if (r?.status === 200 && key?.Port) return key.Port;
  }
  return undefined;
};

async function writer() {
  let i = 0;
  while (running()) {
    const node = anyNode();
    const path = `register-candidate/soak${i++ % 200}.example.com/3306/${i % 3 === 0 ? 'neutral' : 'prefer'}`;
    const r = await node.tryGet(path);
    if (r?.status === 200 && r.body?.Code === 'OK') counts.writes++;
    else counts.writesFailed++;
    await sleep(CLIENT_PAUSE_MS);
  }
}

async function reader() {
  const paths = () => {
    const port = topology.ports[Math.floor(Math.random() * topology.ports.length)];
    return [
      'clusters',
      'clusters-info',
      `cluster/127.0.0.1:${port}`,
      `instance/127.0.0.1/${port}`,
      'raft-status',
      'leader-check',
      'audit-recovery',
      'replication-analysis',
    ];
  };
  while (running()) {
    const list = paths();
    const r = await anyNode().tryGet(list[Math.floor(Math.random() * list.length)]);
    if (r !== undefined && r.status < 500) counts.reads++;
    else counts.readsFailed++;
    await sleep(CLIENT_PAUSE_MS);
  }
}

async function sampler() {
  while (running()) {
    for (const n of cluster.nodes) {
      if (!n.process.running) continue;
      const s = procStatus(n.process.pid);
      if (s) procSamples.push({ t: Date.now(), node: n.index, pid: n.process.pid, ...s });
    }
    await sleep(SAMPLE_MS);
  }
}

/** Daemon faults in turn: kill -9 and SIGTERM (nodes 1 and 2 only), hang for 3 s (any node). */
async function faults() {
  const kinds = ['kill9', 'hang', 'sigterm', 'hang'];
  let k = 0;
  let stops = 0;
  let hung = 0;
  await pause(FAULT_EVERY_MS);
  while (running()) {
    const kind = kinds[k++ % kinds.length];
    const target = kind === 'hang' ? cluster.nodes[hung++ % 3] : cluster.nodes[1 + (stops++ % 2)];
    counts.faults[kind] = (counts.faults[kind] ?? 0) + 1;
    try {
      if (kind === 'hang') {
        const hangStart = Date.now();
        await target.process.hang();
        await sleep(3000);
        await target.process.resume();
        hangs.push({ node: target.index, from: hangStart, to: Date.now() });
      } else {
        if (kind === 'kill9') await target.process.kill9();
        else await target.process.stop(5000);
        await sleep(1000);
        target.process.start();
        notePids();
        await until(
          `node ${target.index} to answer raft-health`,
          async () => (await target.tryGet('raft-health'))?.status === 200,
          30_000,
        );
      }
      log(`fault ${kind} on node ${target.index}: recovered`);
    } catch (error) {
      counts.faultsFailed++;
      noteFailure(`fault ${kind} on node ${target.index}: ${error.message}`);
    }
    await pause(FAULT_EVERY_MS);
  }
}

/** Master failovers in turn: a graceful takeover, then a kill -9 of the master (its server comes back as a replica). */
async function failovers() {
  let planned = true;
  await pause(FAILOVER_EVERY_MS / 2);
  // A failover is only begun with a minute left, so the run ends at most a minute late.
  while (running() && deadline - Date.now() > 60_000) {
    const kind = planned ? 'planned' : 'unplanned';
    const t0 = Date.now();
    try {
      const master = await until('the current master', masterPort, 30_000);
      const others = topology.ports.filter((p) => p !== master);
      if (planned) {
        const designated = others[Math.floor(Math.random() * others.length)];
        const r = await cluster
          .node(0)
          .get(`graceful-master-takeover/127.0.0.1/${master}/127.0.0.1/${designated}`);
        if (r.status !== 200)
          throw new Error(`graceful-master-takeover: ${r.status} ${r.text.slice(0, 200)}`);
        await until('the designated master', async () => (await masterPort()) === designated, 60_000);
        // The demoted master is left with replication stopped (as the reference does).
        await cluster.node(0).tryGet(`start-replica/127.0.0.1/${master}`);
      } else {
        await topology.kill9(master);
        const successor = await until(
          'a recovery to promote a replica within 60 s',
          async () => {
            const p = await masterPort();
            return p !== undefined && p !== master ? p : undefined;
          },
          60_000,
        );
        await topology.restart(master);
        // It comes back holding its own history as a master: resume after it, not from the start.
        await topology.query(master, 'STOP SLAVE');
        await topology.query(master, 'SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos');
        await topology.replicateFrom(master, successor);
      }
      counts.failovers[kind]++;
      counts.failoverMs.push(Date.now() - t0);
      log(`failover (${kind}) done in ${Date.now() - t0} ms`);
    } catch (error) {
      counts.failoversFailed++;
      noteFailure(`failover (${kind}): ${error.message}`);
    }
    planned = !planned;
    await pause(FAILOVER_EVERY_MS);
  }
}

try {
  await cluster.waitForLeader(30_000);
  await cluster.waitForFollowers(30_000);
  notePids();
  await until('the topology to be discovered', async () => (await masterPort()) === topology.master, 60_000);
  log('cluster up, topology discovered');
  await Promise.all([writer(), writer(), reader(), reader(), sampler(), faults(), failovers()]);
  notePids();
  ({ section, exitCode } = judge());
} catch (error) {
  exitCode = 1;
  section = `## Soak\n\n**The soak run broke** after ${((Date.now() - started) / 60_000).toFixed(1)} min: ${error.message}\n`;
  console.error(cluster.logs());
} finally {
  await cluster.destroy();
  await topology.destroy();
}

writeSection(section);
rmSync(samplesDir, { recursive: true, force: true });
console.log(section);
process.exit(exitCode);

// ---- the verdict ----

/** Heap and event-loop samples from the daemons, tagged with their node. */
function heapSamples() {
  const out = [];
  for (const file of readdirSync(samplesDir)) {
    const pid = Number(file.replace('.jsonl', ''));
    const node = pidNode.get(pid);
    if (node === undefined) continue;
    const lines = readFileSync(join(samplesDir, file), 'utf8').split('\n');
    // The first sample of a process covers its start-up (loading and compiling the bundle).
    for (const line of lines.slice(1)) {
      if (line.trim() === '') continue;
      const sample = { ...JSON.parse(line), node, pid };
      const duringHang = hangs.some(
        (h) => h.node === node && sample.t >= h.from && sample.t <= h.to + SAMPLE_MS + 500,
      );
      if (!duringHang) out.push(sample);
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Least-squares slope of value over time, per hour. */
function slopePerHour(points) {
  if (points.length < 3) return 0;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3_600_000;
}

/**
 * One figure of one process: its samples after the first 10 % of the run (start-up), split into
 * halves by time. It grew without bound when the second half's median exceeds the first half's by
 * more than `slack` and by more than 20 %.
 */
function verdict(points, slack) {
  const from = Math.max(started + durationMs * 0.1, points[0]?.t ?? 0);
  const to = points.at(-1)?.t ?? from;
  const mid = from + (to - from) / 2;
  const first = points.filter((p) => p.t >= from && p.t < mid).map((p) => p.v);
  const second = points.filter((p) => p.t >= mid).map((p) => p.v);
  const a = median(first);
  const b = median(second);
  const grew = first.length > 0 && second.length > 0 && b > a + slack && b > a * 1.2;
  return {
    a,
    b,
    slope: slopePerHour(points.filter((p) => p.t >= mid)),
    grew,
    n: first.length + second.length,
  };
}

/** A node's longest-lived process, if it ran for at least 40 % of the run: only such a series can show growth. */
function longestProcess(samples) {
  const byPid = new Map();
  for (const s of samples) {
    const list = byPid.get(s.pid) ?? [];
    list.push(s);
    byPid.set(s.pid, list);
  }
  let best;
  for (const list of byPid.values()) {
    const span = (list.at(-1)?.t ?? 0) - (list[0]?.t ?? 0);
    if (best === undefined || span > best.span) best = { list, span };
  }
  return best !== undefined && best.span >= durationMs * 0.4 ? best.list : undefined;
}

function judge() {
  const heap = heapSamples();
  const MiB = 2 ** 20;
  const figures = [
    { name: 'RSS (MiB)', from: procSamples, get: (s) => s.rss / MiB, slack: 15 },
    { name: 'heap used (MiB)', from: heap, get: (s) => s.heapUsed / MiB, slack: 10 },
    { name: 'open files', from: procSamples, get: (s) => s.fds, slack: 10 },
    { name: 'event-loop delay p99 (ms)', from: heap, get: (s) => s.lagP99Ms, slack: 25 },
  ];
  const rows = [];
  let grew = 0;
  for (const f of figures) {
    for (const node of [0, 1, 2]) {
      const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
      const samples = f.from.filter((s) => s.node === node);
      const pids = new Set(samples.map((s) => s.pid)).size;
      const series = longestProcess(samples);
      if (series === undefined) {
        const values = samples.map(f.get);
        rows.push(
          `| ${f.name} | ${node} (${pids} processes, none ran 40 % of the run) | – | – | – | ${values.length} | not judged (max ${fmt(Math.max(...values))}) |`,
        );
        continue;
      }
      const v = verdict(
        series.map((s) => ({ t: s.t, v: f.get(s) })),
        f.slack,
      );
      if (v.grew) grew++;
      rows.push(
        `| ${f.name} | ${node} (${pids === 1 ? 'one process' : `longest of ${pids} processes`}) | ${fmt(v.a)} | ${fmt(v.b)} | ${v.slope >= 0 ? '+' : ''}${fmt(v.slope)}/h | ${v.n} | ${v.grew ? '**grew**' : 'bounded'} |`,
      );
    }
  }
  const lagMax = Math.max(0, ...heap.map((s) => s.lagMaxMs));
  const failoverMedian = median(counts.failoverMs);
  const broken =
    counts.writes === 0 ||
    counts.reads === 0 ||
    counts.failoversFailed > counts.failovers.planned + counts.failovers.unplanned;
  const ok = grew === 0 && !broken;
  const faults = Object.entries(counts.faults)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const text = `## Soak

Command: \`npm run soak\` (SOAK_MINUTES=${minutes}), run on ${new Date(started).toISOString()}: ${minutes} min of
3 daemons (SQLite) probing a MariaDB master with 2 replicas every 2 s. Two clients send replicated
writes (register-candidate) and two send API reads to random nodes; daemon faults every
${FAULT_EVERY_MS / 1000} s (kill -9 and SIGTERM of nodes 1 and 2, then restart; 3 s hangs of any node); a
master failover every ${FAILOVER_EVERY_MS / 1000} s, graceful takeover and kill -9 of the master in turn. RSS and open
files from /proc, heap and event-loop delay from inside each daemon, every ${SAMPLE_MS / 1000} s.

**Verdict: ${ok ? 'nothing grew without bound' : grew > 0 ? `${grew} figure(s) grew` : 'the run broke'}.**
Each node's longest-lived process is judged (node 0 is never killed, so it runs throughout; the
others are restarted by the faults and are judged only if one process ran 40 % of the run): a figure
grew when the median of its second half exceeds the first half's (after the first 10 % of the run)
by more than a slack (15 MiB RSS, 10 MiB heap, 10 files, 25 ms delay) and by more than 20 %.

| what | value |
|---|---|
| replicated writes acknowledged / refused or failed | ${counts.writes} / ${counts.writesFailed} |
| API reads answered / failed | ${counts.reads} / ${counts.readsFailed} |
| daemon faults (failed to recover) | ${faults || 'none'} (${counts.faultsFailed}) |
| master failovers planned / unplanned (failed) | ${counts.failovers.planned} / ${counts.failovers.unplanned} (${counts.failoversFailed}) |
| failover, start to the new master seen by the API (median) | ${Number.isFinite(failoverMedian) ? `${(failoverMedian / 1000).toFixed(1)} s` : '–'} |
| event-loop delay, worst single stall on any node (outside its own hangs and start-up) | ${lagMax.toFixed(0)} ms |

| figure | node | first half (median) | second half (median) | slope, second half | samples | verdict |
|---|---|---|---|---|---|---|
${rows.join('\n')}
${failures.length > 0 ? `\nFailures seen (first ${failures.length}):\n\n${failures.map((f) => `- ${f}`).join('\n')}\n` : ''}`;
  return { section: text, exitCode: ok ? 0 : 1 };
}

/** Replaces (or appends) the "## Soak" section of BENCHMARKS.md. */
function writeSection(text) {
  const file = join(root, 'BENCHMARKS.md');
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const start = doc.indexOf('\n## Soak\n');
  if (start === -1) doc = `${doc.trimEnd()}\n\n${text.trim()}\n`;
  else {
    const next = doc.indexOf('\n## ', start + 1);
    doc = `${doc.slice(0, start)}\n${text.trim()}\n${next === -1 ? '' : doc.slice(next)}`;
  }
  writeFileSync(file, doc);
}
