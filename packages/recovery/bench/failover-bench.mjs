#!/usr/bin/env node
// Recovery executor benchmark: MariaDB 1 master + 2 GTID replicas (test kit), kill -9 of the master,
// then the DeadMaster analysis entry handed to the engine directly (in-memory raft publish and
// backend reads). Measures analysis entry → resolve-recovery published (successful) and → every
// sibling re-pointed and replicating. Detection time (prober) is not included: the daemon's
// end-to-end figure is measured by the e2e benchmark. Markdown on stdout, progress on stderr.
import { startMariaDBTopology, TOPOLOGY_PASSWORD, TOPOLOGY_USER } from '@orchestrator/testkit';
import { createMySQLOperations, createRecoveryEngine, liveView } from '../dist/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const log = (m) => process.stderr.write(`${m}\n`);
const key = (port) => ({ Hostname: '127.0.0.1', Port: port });

async function once() {
  const t = await startMariaDBTopology({ replicas: 2 });
  try {
    for (const port of t.ports) {
      const c = await t.server(port).connect();
      await c.query('SET SESSION sql_log_bin = 0');
      await c.query(`GRANT READ_ONLY ADMIN ON *.* TO '${TOPOLOGY_USER}'@'%'`);
      await c.end();
    }
    await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
    await t.waitForReplication();
    const leader = true;
    const leadership = { isLeaderWithQuorum: () => leader };
    const config = {
      MySQLTopologyUser: TOPOLOGY_USER,
      MySQLTopologyPassword: TOPOLOGY_PASSWORD,
      RecoverMasterClusterFilters: ['*'],
      RecoveryWarmupSeconds: 0.001,
    };
    const { mysql, close } = createMySQLOperations(config, leadership);
    const snapshot = new Map();
    for (const port of t.ports)
      snapshot.set(port, { ...liveView(await mysql.readState(key(port))), ClusterName: 'c' });
    const times = {};
    let start = 0;
    const engine = createRecoveryEngine({
      config,
      node: { hostname: 'bench', token: 'b' },
      leadership,
      mysql,
      publish: async (op, value) => {
        if (op === 'resolve-recovery' && value.IsSuccessful) times.resolved = performance.now() - start;
        if (op === 'write-recovery-step' && /^moved /.test(value.Message))
          times.moved = performance.now() - start;
      },
      reads: {
        clusterInstances: async () => [...snapshot.values()],
        instance: async (k) => snapshot.get(k.Port) ?? null,
        candidates: async () => [],
        activeRecoveries: async () => [],
        activeDetections: async () => [],
        isGlobalRecoveryDisabled: async () => false,
      },
    });
    await new Promise((r) => setTimeout(r, 10));
    await t.kill9(t.master);
    start = performance.now();
    const [outcome] = await engine.onAnalysis([
      {
        Analysis: 'DeadMaster',
        AnalyzedInstanceKey: key(t.master),
        AnalyzedInstanceMasterKey: { Hostname: '', Port: 0 },
        ClusterDetails: { ClusterName: 'c', ClusterAlias: '', ClusterDomain: '' },
        IsMaster: true,
        IsCoMaster: false,
        CountReplicas: 2,
        Replicas: t.replicas.map(key),
        IsDowntimed: false,
        IsActionableRecovery: true,
      },
    ]);
    if (outcome.outcome !== 'recovered') throw new Error(`run failed: ${JSON.stringify(outcome)}`);
    const successor = outcome.recovery.SuccessorKey.Port;
    const other = t.replicas.find((p) => p !== successor);
    for (let i = 0; i < 500; i++) {
      const [s] = await t.query(other, 'SHOW SLAVE STATUS');
      if (s && Number(s.Master_Port) === successor && s.Slave_IO_Running === 'Yes') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    times.replicating = performance.now() - start;
    await engine.drain();
    await close();
    return times;
  } finally {
    await t.destroy();
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${median.toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)})`;
};

const results = [];
for (let i = 0; i < RUNS; i++) {
  const r = await once();
  log(
    `run ${i + 1}/${RUNS}: resolved ${r.resolved?.toFixed(0)} ms, siblings moved ${r.moved?.toFixed(0)} ms, replicating ${r.replicating.toFixed(0)} ms`,
  );
  results.push(r);
}
console.log(`### Recovery executor: DeadMaster on MariaDB 1+2 (GTID), ${RUNS} runs

Analysis entry handed to the engine right after \`kill -9\` of the master (detection excluded; in-memory raft publish).

| what | median (min, max) |
|---|---|
| entry → successful \`resolve-recovery\` published | ${stats(results.map((r) => r.resolved))} |
| entry → sibling re-pointed (audit step) | ${stats(results.map((r) => r.moved))} |
| entry → sibling replicating from the new master (IO thread Yes) | ${stats(results.map((r) => r.replicating))} |
`);
