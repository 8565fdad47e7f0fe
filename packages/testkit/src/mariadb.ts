// Real MariaDB servers for tests: separate `mariadbd` processes, each with its own temp datadir copied
// from a template made once per test process, on 127.0.0.1 with a free port, or in a NetLab host on
// the host's IP and port 3306 (each namespace has its own network stack).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { inHost, type NetHost } from './netlab.js';
import { freePort } from './ports.js';
import { ProcessHandle } from './process.js';
import { makeTempDir, removeTempDir } from './registry.js';

const execFileAsync = promisify(execFile);

export const TOPOLOGY_USER = 'orc_topology';
export const TOPOLOGY_PASSWORD = 'orc_topology_pw';
export const REPLICATION_USER = 'repl';
export const REPLICATION_PASSWORD = 'repl_pw';

/** Thrown when mariadbd or mariadb-install-db is missing or a server does not come up. */
export class MariaDBKitError extends Error {
  readonly code = 'MARIADB_KIT';
}

function findBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new MariaDBKitError(`${name} not found: install the mariadb-server package (scripts/setup.sh does)`);
}

const SETUP_SQL = `
  DELETE FROM mysql.global_priv WHERE User = '';
  CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';
  GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
  CREATE USER IF NOT EXISTS '${TOPOLOGY_USER}'@'%' IDENTIFIED BY '${TOPOLOGY_PASSWORD}';
  GRANT SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SELECT, REPLICATION MASTER ADMIN, REPLICATION SLAVE ADMIN, SLAVE MONITOR, BINLOG MONITOR, READ_ONLY ADMIN ON *.* TO '${TOPOLOGY_USER}'@'%';
  GRANT DROP ON \`_pseudo_gtid_\`.* TO '${TOPOLOGY_USER}'@'%';
  CREATE USER IF NOT EXISTS '${REPLICATION_USER}'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}';
  GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'%';
  CREATE DATABASE IF NOT EXISTS test;
  FLUSH PRIVILEGES;
`;

/** Settings that make a datadir small and a server quick to start. */
const SMALL_SERVER = ['--innodb-log-file-size=4M', '--innodb-data-file-path=ibdata1:12M:autoextend'];

let templatePromise: Promise<string> | undefined;

/** A datadir with system tables and our users, made once per test process and then copied. */
function template(): Promise<string> {
  // A failed attempt is not cached: the next server start tries again.
  templatePromise ??= makeTemplate().catch((error: unknown) => {
    templatePromise = undefined;
    throw error;
  });
  return templatePromise;
}

