// Real MariaDB servers for tests: separate `mariadbd` processes on 127.0.0.1, each with its own
// free port and temp datadir copied from a template made once per test process.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
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
  const server = new MariaDBServer(datadir, await freePort(), 1, ['--skip-log-bin'], false);
  await server.start();
  const connection = await server.connect({ multipleStatements: true });
  await connection.query(SETUP_SQL);
  await connection.end();
  await server.stop();
  return datadir;
}

export interface StartMariaDBOptions {
  /** server_id (default: the port, which is unique per run). */
  readonly serverId?: number;
  /** Extra mariadbd arguments. */
  readonly args?: readonly string[];
}

/** `<datadir>/../tmp`, created if missing. */
function tmpdirBeside(datadir: string): string {
  const dir = join(datadir, '..', 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One running `mariadbd`. `query` connects as root over TCP. */
export class MariaDBServer {
  readonly host = '127.0.0.1';
  private readonly handle: ProcessHandle;

  constructor(
    readonly datadir: string,
    readonly port: number,
    readonly serverId: number,
    extraArgs: readonly string[],
    replicationDefaults = true,
  ) {
    const userArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
    const replication = replicationDefaults
      ? [
          '--log-bin=mysql-bin',
          '--log-slave-updates=ON',
          '--binlog-format=ROW',
          '--gtid-strict-mode=ON',
          `--report-host=127.0.0.1`,
          `--report-port=${port}`,
          '--slave-net-timeout=4',
        ]
      : [];
    this.handle = new ProcessHandle(`mariadbd:${port}`, {
      command: findBinary('mariadbd'),
      args: [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
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
    });
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
            `mariadbd on port ${this.port} did not start: ${(error as Error).message}\n${await this.errorLogTail()}`,
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

  /** Starts again on the same port and datadir (after stop or kill9). */
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

/** A fresh standalone server with the kit's users, GTID binary logging and its own port and datadir. */
export async function startMariaDB(options: StartMariaDBOptions = {}): Promise<MariaDBServer> {
  const source = await template();
  const base = makeTempDir('mariadb');
  const datadir = join(base, 'data');
  cpSync(source, datadir, { recursive: true });
  const port = await freePort();
  const server = new MariaDBServer(datadir, port, options.serverId ?? port, options.args ?? []);
  try {
    await server.start();
  } catch (error) {
    removeTempDir(base);
    throw error;
  }
  return server;
}
