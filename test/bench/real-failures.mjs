// Real failures, measured: MariaDB 1 master + 2 GTID replicas and 3 orchestrator nodes, each on a host
// of its own (network namespaces), an application writing throughout. For each failure kind
// (kill -9, hung by SIGSTOP, blackholed: link down, no reset) and each replica setting (the server's
// defaults: slave_net_timeout 60 s, heartbeat 30 s; slave_net_timeout=4: heartbeat 2 s, as the
// reference recommends), the time from the fault to a successful recovery in /api/audit-recovery.
// Then false failovers: a live master that only the leader, or every orchestrator node, loses, and
// a flapping link, repeated many times on one lab. Prints a markdown section.
import { SERVER_DEFAULT_TIMING } from '@orchestrator/testkit';
import { FailureLab, recoveries, waitForRecovery } from '../dist/index.js';
import { HEADER, row, sleep } from './stats.mjs';

const RUNS = Number(process.env.BENCH_REAL_FAILURE_RUNS ?? 5);
const TRIALS = Number(process.env.BENCH_FALSE_FAILOVER_TRIALS ?? 20);

const SETTINGS = [
  { name: 'slave_net_timeout=4', timing: { slaveNetTimeout: 4, heartbeatPeriod: 'server-default' } },
  { name: 'server defaults', timing: SERVER_DEFAULT_TIMING },
];

const FAULTS = {
  'kill -9': (lab) => lab.topology.kill9(lab.topology.master),
  hung: (lab) => lab.topology.hang(lab.topology.master),
  blackholed: async (lab) => {
    lab.lab.blackhole(lab.topology.master, { maxMs: 180_000 });
  },
};

async function failoverOnce(setting, fault) {
  const lab = await FailureLab.start({ timing: setting.timing });
  try {
    lab.writer.start();
    await sleep(1500 + Math.random() * 5000); // a random point of the poll cycle
    const t0 = Date.now();
    await FAULTS[fault](lab);
    await waitForRecovery(lab, lab.topology.master, 120_000);
    return Date.now() - t0;
  } finally {
    await lab.destroy();
  }
}

/** Repeats a fault that must not cause a failover; counts the failovers it caused anyway. */
async function falseFailovers(name, inject) {
  let failovers = 0;
  let trials = 0;
  let lab = await FailureLab.start({ timing: { slaveNetTimeout: 4, heartbeatPeriod: 'server-default' } });
  lab.writer.start();
  try {
    for (; trials < TRIALS; trials++) {
      await sleep(1500);
      await inject(lab);
      await sleep(3000);
      if ((await recoveries(lab)).length > 0) {
        failovers++;
        console.error(`${name}: trial ${trials} failed over`);
        await lab.destroy();
        lab = await FailureLab.start({ timing: { slaveNetTimeout: 4, heartbeatPeriod: 'server-default' } });
        lab.writer.start();
      }
    }
  } finally {
    await lab.destroy();
  }
  return { failovers, trials };
}

const lines = [];
for (const setting of SETTINGS) {
  for (const fault of Object.keys(FAULTS)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      try {
        times.push(await failoverOnce(setting, fault));
      } catch (error) {
        console.error(`${setting.name} ${fault} run ${i}: ${error.message.split('\n')[0]}`);
      }
    }
    const reference =
      fault === 'kill -9'
        ? 'median 4.87–5.63 s (poll 5)'
        : setting.name === 'server defaults'
          ? fault === 'hung'
            ? '35.9 s (1 run)'
            : '–'
          : fault === 'hung'
            ? '5.8–5.9 s (2 runs)'
            : '5.3–7.2 s (2 runs)';
    const target =
      fault === 'kill -9'
        ? 'median ≤ 1.5 s'
        : setting.name === 'server defaults'
          ? 'no slower than the reference'
          : 'median ≤ 3 s';
    lines.push(
      row(`${fault}, replicas at ${setting.name}: fault → successful recovery`, times, reference, target),
    );
    if (times.length < RUNS)
      lines.push(
        `| ${fault}, ${setting.name}: runs that did not recover in 120 s | ${RUNS - times.length} of ${RUNS} | | | | | |`,
      );
  }
}

const partitionFor = (hosts) => async (lab) => {
  const cut = lab.lab.partition(await hosts(lab), [lab.topology.master], { maxMs: 30_000 });
  await sleep(6000); // well past the detection bound (heartbeat 2 s → 2.3 s of silence)
  cut.heal();
};
const falseCases = [
  [
    'only the orchestrator leader loses the master (6 s)',
    partitionFor(async (lab) => [lab.hostOf(await lab.leader())]),
  ],
  [
    'every orchestrator node loses the master, replicas keep replicating (6 s)',
    partitionFor(async () => ['orc1', 'orc2', 'orc3']),
  ],
  [
    'the master link flaps 3 × (down 800 ms, up 1 s)',
    (lab) => lab.lab.flap(lab.topology.master, { downMs: 800, upMs: 1000, cycles: 3 }),
  ],
];
const falseLines = [];
for (const [name, inject] of falseCases) {
  const { failovers, trials } = await falseFailovers(name, inject);
  falseLines.push(`| ${name} | ${failovers} | ${trials} | 0 in ≥ 20 trials |`);
}

console.log(`### Real failures: hung and cut-off masters (MariaDB 1+2 in network namespaces, 3 orchestrator nodes, an application writing)

Each run is a fresh lab; InstancePollSeconds 5, MySQLConnectTimeoutSeconds 1. "slave_net_timeout=4" leaves the heartbeat period
at the server's default for it (2 s); "server defaults" sets neither (slave_net_timeout 60 s, heartbeat 30 s).

${HEADER}
${lines.join('\n')}

False failovers (slave_net_timeout=4, one lab per case, a failover rebuilds it):

| fault that must not fail over | failovers | trials | target |
|---|---|---|---|
${falseLines.join('\n')}
`);
process.exit(0);