async function makeTemplate(): Promise<string> {
  const installDb = findBinary('mariadb-install-db');
  const base = makeTempDir('mariadb-template');
  const datadir = join(base, 'data');
  const userArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
  await execFileAsync(installDb, [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    `--tmpdir=${base}`,
    ...userArgs,
    ...SMALL_SERVER,
  ]).catch((error: Error & { stderr?: string }) => {
    throw new MariaDBKitError(`mariadb-install-db failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  // Add users with binary logging off, so every copy starts with an empty GTID history.
  const server = new MariaDBServer(datadir, await freePort(), 1, ['--skip-log-bin'], { replication: false });
  await server.start();
  const connection = await server.connect({ multipleStatements: true });
  await connection.query(SETUP_SQL);
  await connection.end();
  await server.stop();
  return datadir;
}

/** A server setting left at the server's own default (no flag, no clause). */
export const SERVER_DEFAULT = 'server-default';

export interface StartMariaDBOptions {
  /** server_id (default: the port, or a unique number for servers in lab hosts). */
  readonly serverId?: number;
  /** Extra mariadbd arguments. */
  readonly args?: readonly string[];
  /**
   * Runs the server inside this NetLab host (`ip netns exec`), bound to the host's IP on port 3306,
   * with report-host = that IP. Default: 127.0.0.1 and a free port.
   */
  readonly labHost?: NetHost;
  /** `--slave-net-timeout` in seconds (default 4); SERVER_DEFAULT passes no flag (the server's 60). */
  readonly slaveNetTimeout?: number | typeof SERVER_DEFAULT;
}

/** How a MariaDBServer is run, besides its datadir, port and server_id. */
export interface MariaDBServerSettings {
  /** GTID binary logging, report-host/port and slave-net-timeout (default true; off for the template). */
  readonly replication?: boolean;
  readonly slaveNetTimeout?: number | typeof SERVER_DEFAULT;
  readonly labHost?: NetHost;
}

/** `<datadir>/../tmp`, created if missing. */
function tmpdirBeside(datadir: string): string {
  const dir = join(datadir, '..', 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One running `mariadbd`. `query` connects as root over TCP to host:port. */
export class MariaDBServer {
  /** The address it listens on and reports: 127.0.0.1, or its lab host's IP. */
  readonly host: string;
  /** The NetLab host it runs in, if any. */
  readonly labHost: NetHost | undefined;
  private readonly handle: ProcessHandle;

  constructor(
    readonly datadir: string,
    readonly port: number,
    readonly serverId: number,
    extraArgs: readonly string[],
    settings: MariaDBServerSettings = {},
  ) {
    this.labHost = settings.labHost;
    this.host = settings.labHost?.ip ?? '127.0.0.1';
    const userArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
    const slaveNetTimeout = settings.slaveNetTimeout ?? 4;
    const replication =
      settings.replication !== false
        ? [
            '--log-bin=mysql-bin',
            '--log-slave-updates=ON',
            '--binlog-format=ROW',
            '--gtid-strict-mode=ON',
            `--report-host=${this.host}`,
            `--report-port=${port}`,
            ...(slaveNetTimeout === SERVER_DEFAULT ? [] : [`--slave-net-timeout=${slaveNetTimeout}`]),
          ]
        : [];
    const name = settings.labHost ? `${settings.labHost.name}:${port}` : String(port);
    const spec = {
      command: findBinary('mariadbd'),
      args: [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        `--bind-address=${this.host}`,
        `--socket=${join(datadir, 'mysqld.sock')}`,
        `--pid-file=${join(datadir, 'mysqld.pid')}`,
        `--log-error=${join(datadir, 'error.log')}`,
        // Private temp files: a shared /tmp can be cleaned under a running server by other tests.
        `--tmpdir=${tmpdirBeside(datadir)}`,
        `--server-id=${serverId}`,
        '--skip-name-resolve',
        '--performance-schema=OFF',
        '--innodb-buffer-pool-size=16M',
        '--innodb-flush-log-at-trx-commit=2',
        '--sync-binlog=0',
        '--max-connections=500',
        // A restart on the same port waits for it rather than failing when something holds it briefly.
        '--port-open-timeout=10',
        ...SMALL_SERVER,
        ...replication,
        ...userArgs,
        ...extraArgs,
      ],
    };
    this.handle = new ProcessHandle(`mariadbd:${name}`, inHost(settings.labHost, spec));
  }

  /** `host:port`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get pid(): number {
    return this.handle.pid;
  }

  get running(): boolean {
    return this.handle.running;
  }

  /** Starts the process and resolves once it accepts connections (or rejects with its error log). */
  async start(timeoutMs = 30_000): Promise<void> {
    this.handle.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const c = await this.connect({ connectTimeout: 1000 });
        await c.end();
        return;
      } catch (error) {
        if (!this.handle.running || Date.now() > deadline) {
          await this.handle.kill9();
          throw new MariaDBKitError(
            `mariadbd on ${this.address} did not start: ${(error as Error).message}\n${await this.errorLogTail()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async errorLogTail(): Promise<string> {
    try {
      const { stdout } = await execFileAsync('tail', ['-n', '30', join(this.datadir, 'error.log')]);
      return stdout;
    } catch {
      return this.handle.output();
    }
  }

  connect(options: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
    return mysql.createConnection({ host: this.host, port: this.port, user: 'root', ...options });
  }

  /** Runs one statement as root and returns its rows (or the result header for writes). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.connect();
    try {
      const [rows] = await c.query(sql, params);
      return (Array.isArray(rows) ? rows : [rows]) as T[];
    } finally {
      await c.end();
    }
  }

  async kill9(): Promise<void> {
    await this.handle.kill9();
  }

  /** SIGSTOP (resolved once stopped): the server hangs with its sockets open. */
  hang(): Promise<void> {
    return this.handle.hang();
  }

  /** SIGCONT after hang(). */
  resume(): Promise<void> {
    return this.handle.resume();
  }

  async stop(): Promise<void> {
    await this.handle.stop(15_000);
  }

  /** Starts again on the same address and datadir (after stop or kill9). */
  async restart(): Promise<void> {
    if (this.handle.running) await this.stop();
    await this.start();
  }

  /** Kills the server and removes its datadir. */
  async destroy(): Promise<void> {
    await this.handle.kill9();
    removeTempDir(join(this.datadir, '..'));
  }
}

/** The standard port: a server in a lab host has the host's network stack to itself. */
const LAB_PORT = 3306;
/** server_ids of servers in lab hosts: above the range of ports, unique per process. */
let nextLabServerId = 100_000;

/**
 * A fresh standalone server with the kit's users, GTID binary logging and its own datadir, on
 * 127.0.0.1 and a free port, or (labHost) on the lab host's IP and port 3306.
 */
export async function startMariaDB(options: StartMariaDBOptions = {}): Promise<MariaDBServer> {
  const source = await template();
  const base = makeTempDir('mariadb');
  const datadir = join(base, 'data');
  cpSync(source, datadir, { recursive: true });
  const port = options.labHost ? LAB_PORT : await freePort();
  const serverId = options.serverId ?? (options.labHost ? nextLabServerId++ : port);
  const server = new MariaDBServer(datadir, port, serverId, options.args ?? [], {
    labHost: options.labHost,
    slaveNetTimeout: options.slaveNetTimeout,
  });
  try {
    await server.start();
  } catch (error) {
    removeTempDir(base);
    throw error;
  }
  return server;
}
