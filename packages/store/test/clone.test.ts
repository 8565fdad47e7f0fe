// Cloning a node's database is valid (the seed's procedure): a sqlite3 .dump loaded into a new
// file, and a mariadb-dump loaded into another database, open and serve the same data.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store.js';
import { commandLog } from './commands.js';
import { tableHashes } from './hash.js';
import { Env, FakeClock, sampleInstance } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

async function populate(store: Store): Promise<void> {
  await store.instances.upsert([
    sampleInstance('m1', 3306),
    sampleInstance('r1', 3306, { Hostname: 'm1', Port: 3306 }),
  ]);
  for (const [op, value, at] of commandLog) {
    const r = await store.applyCommand(op, value, at === undefined ? {} : { at });
    if (!r.ok) throw r.error;
  }
  await store.audit.write('test', { Hostname: 'm1', Port: 3306 }, 'm1:3306', 'audited');
}

async function sameData(a: Store, b: Store): Promise<void> {
  expect(await tableHashes(b.backend)).toEqual(await tableHashes(a.backend));
  expect(await b.instances.readAll()).toEqual(await a.instances.readAll());
  expect(await b.recoveries.read()).toEqual(await a.recoveries.read());
  expect(await b.candidates.active()).toEqual(await a.candidates.active());
  expect(await b.fsmMeta.leaderURI()).toBe('http://node1:3000');
}

describe('cloning', () => {
  it('a sqlite3 .dump restored into a new file opens and serves the same data', async () => {
    const clock = new FakeClock(Date.parse('2026-01-10T10:04:00Z'));
    const config = await env.config('sqlite');
    const source = await env.openConfig(config, clock);
    await populate(source);
    const dump = execFileSync('sqlite3', [config.SQLite3DataFile!, '.dump'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const cloneFile = env.sqliteFile('clone.db');
    execFileSync('sqlite3', [cloneFile], { input: dump });
    const clone = await env.openConfig({ BackendDB: 'sqlite', SQLite3DataFile: cloneFile }, clock);
    await sameData(source, clone);
    // The clone keeps working as a node: it applies new commands.
    expect((await clone.applyCommand('put-key-value', { Key: 'after', Value: 'clone' })).ok).toBe(true);
  });

  it('a mariadb-dump loaded into another database opens and serves the same data', async () => {
    const clock = new FakeClock(Date.parse('2026-01-10T10:04:00Z'));
    const config = await env.config('mysql');
    const source = await env.openConfig(config, clock);
    await populate(source);
    const server = await env.mysqlServer();
    const conn = ['-h', server.host, '-P', String(server.port), '-u', 'root'];
    const dump = execFileSync(
      'mariadb-dump',
      [...conn, '--single-transaction', config.MySQLOrchestratorDatabase!],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    const target = `${config.MySQLOrchestratorDatabase}_clone`;
    await server.query(`CREATE DATABASE ${target}`);
    execFileSync('mariadb', [...conn, target], { input: dump });
    const clone = await env.openConfig({ ...config, MySQLOrchestratorDatabase: target }, clock);
    await sameData(source, clone);
    expect((await clone.applyCommand('put-key-value', { Key: 'after', Value: 'clone' })).ok).toBe(true);
  });
});
