import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mysqlDialect, sqliteDialect } from '../src/backend/dialect.js';
import { expandEnv, parseMyCnfClient } from '../src/backend/mycnf.js';
import { isSqlite, openBackend } from '../src/backend/open.js';
import { BackendError, SchemaVersionError } from '../src/errors.js';
import { currentSchemaVersion, schemaVersion } from '../src/schema/migrations.js';
import { allTables } from '../src/schema/tables.js';
import { openStore } from '../src/store.js';
import { Env, kinds } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

describe('dialect', () => {
  it('renders upserts and insert-ignore per backend', () => {
    expect(sqliteDialect.upsert('t', ['a', 'b'], ['a'], ['b'], 2)).toBe(
      'INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b',
    );
    expect(mysqlDialect.upsert('t', ['a', 'b'], ['a'], ['b'])).toBe(
      'INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE b = VALUES(b)',
    );
    expect(sqliteDialect.upsert('t', ['a'], ['a'], [])).toMatch(/DO NOTHING$/);
    expect([sqliteDialect.insertIgnore, mysqlDialect.insertIgnore]).toEqual([
      'INSERT OR IGNORE',
      'INSERT IGNORE',
    ]);
  });

  it('picks the backend from BackendDB like orchestrator', () => {
    expect(isSqlite({ BackendDB: 'sqlite3' })).toBe(true);
    expect(isSqlite({ BackendDB: 'SQLite' })).toBe(true);
    expect(isSqlite({})).toBe(false);
    expect(isSqlite({ BackendDB: 'mysql' })).toBe(false);
  });

  it('parses [client] credentials from a my.cnf', () => {
    const text =
      '[mysqld]\nuser=wrong\n[client]\nuser = orc\npassword="p=w;d"\n# comment\n[other]\npassword=no\n';
    expect(parseMyCnfClient(text)).toEqual({ user: 'orc', password: 'p=w;d' });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax is what is tested
  it('expands ${VAR} in the password like orchestrator', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${VAR} syntax is what is tested
    expect(expandEnv('pre-${ORC_PW}-${MISSING}', { ORC_PW: 'secret' })).toBe('pre-secret-');
  });
});

describe('SQLite backend', () => {
  it('creates the file, uses WAL and a busy timeout', async () => {
    const file = env.sqliteFile();
    const store = await openStore({ BackendDB: 'sqlite', SQLite3DataFile: file });
    expect((await store.backend.query('PRAGMA journal_mode'))[0]).toEqual({ journal_mode: 'wal' });
    expect(Number(Object.values((await store.backend.query('PRAGMA busy_timeout'))[0] ?? {})[0])).toBe(5000);
    await store.close();
  });

  it('names the file when its directory is missing or it is not writable', async () => {
    const missing = join(env.sqliteFile(), 'no-such-dir', 'orc.db');
    await expect(openBackend({ BackendDB: 'sqlite', SQLite3DataFile: missing })).rejects.toMatchObject({
      code: 'BACKEND_DIR_MISSING',
      target: missing,
    });
    // /proc refuses new files even for root.
    const err = await openBackend({ BackendDB: 'sqlite', SQLite3DataFile: '/proc/orc-store-test.db' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('BACKEND_NOT_WRITABLE');
    expect((err as BackendError).message).toContain('/proc/orc-store-test.db');
    await expect(openBackend({ BackendDB: 'sqlite' })).rejects.toMatchObject({ code: 'BACKEND_CONFIG' });
  });

  it('serialises a transaction against concurrent statements', async () => {
    const store = await env.open('sqlite');
    const b = store.backend;
    const tx = b.transaction(async (q) => {
      await q.exec("INSERT INTO kv_store (store_key, store_value) VALUES ('a', '1')");
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('roll me back');
    });
    const outside = b.exec("INSERT INTO kv_store (store_key, store_value) VALUES ('b', '2')");
    await expect(tx).rejects.toThrow('roll me back');
    await outside;
    expect((await b.query('SELECT store_key FROM kv_store')).map((r) => r.store_key)).toEqual(['b']);
  });
});

describe.each(kinds)('schema on %s', (kind) => {
  it('creates every table, records the version and refuses a newer schema', async () => {
    const config = await env.config(kind);
    const store = await openStore(config);
    const tables = await store.backend.tableNames();
    for (const t of allTables) expect(tables).toContain(t.name);
    expect(await currentSchemaVersion(store.backend)).toBe(schemaVersion);
    await store.backend.exec(
      "INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'future', 'x')",
    );
    await store.close();
    const err = await openStore(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaVersionError);
    expect(err).toMatchObject({ code: 'SCHEMA_TOO_NEW', found: 999, known: schemaVersion });
    expect((err as Error).message).toMatch(new RegExp(`schema version 999, newer than the ${schemaVersion}`));
  });

  it('brings a version-1 database up to date (topology history), and snapshot-topologies records every instance', async () => {
    const config = await env.config(kind);
    const first = await openStore(config);
    // A database as the previous release left it: version 1, no topology history table.
    await first.backend.exec('DROP TABLE database_instance_topology_history');
    await first.backend.exec('DELETE FROM schema_version WHERE version > 1');
    await first.backend.exec(
      "INSERT INTO database_instance (hostname, port, master_host, master_port, cluster_name, version) VALUES ('db1', 3306, '', 0, 'db1:3306', '10.11.19-MariaDB'), ('db2', 3306, 'db1', 3306, 'db1:3306', '10.11.19-MariaDB')",
    );
    await first.close();
    const store = await openStore(config);
    expect(await currentSchemaVersion(store.backend)).toBe(schemaVersion);
    expect(await store.instances.snapshotTopology()).toBe(2);
    const rows = await store.backend.query<{ hostname: string; master_host: string; cluster_name: string }>(
      'SELECT hostname, master_host, cluster_name FROM database_instance_topology_history ORDER BY hostname',
    );
    expect(rows).toMatchObject([
      { hostname: 'db1', master_host: '', cluster_name: 'db1:3306' },
      { hostname: 'db2', master_host: 'db1', cluster_name: 'db1:3306' },
    ]);
    // A second snapshot in the same second is not an error.
    await store.instances.snapshotTopology();
    await store.close();
  });

  it('streams rows in bounded batches from a consistent read view', async () => {
    const store = await env.open(kind);
    const rows = Array.from({ length: 2500 }, (_, n) => [`k${String(n).padStart(4, '0')}`, String(n)]);
    await store.backend.execBatch('INSERT INTO kv_store (store_key, store_value) VALUES (?, ?)', rows);
    const sizes = await store.backend.readConsistent(async (q) => {
      const out: number[] = [];
      let last = '';
      for await (const batch of q.stream('SELECT store_key FROM kv_store ORDER BY store_key', [], 1000)) {
        out.push(batch.length);
        last = String(batch[batch.length - 1]?.store_key);
      }
      expect(last).toBe('k2499');
      return out;
    });
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('reopens an existing database without re-running migrations', async () => {
    const config = await env.config(kind);
    const a = await openStore(config);
    await a.applyCommand('put-key-value', { Key: 'k', Value: 'v' });
    await a.close();
    const b = await env.openConfig(config);
    expect(await b.kv.get('k')).toBe('v');
    expect((await b.backend.query('SELECT version FROM schema_version')).length).toBe(schemaVersion);
  });
});

describe('MySQL backend', () => {
  it('creates the database, reads credentials from a my.cnf, and names a missing privilege', async () => {
    const server = await env.mysqlServer();
    const db = `orc_priv_${process.pid}`;
    await server.query(`CREATE USER IF NOT EXISTS 'orc_ro'@'%' IDENTIFIED BY 'ro_pw'`);
    await server.query(`CREATE USER IF NOT EXISTS 'orc_none'@'%' IDENTIFIED BY 'none_pw'`);
    await server.query(`CREATE DATABASE IF NOT EXISTS ${db}`);
    await server.query(`GRANT SELECT ON ${db}.* TO 'orc_ro'@'%'`);
    const dir = join(env.sqliteFile(), '..', 'cnf');
    mkdirSync(dir, { recursive: true });
    const cnf = join(dir, 'orc.cnf');
    writeFileSync(cnf, '[client]\nuser=orc_ro\npassword=ro_pw\n');
    const base = {
      BackendDB: 'mysql',
      MySQLOrchestratorHost: server.host,
      MySQLOrchestratorPort: server.port,
    };
    const ro = await openStore({
      ...base,
      MySQLOrchestratorDatabase: db,
      MySQLOrchestratorCredentialsConfigFile: cnf,
    }).catch((e: unknown) => e);
    expect(ro).toBeInstanceOf(BackendError);
    expect(ro).toMatchObject({ code: 'BACKEND_PRIVILEGE', privilege: 'CREATE' });
    expect((ro as Error).message).toMatch(/missing privilege CREATE/);
    const none = await openStore({
      ...base,
      MySQLOrchestratorDatabase: `${db}_new`,
      MySQLOrchestratorUser: 'orc_none',
      MySQLOrchestratorPassword: 'none_pw',
    }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'BACKEND_PRIVILEGE', privilege: 'CREATE' });
    expect((none as Error).message).toMatch(/does not exist and the user lacks the CREATE privilege/);
    const bad = await openStore({
      ...base,
      MySQLOrchestratorUser: 'orc_none',
      MySQLOrchestratorPassword: 'wrong',
    }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BACKEND_OPEN_FAILED' });
    // root creates a missing database.
    const created = await env.openConfig({
      ...base,
      MySQLOrchestratorUser: 'root',
      MySQLOrchestratorDatabase: `${db}_made`,
    });
    expect(created.backend.target).toContain(`${db}_made`);
  });

  it('MySQLOrchestratorRejectReadOnly refuses a read-only server, naming the key; without it the server is used', async () => {
    const server = await env.mysqlServer();
    const config = {
      BackendDB: 'mysql',
      MySQLOrchestratorHost: server.host,
      MySQLOrchestratorPort: server.port,
      MySQLOrchestratorUser: 'root',
      MySQLOrchestratorPassword: '',
      MySQLOrchestratorDatabase: `orc_ro_${process.pid}`,
    };
    await env.openConfig(config); // creates the database while the server is writable
    await server.query('SET GLOBAL read_only = 1');
    try {
      const refused = await openStore({ ...config, MySQLOrchestratorRejectReadOnly: true }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(BackendError);
      expect(refused).toMatchObject({ code: 'BACKEND_NOT_WRITABLE' });
      expect((refused as Error).message).toMatch(/read-only.*MySQLOrchestratorRejectReadOnly/);
      // root may still write to a read_only server: without the key, the store opens.
      const opened = await env.openConfig(config);
      expect(await opened.instances.count()).toBe(0);
    } finally {
      await server.query('SET GLOBAL read_only = 0');
    }
  });
});
