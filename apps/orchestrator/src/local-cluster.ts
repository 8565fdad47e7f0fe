// `npm start`: a local 3-node raft cluster on the embedded SQLite backend, for trying things out.
// Writes one orchestrator.conf.json per node under .local-cluster/ (reused by the next start while
// the raft ports stay the same, see local-cluster-plan.ts), starts three daemons, prints the URLs,
// seeds discovery with the local MariaDB on 127.0.0.1:3306 (ORCHESTRATOR_LOCAL_SEED: another
// host:port, or empty for none) when one answers, and stops the nodes (by pid) on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  choosePorts,
  type LocalClusterManifest,
  MANIFEST_FILE,
  manifestFromConfigs,
  parseManifest,
  planWorkDir,
} from './local-cluster-plan.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundled daemon (what the `orchestrator` bin runs; it starts faster), else tsc's cli.js. */
function daemonEntry(): string {
  const bundle = join(here, 'orchestrator.mjs');
  return existsSync(bundle) ? bundle : join(here, 'cli.js');
}
const repoRoot = resolve(here, '../../..');
const workDir = resolve(process.env.ORCHESTRATOR_LOCAL_DIR ?? join(repoRoot, '.local-cluster'));

/** An environment variable holding a port or a count; a bad value stops the start, naming it. */
function positiveInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${JSON.stringify(text)} is not an integer from 1 to 65535`);
  }
  return value;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port, timeout: 500 });
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

/** The node directories (node1, node2, …) a previous run left in the work directory. */
function nodeDirs(): string[] {
  if (!existsSync(workDir)) return [];
  return readdirSync(workDir).filter((name) => /^node\d+$/.test(name));
}

/** What the last run recorded: ports.json, else (a directory from an older version) its node configs. */
function readManifest(): LocalClusterManifest | undefined {
  const file = join(workDir, MANIFEST_FILE);
  if (existsSync(file)) return parseManifest(readFileSync(file, 'utf8'));
  const dirs = nodeDirs().sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  try {
    return manifestFromConfigs(
      dirs.map((dir) => readFileSync(join(workDir, dir, 'orchestrator.conf.json'), 'utf8')),
    );
  } catch {
    return undefined; // a node directory without its config
  }
}

/** True when `pid` is another running `npm start` (the cmdline check guards against a reused pid). */
function runningLocalCluster(pid: number | undefined): boolean {
  if (pid === undefined || pid === process.pid) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('local-cluster');
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const nodes = positiveInt('ORCHESTRATOR_LOCAL_NODES', 3);
  // Where the search for free ports starts (when the last run's ports are not all free).
  const basePorts = {
    http: positiveInt('ORCHESTRATOR_LOCAL_HTTP_PORT', 3000),
    raft: positiveInt('ORCHESTRATOR_LOCAL_RAFT_PORT', 10008),
  };
  const previous = readManifest();
  if (runningLocalCluster(previous?.pid)) {
    // Its ports are taken by its own nodes: going on would move the ports and rebuild the
    // directory under the running cluster.
    throw new Error(
      `a local cluster is already running from ${workDir} (pid ${previous!.pid}): stop it first, or set ORCHESTRATOR_LOCAL_DIR for another one`,
    );
  }
  const ports = await choosePorts(previous, nodes, basePorts, portFree);
  const chosen: LocalClusterManifest = { nodes, ports };
  const plan = planWorkDir(workDir, previous, nodeDirs().length > 0, chosen);
  console.log(`local cluster: ${plan.message}`);
  if (plan.action === 'rebuild') {
    // Only what this script creates: the work directory may hold other files.
    for (const dir of nodeDirs()) rmSync(join(workDir, dir), { recursive: true, force: true });
  }
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    join(workDir, MANIFEST_FILE),
    `${JSON.stringify({ ...chosen, pid: process.pid }, null, 2)}\n`,
  );

  const httpPorts = ports.http;
  const raftNodes = ports.raft.map((p) => `127.0.0.1:${p}`);
  const seed = process.env.ORCHESTRATOR_LOCAL_SEED ?? '127.0.0.1:3306';
  const seedMatch = /^(.+):(\d+)$/.exec(seed);
  if (seed !== '' && !seedMatch)
    throw new Error(`ORCHESTRATOR_LOCAL_SEED=${JSON.stringify(seed)} is not host:port`);
  const seeds = seedMatch && (await reachable(seedMatch[1]!, Number(seedMatch[2]))) ? [seed] : [];
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
  for (let i = 0; i < nodes; i++) {
    console.log(`  node${i + 1}: ${apis[i]}  (raft ${raftNodes[i]}, pid ${children[i]!.pid})`);
  }
  console.log(
    seeds.length > 0
      ? `  discovering the MySQL/MariaDB server at ${seed}`
      : `  no MySQL/MariaDB server answers at ${seed || '(no ORCHESTRATOR_LOCAL_SEED)'}: discover one with /api/discover/:host/:port`,
  );
  console.log(`  web interface: http://127.0.0.1:${httpPorts[0]}/web/ (any node serves it)`);
  console.log('  try it (these ports):');
  console.log(`    curl -s ${apis[0]}/raft-status`);
  console.log(`    export ORCHESTRATOR_API="${apis.join(' ')}"`);
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
