import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/errors.js';
import { fsmOwnedTables, snapshotTables } from '../src/schema/tables.js';
import type { Store } from '../src/store.js';
import { type Cmd, commandLog } from './commands.js';
import { tableHashes } from './hash.js';
import { Env, FakeClock, sampleInstance } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

const replicated = [...snapshotTables, 'global_recovery_disable'];

async function applyAll(store: Store, log: Cmd[]): Promise<void> {
  for (const [op, value, at] of log) {
    const r = await store.applyCommand(op, value, at === undefined ? {} : { at });
    if (!r.ok) throw r.error;
  }
}

describe('determinism across backends', () => {
  it('the same command log gives identical replicated tables on SQLite and MySQL', async () => {
    const sqlite = await env.open('sqlite');
    const mysql = await env.open('mysql');
    await applyAll(sqlite, commandLog);
    await applyAll(mysql, commandLog);
    const a = await tableHashes(sqlite.backend, replicated);
    const b = await tableHashes(mysql.backend, replicated);
    expect(a).toEqual(b);
    // The hashes cover real content, not empty tables.
    const empty = await tableHashes((await env.open('sqlite')).backend, replicated);
    expect(fsmOwnedTables.filter((t) => a[t] !== empty[t]).length).toBeGreaterThanOrEqual(10);
  });
});

