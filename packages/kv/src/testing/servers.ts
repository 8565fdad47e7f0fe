// Real ZooKeeper and etcd servers for tests, from Debian's `zookeeper` and `etcd-server` packages
// (scripts/setup.sh installs them). Each runs in its own temp dir on free loopback ports and is
// stopped by pid; the test kit kills it and removes the dir even if the test process dies.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, makeTempDir, ProcessHandle, removeTempDir } from '@orchestrator/testkit';

const ZOOKEEPER_JAR = process.env.ZOOKEEPER_JAR ?? '/usr/share/java/zookeeper.jar';
const ETCD = process.env.ETCD_BIN ?? '/usr/bin/etcd';

/** A running test server. */
export interface TestServer {
  /** The address to configure: `127.0.0.1:<port>` for ZooKeeper, `http://127.0.0.1:<port>` for etcd. */
  readonly address: string;
  readonly port: number;
  readonly process: ProcessHandle;
  /** Stops the process (keeping its data) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops the process and removes its temp dir. */
  destroy(): Promise<void>;
}

/** Whether the servers can be started here (the Debian packages are installed). */
export function haveZooKeeper(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync('/usr/bin/java');
}

export function haveEtcd(): boolean {
  return existsSync(ETCD);
}

async function until(what: string, check: () => Promise<boolean>, handle: ProcessHandle, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!handle.running) throw new Error(`${what} exited: ${handle.output().slice(-2000)}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${ms} ms: ${handle.output().slice(-2000)}`);
}

/** Sends a ZooKeeper four-letter word and resolves with the answer ('' on any error). */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 1000);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** A standalone ZooKeeper (QuorumPeerMain on a zoo.cfg in a temp dir). */
export async function startZooKeeper(): Promise<TestServer> {
  if (!haveZooKeeper()) {
    throw new Error(
      `ZooKeeper is not installed (${ZOOKEEPER_JAR}): apt-get install zookeeper (scripts/setup.sh)`,
    );
  }
  const dir = makeTempDir('zookeeper');
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  await writeFile(
    cfg,
    [
      'tickTime=500',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr',
      'maxSessionTimeout=20000',
      '',
    ].join('\n'),
  );
  const handle = new ProcessHandle('zookeeper', {
    command: '/usr/bin/java',
    args: [
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-Dzookeeper.jmx.log4j.disable=true',
      '-cp',
      ZOOKEEPER_JAR,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      cfg,
    ],
    cwd: dir,
  });
  const start = async () => {
    handle.start();
    await until('ZooKeeper', async () => (await fourLetterWord(port, 'ruok')) === 'imok', handle, 60_000);
  };
  try {
    await start();
  } catch (error) {
    await handle.kill9();
    removeTempDir(dir);
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    process: handle,
    async restart() {
      await handle.stop(5000);
      await start();
    },
    async destroy() {
      await handle.stop(5000);
      removeTempDir(dir);
    },
  };
}

/** A single-member etcd cluster in a temp dir. */
export async function startEtcd(): Promise<TestServer> {
  if (!haveEtcd())
    throw new Error(`etcd is not installed (${ETCD}): apt-get install etcd-server (scripts/setup.sh)`);
  const dir = makeTempDir('etcd');
  const [port, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const handle = new ProcessHandle('etcd', {
    command: ETCD,
    args: [
      '--name=test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      '--log-level=error',
    ],
    cwd: dir,
  });
  const healthy = async () => {
    try {
      const r = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
      return r.ok && ((await r.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  };
  const start = async () => {
    handle.start();
    await until('etcd', healthy, handle, 30_000);
  };
  try {
    await start();
  } catch (error) {
    await handle.kill9();
    removeTempDir(dir);
    throw error;
  }
  return {
    address: client,
    port,
    process: handle,
    async restart() {
      await handle.stop(5000);
      await start();
    },
    async destroy() {
      await handle.stop(5000);
      removeTempDir(dir);
    },
  };
}
