// The Consul store against a small server implementing Consul's documented KV, txn and catalog API.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConsulStore,
  type ConsulStoreOptions,
  masterPairs,
  openKVStores,
  transactionBatches,
} from '../src/index.js';
import { FakeConsul } from './consul-fake.js';

const pairsOf = (alias: string, port: number) =>
  masterPairs({
    prefix: 'mysql/master',
    alias,
    master: { Hostname: 'db1', Port: port },
    addresses: { ipv4: '10.0.0.1', ipv6: 'fd00::1' },
  });

let consul: FakeConsul | undefined;
let store: ConsulStore | undefined;
afterEach(async () => {
  await store?.close();
  await consul?.stop();
  store = undefined;
  consul = undefined;
});

async function setup(fake: ConstructorParameters<typeof FakeConsul>[0], o: Partial<ConsulStoreOptions> = {}) {
  consul = await new FakeConsul(fake).start();
  const options: ConsulStoreOptions = {
    address: { host: '127.0.0.1', port: consul.port },
    scheme: 'http',
    aclToken: '',
    provider: 'consul',
    crossDataCenter: false,
    maxKVsPerTransaction: 5,
    prefix: 'mysql/master',
    ...o,
  };
  store = new ConsulStore(options);
  return { consul, store, options };
}

describe('Consul store (provider consul)', () => {
  it('PUTs each key with its raw value and reads it back', async () => {
    const { consul, store } = await setup({});
    await store.put(pairsOf('main', 3306));
    expect(Object.fromEntries(consul.store())).toEqual({
      'mysql/master/main': 'db1:3306',
      'mysql/master/main/hostname': 'db1',
      'mysql/master/main/port': '3306',
      'mysql/master/main/ipv4': '10.0.0.1',
      'mysql/master/main/ipv6': 'fd00::1',
    });
    expect(consul.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /v1/kv/mysql/master/main',
      'PUT /v1/kv/mysql/master/main/hostname',
      'PUT /v1/kv/mysql/master/main/port',
      'PUT /v1/kv/mysql/master/main/ipv4',
      'PUT /v1/kv/mysql/master/main/ipv6',
    ]);
    const got = await store.get(['mysql/master/main', 'mysql/master/main/ipv6', 'mysql/master/none']);
    expect(Object.fromEntries(got)).toEqual({
      'mysql/master/main': 'db1:3306',
      'mysql/master/main/ipv6': 'fd00::1',
    });
  });

  it('sends ConsulAclToken as X-Consul-Token; a refused token is an error naming the answer', async () => {
    const { consul, store, options } = await setup({ token: 's3cret' }, { aclToken: 's3cret' });
    await store.put(pairsOf('main', 3306));
    expect(consul.requests.every((r) => r.token === 's3cret')).toBe(true);
    const wrong = new ConsulStore({ ...options, aclToken: 'nope' });
    await expect(wrong.put(pairsOf('main', 3307))).rejects.toThrow(/403: Permission denied/);
    await wrong.close();
  });

  it('ConsulCrossDataCenterDistribution writes every datacenter of the catalog with ?dc=', async () => {
    const { consul, store } = await setup({ datacenters: ['dc1', 'dc2', 'dc3'] }, { crossDataCenter: true });
    await store.put(pairsOf('main', 3306));
    for (const dc of ['dc1', 'dc2', 'dc3'])
      expect(consul.store(dc).get('mysql/master/main')).toBe('db1:3306');
    expect(consul.requests[0]).toMatchObject({ method: 'GET', path: '/v1/catalog/datacenters' });
    expect(new Set(consul.requests.filter((r) => r.method === 'PUT').map((r) => r.dc))).toEqual(
      new Set(['dc1', 'dc2', 'dc3']),
    );
    // a key counts as present only when every datacenter holds the same value
    consul.store('dc2').set('mysql/master/main', 'other:1');
    const got = await store.get(['mysql/master/main', 'mysql/master/main/port']);
    expect(Object.fromEntries(got)).toEqual({ 'mysql/master/main/port': '3306' });
  });

  it('an agent error is a rejection that says what was asked and what came back', async () => {
    const { consul, store } = await setup({});
    consul.failWith = 500;
    await expect(store.put(pairsOf('main', 3306))).rejects.toThrow(
      /PUT \/v1\/kv\/mysql\/master\/main answered 500/,
    );
    await consul.stop();
    await expect(store.put(pairsOf('main', 3306))).rejects.toThrow(/Consul: PUT .* failed/);
  });
});

describe('Consul store (provider consul-txn)', () => {
  it('writes a cluster in one /v1/txn with base64 values', async () => {
    const { consul, store } = await setup({}, { provider: 'consul-txn' });
    await store.put(pairsOf('main', 3306));
    expect(consul.requests).toHaveLength(1);
    const [req] = consul.requests;
    expect(req).toMatchObject({ method: 'PUT', path: '/v1/txn' });
    const ops = JSON.parse(req!.body) as { KV: { Verb: string; Key: string; Value: string } }[];
    expect(ops[0]).toEqual({
      KV: { Verb: 'set', Key: 'mysql/master/main', Value: Buffer.from('db1:3306').toString('base64') },
    });
    expect(ops.map((o) => o.KV.Key)).toHaveLength(5);
    expect(consul.store().get('mysql/master/main/port')).toBe('3306');
  });

  it('never splits a cluster across transactions and keeps each within ConsulMaxKVsPerTransaction', async () => {
    const { consul, store } = await setup({}, { provider: 'consul-txn', maxKVsPerTransaction: 12 });
    await store.put([...pairsOf('a', 1), ...pairsOf('b', 2), ...pairsOf('c', 3)]);
    const sizes = consul.requests.map((r) => (JSON.parse(r.body) as unknown[]).length);
    expect(sizes).toEqual([10, 5]);
    expect(consul.store().size).toBe(15);
  });

  it("a rolled-back transaction (409) is an error with Consul's reasons", async () => {
    const { consul, store } = await setup({}, { provider: 'consul-txn' });
    // An empty key is refused by the agent: the whole transaction is rolled back.
    await expect(store.put([{ Key: '', Value: 'x' }])).rejects.toThrow(/transaction rolled back/);
    expect(consul.store().size).toBe(0);
  });
});

describe('transactionBatches', () => {
  it('packs whole clusters, splitting only a group larger than the limit', () => {
    const pairs = [...pairsOf('a', 1), ...pairsOf('b', 2)];
    expect(transactionBatches(pairs, 'mysql/master', 5).map((b) => b.length)).toEqual([5, 5]);
    expect(transactionBatches(pairs, 'mysql/master', 64).map((b) => b.length)).toEqual([10]);
    expect(transactionBatches(pairs, 'mysql/master', 7).map((b) => b.length)).toEqual([5, 5]);
  });
});

describe('openKVStores', () => {
  it('builds the provider the config names', () => {
    const stores = openKVStores({ ConsulAddress: '127.0.0.1:8500', ConsulKVStoreProvider: 'consul-txn' });
    expect(stores.map((s) => s.name)).toEqual(['consul-txn']);
    for (const s of stores) void s.close();
  });
});
