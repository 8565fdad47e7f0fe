// HTTP throughput of the API: leader-check, clusters and cluster/:name on the "leader", and
// clusters through a follower's reverse proxy. Servers are separate processes; the load generator
// is this process (keep-alive, 20 concurrent requests). Not a test: it prints markdown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 3);
const CONCURRENCY = 20;
const here = new URL('.', import.meta.url).pathname;

async function start(args) {
  const child = spawn(process.execPath, [`${here}server.mjs`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { child, url: String(chunk).trim() };
}

/** CPU milliseconds (user + system) a process has used so far (Linux /proc). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function load(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  let errors = 0;
  const one = () =>
    new Promise((resolve) => {
      http
        .get(url, { agent }, (res) => {
          if (res.statusCode !== 200) errors++;
          res.resume();
          res.on('end', resolve);
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await one();
        done++;
      }
    }),
  );
  agent.destroy();
  return { rps: done / SECONDS, errors, done };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const leader = await start(['leader']);
const follower = await start(['follower', leader.url]);
try {
  const cases = [
    ['leader-check (leader)', `${leader.url}/api/leader-check`],
    ['clusters (leader)', `${leader.url}/api/clusters`],
    ['cluster/:name, 3 instances (leader)', `${leader.url}/api/cluster/db1:3306`],
    ['clusters via follower proxy', `${follower.url}/api/clusters`],
  ];
  // The reference's figures (wrk -t2 -c20 on orchestrator 3.2.6) and our targets, from targets.md.
  const reference = {
    'leader-check (leader)': ['21.6k req/s', '≥ 1.0×'],
    'clusters (leader)': ['5.8k req/s', '≥ 2×'],
    'cluster/:name, 3 instances (leader)': ['850 req/s', '≥ 4×'],
    'clusters via follower proxy': ['1.4k req/s (0.24× direct)', '≥ 0.6× direct'],
  };
  const results = new Map(cases.map(([name]) => [name, []]));
  const cpu = new Map(cases.map(([name]) => [name, { leader: [], follower: [] }]));
  let errors = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, url] of cases) {
      const l0 = cpuMs(leader.child.pid);
      const f0 = cpuMs(follower.child.pid);
      const res = await load(url);
      results.get(name).push(res.rps);
      cpu.get(name).leader.push(((cpuMs(leader.child.pid) - l0) * 1000) / res.done);
      cpu.get(name).follower.push(((cpuMs(follower.child.pid) - f0) * 1000) / res.done);
      errors += res.errors;
    }
  }
  console.log('### API bench server (in-memory deps; not the daemon)\n');
  console.log(
    `Command: \`node packages/api/bench/proxy-bench.mjs\`, ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}.\n`,
  );
  console.log(
    `API throughput, ${ROUNDS} rounds × ${SECONDS} s, ${CONCURRENCY} concurrent keep-alive requests`,
  );
  console.log('from a Node load generator (in-memory deps; the generator shares the 2 cores).\n');
  console.log(
    '| endpoint | median req/s | min | max | leader CPU µs/req | follower CPU µs/req | reference | target |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name] of cases) {
    const s = stats(results.get(name));
    const c = cpu.get(name);
    const f = name.includes('follower') ? fmt(stats(c.follower).median) : '–';
    console.log(
      `| ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${fmt(stats(c.leader).median)} | ${f} | ${reference[name][0]} | ${reference[name][1]} |`,
    );
  }
  const direct = stats(results.get('clusters (leader)')).median;
  const proxied = stats(results.get('clusters via follower proxy')).median;
  const directCpu = stats(cpu.get('clusters (leader)').leader).median;
  const via = cpu.get('clusters via follower proxy');
  const busiest = Math.max(stats(via.leader).median, stats(via.follower).median);
  console.log(
    `\nProxy ratio, measured throughput (clusters via follower / direct): **${(proxied / direct).toFixed(2)}×**.`,
  );
  console.log(
    'Proxy ratio from CPU per request (direct leader CPU ÷ the busiest process when proxied, i.e. the ' +
      `throughput ratio when each server process has a core): **${(directCpu / busiest).toFixed(2)}×** ` +
      '(target ≥ 0.6×; reference 0.24×). The measured ratio also pays for the load generator, a Node ' +
      'process on the same 2 cores as both servers and everything else running.',
  );
  console.log(`Non-200 answers or errors: ${errors}.`);
  // The summary line for BENCHMARKS.md (scripts/bench-summary.mjs): a bench server, not compared
  // with the reference there.
  const throughput = stats(results.get('clusters via follower proxy'));
  const ratio = proxied / direct;
  console.log(
    `\n<!-- bench-summary ${JSON.stringify({
      id: 'api-bench-server-proxy',
      what: 'follower proxying `clusters`, ≥ 0.6× direct',
      ours: `${ratio.toFixed(2)}× (${fmt(throughput.median)} req/s proxied, ${fmt(throughput.min)}–${fmt(throughput.max)})`,
      reference: '0.24×',
      met: ratio >= 0.6,
      on: 'bench server',
    })} -->`,
  );
} finally {
  follower.child.kill('SIGTERM');
  leader.child.kill('SIGTERM');
}
