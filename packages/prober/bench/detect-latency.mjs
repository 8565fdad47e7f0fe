// Detection latency: kill -9 of a real MariaDB master (test kit, 1 master + 2 replicas) → the first
// DeadMaster analysis, with InstancePollSeconds=5, analysis run on every onTopologyChange.
// Usage: node bench/detect-latency.mjs [trials]. Needs `npm run build` and mariadbd.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariaDBTopology } from '@orchestrator/testkit';
import {
  analyze,
  DiscoveryLoop,
  InMemoryInstanceRepository,
  MySQLProber,
  proberConfig,
} from '../dist/index.js';

const trials = Number(process.argv[2] ?? 7);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const latencies = [];
for (let t = 0; t < trials; t++) {
  const topology = await startMariaDBTopology({ replicas: 2 });
  try {
    const config = proberConfig({
      InstancePollSeconds: 5,
      MySQLTopologyUser: 'root',
      MySQLHostnameResolveMethod: '@@report_host',
      DiscoverySeeds: [`127.0.0.1:${topology.master}`],
    });
    const repository = new InMemoryInstanceRepository();
    let detectedAt = 0;
    const loop = new DiscoveryLoop({
      config,
      prober: new MySQLProber(config),
      repository,
      onTopologyChange: async () => {
        const all = await repository.readAll();
        const hit = analyze(all, { config, now: Date.now() }).some(
          (e) => e.AnalyzedInstanceKey.Port === topology.master && e.Analysis === 'DeadMaster',
        );
        if (hit && !detectedAt) detectedAt = performance.now();
      },
    });
    await loop.start();
    while (repository.rows.size < 3) await sleep(20);
    // Kill at a random point of the poll cycle, as a real failure would.
    await sleep(1000 + Math.random() * 5000);
    const killedAt = performance.now();
    await topology.kill9(topology.master);
    const deadline = killedAt + 30_000;
    while (!detectedAt && performance.now() < deadline) await sleep(5);
    await loop.stop();
    latencies.push(detectedAt ? Math.round(detectedAt - killedAt) : Number.POSITIVE_INFINITY);
    process.stderr.write(`trial ${t + 1}: ${latencies.at(-1)} ms\n`);
  } finally {
    await topology.destroy();
  }
}
const sorted = [...latencies].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results.json');
const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
results.detection = {
  date: new Date().toISOString(),
  pollSeconds: 5,
  trials,
  latenciesMs: latencies,
  medianMs: median,
};
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log('\n| kill -9 master → DeadMaster (InstancePollSeconds=5) | value |');
console.log('|---|---|');
console.log(`| trials | ${trials} |`);
console.log(`| median | ${median} ms |`);
console.log(`| min / max | ${sorted[0]} / ${sorted.at(-1)} ms |`);
console.log('| target | median ≤ 1000 ms (reference: up to one poll + 1 s) |');
