// MasterKV: the daemon's KV publishing, with in-memory stores, raft and reads.
import type { InstanceReads } from '@orchestrator/api';
import type { KVPair, KVStore } from '@orchestrator/kv';
import { emptyInstance, type Store } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from './config/index.js';
import { describeReport, MasterKV, resolveAddresses } from './kv.js';
import { createLogger } from './logger.js';
import type { RaftService } from './raft/service.js';

class MemoryStore implements KVStore {
  readonly data = new Map<string, string>();
  readonly puts: KVPair[][] = [];
  constructor(readonly name = 'memory') {}
  async put(pairs: readonly KVPair[]) {
    this.puts.push([...pairs]);
    for (const p of pairs) this.data.set(p.Key, p.Value);
  }
  async get(keys: readonly string[]) {
    return new Map(keys.filter((k) => this.data.has(k)).map((k) => [k, this.data.get(k)!]));
  }
  async close() {}
}

function setup(
  o: { leader?: boolean; resolve?: (host: string) => Promise<{ ipv4: string; ipv6: string }> } = {},
) {
  const external = new MemoryStore();
  const internal = new Map<string, string>();
  const proposals: [string, unknown][] = [];
  const master = { ...emptyInstance({ Hostname: 'db1', Port: 3306 }), ClusterName: 'db1:3306' };
  const replica = {
    ...emptyInstance({ Hostname: 'db2', Port: 3306 }),
    ClusterName: 'db1:3306',
    MasterKey: master.Key,
    ReadOnly: true,
  };
  const instances = {
    clustersInfo: async () => [{ ClusterName: 'db1:3306', ClusterAlias: 'main' }],
    clusterInstances: async () => [master, replica],
  } as unknown as InstanceReads;
  const raft = {
    isLeaderWithQuorum: () => o.leader ?? true,
    propose: async (op: string, value: unknown) => {
      proposals.push([op, value]);
      const p = value as KVPair;
      internal.set(p.Key, p.Value);
      return p.Key;
    },
  } as unknown as RaftService;
  const store = { kv: { get: async (k: string) => internal.get(k) } } as unknown as Store;
  const kv = new MasterKV({
    config: defaultConfig(),
    store,
    instances,
    raft,
    log: createLogger({ level: 'silent' }),
    stores: [external],
    resolve: o.resolve ?? (async () => ({ ipv4: '10.0.0.1', ipv6: '' })),
  });
  return { kv, external, internal, proposals };
}

describe('MasterKV', () => {
  it('pairs(): the five keys, with the resolved addresses', async () => {
    const { kv } = setup();
    expect(await kv.pairs('main', { Hostname: 'db1', Port: 3306 })).toEqual([
      { Key: 'mysql/master/main', Value: 'db1:3306' },
      { Key: 'mysql/master/main/hostname', Value: 'db1' },
      { Key: 'mysql/master/main/port', Value: '3306' },
      { Key: 'mysql/master/main/ipv4', Value: '10.0.0.1' },
      { Key: 'mysql/master/main/ipv6', Value: '' },
    ]);
    await kv.stop();
  });

  it('pairs(): a failing resolver gives empty address keys, never an error', async () => {
    const { kv } = setup({ resolve: async () => Promise.reject(new Error('NXDOMAIN')) });
    const pairs = await kv.pairs('main', { Hostname: 'nowhere.invalid', Port: 3306 });
    expect(pairs.slice(3)).toEqual([
      { Key: 'mysql/master/main/ipv4', Value: '' },
      { Key: 'mysql/master/main/ipv6', Value: '' },
    ]);
    await kv.stop();
  });

  it('submitAll(): every cluster master into kv_store (changed keys only) and the stores (differing keys only)', async () => {
    const { kv, external, proposals } = setup();
    await kv.submitAll();
    await kv.publisher?.idle();
    expect(proposals.map(([op]) => op)).toEqual(Array(5).fill('put-key-value'));
    expect(external.data.get('mysql/master/main')).toBe('db1:3306');
    // a minute later, nothing changed: no raft entry, no store write
    await kv.submitAll();
    await kv.publisher?.idle();
    expect(proposals).toHaveLength(5);
    expect(external.puts).toHaveLength(1);
    await kv.stop();
  });

  it('submitAll() does nothing on a node that does not lead', async () => {
    const { kv, external, proposals } = setup({ leader: false });
    await kv.submitAll();
    expect(proposals).toEqual([]);
    expect(external.puts).toEqual([]);
    await kv.stop();
  });

  it('submit(): kv_store and the stores, answering with the pairs', async () => {
    const { kv, external, internal } = setup();
    const { pairs, errors } = await kv.submit([
      { ClusterName: 'db1:3306', ClusterAlias: 'main', Master: { Hostname: 'db2', Port: 3306 } },
    ]);
    expect(errors).toEqual([]);
    expect(pairs[0]).toEqual({ Key: 'mysql/master/main', Value: 'db2:3306' });
    expect(internal.get('mysql/master/main/port')).toBe('3306');
    expect(external.data.get('mysql/master/main')).toBe('db2:3306');
    await kv.stop();
  });

  it('distribute(): every attempt becomes an audit line', async () => {
    const { kv } = setup();
    const lines: string[] = [];
    kv.distribute(await kv.pairs('main', { Hostname: 'db2', Port: 3307 }), (m) => lines.push(m));
    await kv.publisher?.idle();
    expect(lines).toEqual(['KV memory: published mysql/master/main = db2:3307 (5 keys written)']);
    await kv.stop();
  });
});

describe('describeReport', () => {
  it('says what failed and when it is retried', () => {
    expect(
      describeReport({
        store: 'zookeeper',
        group: 'mysql/master/main',
        pairs: [{ Key: 'mysql/master/main', Value: 'db2:3306' }],
        ok: false,
        attempt: 3,
        written: 0,
        error: 'connection refused',
        retryInMs: 4000,
      }),
    ).toBe(
      'KV zookeeper: publishing mysql/master/main = db2:3306 failed (attempt 3): connection refused; retrying in 4 s',
    );
  });
});

describe('resolveAddresses', () => {
  it('an IP literal is its own address', async () => {
    expect(await resolveAddresses('127.0.0.1')).toEqual({ ipv4: '127.0.0.1', ipv6: '' });
    expect(await resolveAddresses('::1')).toEqual({ ipv4: '', ipv6: '::1' });
  });
});
