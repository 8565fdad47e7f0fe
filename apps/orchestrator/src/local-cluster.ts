// `npm start`: a local 3-node raft cluster on the embedded SQLite backend, for trying things out.
// Writes one orchestrator.conf.json per node under .local-cluster/, starts three daemons, prints the
// URLs, seeds discovery with the local MariaDB on 127.0.0.1:3306 when one answers, and stops the
// nodes (by pid) on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundled daemon (what the `orchestrator` bin runs; it starts faster), else tsc's cli.js. */
function daemonEntry(): string {
  const bundle = join(here, 'orchestrator.mjs');
  return existsSync(bundle) ? bundle : join(here, 'cli.js');
}
const repoRoot = resolve(here, '../../..');
const workDir = resolve(process.env.ORCHESTRATOR_LOCAL_DIR ?? join(repoRoot, '.local-cluster'));
const nodes = Number(process.env.ORCHESTRATOR_LOCAL_NODES ?? 3);

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

/** `count` consecutive free ports starting at `from` (or the next free block). */
async function portBlock(from: number, count: number): Promise<number[]> {
  for (let start = from; start < from + 1000; start += count) {
    const ports = Array.from({ length: count }, (_, i) => start + i);
    const free = await Promise.all(ports.map(portFree));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} free consecutive ports from ${from}`);
}

async function main(): Promise<void> {
  const httpPorts = await portBlock(3000, nodes);
  const raftPorts = await portBlock(10008, nodes);
  const raftNodes = raftPorts.map((p) => `127.0.0.1:${p}`);
  const seeds = (await reachable(3306)) ? ['127.0.0.1:3306'] : [];
  const children: ChildProcess[] = [];

  for (let i = 0; i < nodes; i++) {
    const dir = join(workDir, `node${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const config = {
      ListenAddress: `127.0.0.1:${httpPorts[i]}`,
      HTTPAdvertise: `http://127.0.0.1:${httpPorts[i]}`,
      RaftEnabled: true,
      RaftDataDir: join(dir, 'raft'),
      RaftBind: raftNodes[i],
      DefaultRaftPort: 10008,
      RaftNodes: raftNodes,
      BackendDB: 'sqlite',
      SQLite3DataFile: join(dir, 'orchestrator.sqlite3'),
      MySQLTopologyUser: process.env.ORCHESTRATOR_TOPOLOGY_USER ?? 'root',
      MySQLTopologyPassword: process.env.ORCHESTRATOR_TOPOLOGY_PASSWORD ?? '',
      DiscoverySeeds: seeds,
      MySQLHostnameResolveMethod: 'none',
      InstancePollSeconds: 5,
      RecoveryPeriodBlockSeconds: 600,
      RecoverMasterClusterFilters: ['*'],
      RecoverIntermediateMasterClusterFilters: ['*'],
    };
    const configFile = join(dir, 'orchestrator.conf.json');
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const child = spawn(process.execPath, [daemonEntry(), `--config=${configFile}`, 'http'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ORCHESTRATOR_LOG_FORMAT: process.env.ORCHESTRATOR_LOG_FORMAT ?? 'pretty' },
    });
    children.push(child);
  }

  const apis = httpPorts.map((p) => `http://127.0.0.1:${p}/api`);
  console.log(`\nlocal orchestrator cluster: ${nodes} nodes, SQLite backends under ${workDir}`);
  for (let i = 0; i < nodes; i++) console.log(`  node${i + 1}: ${apis[i]}  (raft ${raftNodes[i]})`);
  console.log(
    seeds.length > 0
      ? '  discovering the local MariaDB at 127.0.0.1:3306'
      : '  no MariaDB on 127.0.0.1:3306: discover one with /api/discover/:host/:port',
  );
  console.log(`  web interface: http://127.0.0.1:${httpPorts[0]}/web/ (any node serves it)`);
  console.log(`  leader: curl -s ${apis[0]}/raft-status ; client: ORCHESTRATOR_API="${apis.join(' ')}"`);
  console.log('  Ctrl-C stops all nodes\n');

  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
    setTimeout(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      process.exit(0);
    }, 3000).unref();
  };
  process.on('SIGINT', () => stopAll('SIGTERM'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  await Promise.all(children.map((c) => new Promise((done) => c.once('exit', done))));
  if (!stopping) {
    console.error('a node exited; stopping the others');
    stopAll('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(`local cluster: ${(error as Error).message}`);
  process.exit(1);
});