describe('snapshots', () => {
  it('has the reference layout', async () => {
    const store = await env.open('sqlite');
    await store.instances.upsert([
      sampleInstance('m1', 3306),
      sampleInstance('r1', 3306, { Hostname: 'm1', Port: 3306 }),
    ]);
    await applyAll(store, commandLog);
    const json = JSON.parse(gunzipSync(await store.snapshot()).toString('utf8'));
    expect(Object.keys(json)).toEqual([
      'Keys',
      'MinimalInstances',
      'RecoveryDisabled',
      'LeaderURI',
      ...snapshotTables,
    ]);
    expect(json.Keys).toEqual([
      { Hostname: 'm1', Port: 3306 },
      { Hostname: 'r1', Port: 3306 },
    ]);
    expect(json.MinimalInstances[1]).toEqual({
      Key: { Hostname: 'r1', Port: 3306 },
      MasterKey: { Hostname: 'm1', Port: 3306 },
      ClusterName: 'm1:3306',
    });
    expect(json.RecoveryDisabled).toBe(true);
    expect(json.LeaderURI).toBe('http://node1:3000');
    expect(json.kv_store.Columns).toEqual(['store_key', 'store_value', 'last_updated']);
    expect(json.kv_store.Data).toEqual([['mysql/master/m1-alias', 'r1:3306', '2026-01-10 10:05:10.000']]);
    for (const row of json.topology_recovery.Data)
      for (const v of row) expect(v === null || typeof v === 'string').toBe(true);
  });

  it('round-trips MySQL → SQLite → MySQL with identical replicated tables', async () => {
    const source = await env.open('mysql');
    await source.instances.upsert([
      sampleInstance('m1', 3306),
      sampleInstance('r1', 3306, { Hostname: 'm1', Port: 3306 }),
    ]);
    await applyAll(source, commandLog);
    const middle = await env.open('sqlite');
    await middle.restore(await source.snapshot());
    const back = await env.open('mysql');
    await back.restore(await middle.snapshot());
    const want = await tableHashes(source.backend, replicated);
    expect(await tableHashes(middle.backend, replicated)).toEqual(want);
    expect(await tableHashes(back.backend, replicated)).toEqual(want);
    expect(await back.recoveries.steps('uid-1')).toEqual(await source.recoveries.steps('uid-1'));
  });

  it('restores by the reference rules: replaces FSM tables, keeps local probe data and local-only merged rows', async () => {
    const leader = await env.open('sqlite');
    await leader.instances.upsert([
      sampleInstance('m1', 3306),
      sampleInstance('r1', 3306, { Hostname: 'm1', Port: 3306 }),
    ]);
    await applyAll(leader, commandLog.slice(0, 10));
    const snap = await leader.snapshot();

    const clock = new FakeClock();
    const follower = await env.open('sqlite', clock);
    const m1 = sampleInstance('m1', 3306);
    m1.Version = 'local-probe-value';
    await follower.instances.upsert([m1, sampleInstance('gone', 3306)]);
    await follower.applyCommand('put-key-value', { Key: 'stale', Value: 'x' });
    await follower.clusterAliases.setDetected('local-cluster', 'local-alias');
    const r = await follower.restore(snap);
    expect(r.forgotten).toEqual([{ Hostname: 'gone', Port: 3306 }]);
    expect(r.added).toEqual([{ Hostname: 'r1', Port: 3306 }]);
    expect(r.leaderURI).toBe('http://node1:3000');
    expect((await follower.instances.read(m1.Key))?.Version).toBe('local-probe-value');
    const minimal = await follower.instances.read({ Hostname: 'r1', Port: 3306 });
    expect(minimal).toMatchObject({
      MasterKey: { Hostname: 'm1', Port: 3306 },
      ClusterName: 'm1:3306',
      LastCheckedTimestamp: '',
    });
    expect(await follower.instances.outdatedKeys()).toContainEqual({ Hostname: 'r1', Port: 3306 });
    expect(await follower.kv.get('stale')).toBeUndefined();
    expect(await follower.clusterAliases.aliasOf('local-cluster')).toBe('local-alias');
    expect(await tableHashes(follower.backend, fsmOwnedTables)).toEqual(
      await tableHashes(leader.backend, fsmOwnedTables),
    );
  });

  it('reports the raft index a snapshot covers, and carries it to the restored node', async () => {
    const store = await env.open('sqlite');
    expect((await store.snapshotWithIndex()).appliedIndex).toBe(0);
    await store.applyCommand('put-key-value', { Key: 'a', Value: '1' }, { index: 7 });
    await store.applyCommand('put-key-value', { Key: 'b', Value: '2' }, { index: 8 });
    // Called while a later apply is queued: the view (and the index) is fixed at the call.
    const pending = store.snapshotWithIndex();
    const later = store.applyCommand('put-key-value', { Key: 'c', Value: '3' }, { index: 9 });
    const { data, appliedIndex } = await pending;
    await later;
    expect(appliedIndex).toBe(8);
    const target = await env.open('sqlite');
    await target.restore(data);
    expect(await target.fsm.appliedIndex()).toBe(8);
    expect(await target.kv.get('c')).toBeUndefined();
    expect(await target.kv.get('b')).toBe('2');
  });

  it('refuses a corrupt snapshot and leaves the backend untouched', async () => {
    const store = await env.open('sqlite');
    await applyAll(store, commandLog);
    const before = await tableHashes(store.backend);
    await expect(store.restore(Buffer.from('not gzip'))).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID' });
    const truncated = gzipSync(Buffer.from('{"Keys":[],"kv_store":{"Columns":["store_key"],"Data":[["a"]'));
    await expect(store.restore(truncated)).rejects.toBeInstanceOf(StoreError);
    expect(await tableHashes(store.backend)).toEqual(before);
  });

  it('streams a larger snapshot in chunks and restores it', async () => {
    const source = await env.open('sqlite');
    await source.instances.upsert(Array.from({ length: 3000 }, (_, n) => sampleInstance(`h${n}`, 3306)));
    for (let n = 0; n < 300; n++) {
      await source.applyCommand('put-instance-tag', {
        Key: { Hostname: `h${n}`, Port: 3306 },
        T: { TagName: 'n', TagValue: String(n), HasValue: true, Negate: false },
        CreatedAt: '2026-01-10T00:00:00Z',
      });
    }
    const chunks: Buffer[] = [];
    await source.writeSnapshot((c) => {
      chunks.push(c);
    });
    expect(chunks.length).toBeGreaterThan(1);
    async function* stream() {
      for (const c of chunks) yield c;
    }
    const target = await env.open('sqlite');
    const r = await target.restore(stream());
    expect(r.added.length).toBe(3000);
    expect(r.rows.database_instance_tags).toBe(300);
    expect(await target.tags.tagged('n', '299')).toEqual([{ Hostname: 'h299', Port: 3306 }]);
  });
});
