// Which HTTP client should a follower forward with? The project's own clients (raw keep-alive pool,
// pipelined pool) against undici's Pool (pipelining 1 and 10), each in a bare forwarder process in
// front of the same bench leader, loaded by wrk (-t1 -c20, keep-alive) in interleaved rounds.
// The hand-written code stays only if it is at least 1.3× faster (issue: one straight path).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 5);
const here = new URL('.', import.meta.url).pathname;
const VARIANTS = ['raw', 'pipelined', 'undici-1', 'undici-10'];

async function start(script, args) {
  const child = spawn(process.execPath, [`${here}${script}`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { child, url: String(chunk).trim() };
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function wrk(url) {
  const out = spawnSync('wrk', ['-t1', '-c20', `-d${SECONDS}s`, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out.stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out.stdout)?.[1] ?? 0);
  return { rps, total, non2xx };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const leader = await start('server.mjs', ['leader']);
const forwarders = new Map();
for (const v of VARIANTS) forwarders.set(v, await start('forwarder.mjs', [v, leader.url]));
try {
  const rps = new Map(VARIANTS.map((v) => [v, []]));
  const cpu = new Map(VARIANTS.map((v) => [v, []]));
  let bad = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of VARIANTS) {
      const f = forwarders.get(v);
      const c0 = cpuMs(f.child.pid);
      const res = wrk(`${f.url}/api/clusters`);
      rps.get(v).push(res.rps);
      cpu.get(v).push(((cpuMs(f.child.pid) - c0) * 1000) / Math.max(1, res.total));
      bad += res.non2xx;
    }
  }
  console.log(
    `Follower→leader HTTP clients: GET /api/clusters through a bare forwarder, wrk -t1 -c20, ${ROUNDS} rounds × ${SECONDS} s (bench leader, in-memory deps; not the daemon).\n`,
  );
  console.log('| client | median req/s | min | max | forwarder CPU µs/req |');
  console.log('|---|---|---|---|---|');
  for (const v of VARIANTS) {
    const s = stats(rps.get(v));
    console.log(
      `| ${v} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${fmt(stats(cpu.get(v)).median)} |`,
    );
  }
  const ours = Math.max(stats(rps.get('raw')).median, stats(rps.get('pipelined')).median);
  const undici = Math.max(stats(rps.get('undici-1')).median, stats(rps.get('undici-10')).median);
  console.log(
    `\nBest hand-written ÷ best undici: **${(ours / undici).toFixed(2)}×** (keep hand-written only if ≥ 1.3×). Non-2xx: ${bad}.`,
  );
} finally {
  for (const f of forwarders.values()) f.child.kill('SIGTERM');
  leader.child.kill('SIGTERM');
}
