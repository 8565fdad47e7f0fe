// Store benchmarks: 10k instance upserts on SQLite (median of 5), and snapshot size/time and
// restore time for 10k instances. Prints a markdown table and writes bench-results.json.
// Run with `npm run bench` (builds first). Numbers depend on the machine; they are not asserted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emptyInstance, openStore } from '../dist/index.js';

const N = 10_000;
const RUNS = 5;
const dir = mkdtempSync(join(tmpdir(), 'orc-store-bench-'));
let fileNo = 0;

function instance(n) {
  const i = emptyInstance({ Hostname: `db-${String(n).padStart(5, '0')}.example.com`, Port: 3306 });
  const master =
    n % 10 === 0
      ? undefined
      : { Hostname: `db-${String(n - (n % 10)).padStart(5, '0')}.example.com`, Port: 3306 };
  Object.assign(i, {
    ServerID: n + 1,
    ServerUUID: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    Version: '10.11.19-MariaDB',
    Binlog_format: 'ROW',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    SelfBinlogCoordinates: { LogFile: 'mysql-bin.000042', LogPos: 123456 + n, Type: 'BinaryLog' },
    MasterKey: master ?? { Hostname: '', Port: 0 },
    ReplicationSQLThreadRuning: !!master,
    ReplicationIOThreadRuning: !!master,
    ExecutedGtidSet: `0-1-${1000 + n}`,
    ClusterName: `cluster-${Math.floor(n / 10)}`,
    DataCenter: `dc${n % 3}`,
    ReplicationDepth: master ? 1 : 0,
    LastSeenTimestamp: '2026-01-10T12:00:00.000Z',
    LastCheckedTimestamp: '2026-01-10T12:00:00.000Z',
    LastAttemptedCheckTimestamp: '2026-01-10T12:00:00.000Z',
  });
  return i;
}

const open = () => openStore({ BackendDB: 'sqlite', SQLite3DataFile: join(dir, `bench-${++fileNo}.db`) });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

const instances = Array.from({ length: N }, (_, n) => instance(n));

// CPU time is reported beside wall time: on a shared machine wall time mostly measures the others.
const cpuMs = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const insertMs = [];
const insertCpuMs = [];
const updateMs = [];
for (let run = 0; run < RUNS; run++) {
  const store = await open();
  let t = performance.now();
  const c = process.cpuUsage();
  await store.instances.upsert(instances);
  insertMs.push(performance.now() - t);
  insertCpuMs.push(cpuMs(c));
  t = performance.now();
  await store.instances.upsert(instances);
  updateMs.push(performance.now() - t);
  await store.close();
}

// Snapshot of 10k instances plus some replicated operator data.
const source = await open();
await source.instances.upsert(instances);
for (let n = 0; n < 1000; n++) {
  await source.applyCommand('put-instance-tag', {
    Key: instances[n].Key,
    T: { TagName: 'role', TagValue: `r${n % 7}`, HasValue: true, Negate: false },
    CreatedAt: '2026-01-10T12:00:00Z',
  });
}
/** Runs `fn` while a 1 ms ticker records the longest gap between ticks: the longest event-loop block. */
async function longestBlock(fn) {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 1);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(max, performance.now() - last);
}

const snapMs = [];
const snapBlocks = [];
let snapshot;
for (let run = 0; run < RUNS; run++) {
  const t = performance.now();
  snapBlocks.push(
    await longestBlock(async () => {
      snapshot = await source.snapshot();
    }),
  );
  snapMs.push(performance.now() - t);
}
const snapshotMaxBlockMs = median(snapBlocks);

const restoreMs = [];
const restoreBlocks = [];
for (let run = 0; run < RUNS; run++) {
  const target = await open();
  const t = performance.now();
  restoreBlocks.push(await longestBlock(() => target.restore(snapshot)));
  restoreMs.push(performance.now() - t);
  await target.close();
}
await source.close();
rmSync(dir, { recursive: true, force: true });

const results = {
  instances: N,
  runs: RUNS,
  sqliteUpsertInsertMsMedian: round(median(insertMs)),
  sqliteUpsertInsertCpuMsMedian: round(median(insertCpuMs)),
  sqliteUpsertUpdateMsMedian: round(median(updateMs)),
  sqliteUpsertsPerSecond: Math.round(N / (median(insertMs) / 1000)),
  snapshotBytes: snapshot.length,
  snapshotMsMedian: round(median(snapMs)),
  snapshotMaxEventLoopBlockMs: round(snapshotMaxBlockMs),
  restoreMsMedian: round(median(restoreMs)),
  restoreMaxEventLoopBlockMs: round(median(restoreBlocks)),
  loadAverage1m: (await import('node:os')).loadavg()[0],
  node: process.version,
  date: new Date().toISOString(),
};

console.log('| measure | value |');
console.log('|---|---|');
console.log(
  `| 10k instance upserts, SQLite, fresh rows (median of ${RUNS}) | ${results.sqliteUpsertInsertMsMedian} ms |`,
);
console.log(`| same, CPU time (median of ${RUNS}) | ${results.sqliteUpsertInsertCpuMsMedian} ms |`);
console.log(
  `| 10k instance upserts, SQLite, existing rows (median of ${RUNS}) | ${results.sqliteUpsertUpdateMsMedian} ms |`,
);
console.log(`| upsert rate | ${results.sqliteUpsertsPerSecond} instances/s |`);
console.log(
  `| snapshot size, 10k instances + 1k tags (gzip) | ${(results.snapshotBytes / 1024).toFixed(1)} KiB |`,
);
console.log(`| snapshot time (median of ${RUNS}) | ${results.snapshotMsMedian} ms |`);
console.log(`| restore time (median of ${RUNS}) | ${results.restoreMsMedian} ms |`);
console.log(`| 1-minute load average during the run | ${results.loadAverage1m.toFixed(1)} |`);
console.log(
  `| longest event-loop block (median of runs), snapshot / restore | ${results.snapshotMaxEventLoopBlockMs} / ${results.restoreMaxEventLoopBlockMs} ms |`,
);
writeFileSync(new URL('../bench-results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
