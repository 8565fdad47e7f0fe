// The ZooKeeper and etcd adapters against real servers (Debian's zookeeper and etcd-server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdStore, masterPairs, openKVStores, ZooKeeperStore } from '../src/index.js';
import { MasterPublisher, type PublishReport } from '../src/publisher.js';
import type { KVStore } from '../src/store.js';
import { startEtcd, startZooKeeper, type TestServer } from '../src/testing/index.js';

const pairsOf = (alias: string, port: number, ipv4 = '127.0.0.1') =>
  masterPairs({
    prefix: 'mysql/master',
    alias,
    master: { Hostname: 'db1', Port: port },
    addresses: { ipv4, ipv6: '' },
  });

function contract(name: string, server: () => TestServer, open: () => KVStore) {
  describe(`${name} store`, () => {
    let store: KVStore;
    beforeAll(() => {
      store = open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it("writes a master's five keys, creating missing parents, and reads them back", async () => {
      const pairs = pairsOf('main', 3306);
      await store.put(pairs);
      const got = await store.get(pairs.map((p) => p.Key));
      expect(Object.fromEntries(got)).toEqual({
        'mysql/master/main': 'db1:3306',
        'mysql/master/main/hostname': 'db1',
        'mysql/master/main/port': '3306',
        'mysql/master/main/ipv4': '127.0.0.1',
        'mysql/master/main/ipv6': '',
      });
    });

    it('overwrites existing keys and reports a missing key as absent', async () => {
      await store.put(pairsOf('main', 3307));
      const got = await store.get(['mysql/master/main', 'mysql/master/main/port', 'mysql/master/nosuch']);
      expect(Object.fromEntries(got)).toEqual({
        'mysql/master/main': 'db1:3307',
        'mysql/master/main/port': '3307',
      });
    });

    it('a publish while the server is down fails, is retried with backoff, and lands once it is back', async () => {
      const reports: PublishReport[] = [];
      const publisher = new MasterPublisher({
        stores: [store],
        prefix: 'mysql/master',
        initialBackoffMs: 200,
        maxBackoffMs: 1000,
      });
      await server().process.stop(5000);
      const first = await publisher.publish(pairsOf('down', 4000), { report: (r) => reports.push(r) });
      expect(first[0]).toMatchObject({ ok: false, attempt: 1 });
      expect(first[0]?.retryInMs).toBeGreaterThan(0);
      await server().restart();
      await publisher.idle();
      const last = reports.at(-1)!;
      expect(last).toMatchObject({ ok: true, written: 5, group: 'mysql/master/down' });
      expect(last.attempt).toBeGreaterThan(1);
      expect((await store.get(['mysql/master/down'])).get('mysql/master/down')).toBe('db1:4000');
      await publisher.idle();
    });
  });
}

describe('real servers', () => {
  let zk: TestServer;
  let etcd: TestServer;
  beforeAll(async () => {
    [zk, etcd] = await Promise.all([startZooKeeper(), startEtcd()]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([zk?.destroy(), etcd?.destroy()]);
  });

  contract(
    'ZooKeeper',
    () => zk,
    () => new ZooKeeperStore({ servers: [{ host: '127.0.0.1', port: zk.port }], operationTimeoutMs: 2000 }),
  );
  contract(
    'etcd',
    () => etcd,
    () => new EtcdStore({ endpoints: [etcd.address], operationTimeoutMs: 2000 }),
  );

  it('openKVStores builds both from the config keys', async () => {
    const stores = openKVStores({ ZkAddress: zk.address, EtcdEndpoints: [etcd.address] });
    expect(stores.map((s) => s.name)).toEqual(['zookeeper', 'etcd']);
    const publisher = new MasterPublisher({ stores, prefix: 'mysql/master' });
    const reports = await publisher.publish(pairsOf('both', 5000));
    expect(reports.map((r) => [r.store, r.ok])).toEqual([
      ['zookeeper', true],
      ['etcd', true],
    ]);
    await publisher.close();
  });
});
