// Masters published for service discovery, end to end: a 3-node orchestrator cluster watches a real
// MariaDB topology (1 master, 2 GTID replicas) and publishes its master to a real ZooKeeper and a
// real etcd; kill -9 of the master → the promoted replica appears in both, and the recovery's steps
// record each store's write. Also the health probes of a running cluster.
import { execFileSync } from 'node:child_process';
import { EtcdStore, type KVStore, ZooKeeperStore } from '@orchestrator/kv';
import { startEtcd, startZooKeeper, type TestServer } from '@orchestrator/kv/testing';
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

interface Recovery {
  UID: string;
  IsSuccessful: boolean;
  SuccessorKey: { Hostname: string; Port: number } | null;
}

function sqlite(node: OrchestratorNode, sql: string): string {
  return execFileSync('sqlite3', [`${node.dir}/orchestrator.sqlite3`, sql], { encoding: 'utf8' }).trim();
}

const KEYS = ['', '/hostname', '/port', '/ipv4', '/ipv6'].map((s) => `mysql/master/main${s}`);

async function published(store: KVStore): Promise<Record<string, string>> {
  return Object.fromEntries(await store.get(KEYS));
}

const expected = (port: number) => ({
  'mysql/master/main': `127.0.0.1:${port}`,
  'mysql/master/main/hostname': '127.0.0.1',
  'mysql/master/main/port': String(port),
  'mysql/master/main/ipv4': '127.0.0.1',
  'mysql/master/main/ipv6': '',
});

describe('masters published to ZooKeeper and etcd', () => {
  let zk: TestServer;
  let etcd: TestServer;
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let zkReader: KVStore;
  let etcdReader: KVStore;

  beforeAll(async () => {
    [zk, etcd, topology] = await Promise.all([
      startZooKeeper(),
      startEtcd(),
      startMariaDBTopology({ replicas: 2 }),
    ]);
    zkReader = new ZooKeeperStore({ servers: [{ host: '127.0.0.1', port: zk.port }] });
    etcdReader = new EtcdStore({ endpoints: [etcd.address] });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        ...topologyConfig(topology, 5),
        DetectClusterAliasQuery: "SELECT 'main'",
        ZkAddress: zk.address,
        EtcdEndpoints: [etcd.address],
      }),
    });
    leader = await cluster.waitForLeader();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([zkReader?.close(), etcdReader?.close()]);
    await cluster?.destroy();
    await Promise.all([topology?.destroy(), zk?.destroy(), etcd?.destroy()]);
  });

  it('health probes: every node live and ready, only the leader passes /health/leader', async () => {
    await cluster.waitForFollowers();
    for (const node of cluster.nodes) {
      const base = `http://127.0.0.1:${node.httpPort}/health`;
      expect((await fetch(`${base}/live`)).status).toBe(200);
      await eventually(`node${node.index} to be ready`, async () =>
        (await fetch(`${base}/ready`)).status === 200 ? true : undefined,
      );
      const leading = (await fetch(`${base}/leader`)).status;
      expect(leading, `node${node.index}`).toBe(node === leader ? 200 : 503);
    }
  });

  it('submit-masters-to-kv-stores writes the master into kv_store, ZooKeeper and etcd', async () => {
    await eventually('the master to be discovered with its alias', async () => {
      const r = await leader.get<{ ClusterAlias: string }[]>('clusters-info');
      return Array.isArray(r.body) && r.body.some((c) => c.ClusterAlias === 'main') ? true : undefined;
    });
    // Through a follower: the route is proxied to the leader, which publishes.
    const follower = cluster.nodes.find((n) => n !== leader)!;
    const r = await follower.get<{
      Code: string;
      Message: string;
      Details: { Key: string; Value: string }[];
    }>('submit-masters-to-kv-stores/main');
    expect(r.status).toBe(200);
    expect(r.body.Message).toBe('Submitted 5 masters');
    expect(Object.fromEntries(r.body.Details.map((p) => [p.Key, p.Value]))).toEqual(
      expected(topology.master),
    );
    expect(await published(zkReader)).toEqual(expected(topology.master));
    expect(await published(etcdReader)).toEqual(expected(topology.master));
    // every node's own kv_store holds it too (put-key-value through raft)
    for (const node of cluster.nodes) {
      await eventually(`node${node.index}'s kv_store`, async () =>
        sqlite(node, "SELECT store_value FROM kv_store WHERE store_key = 'mysql/master/main/ipv4'") ===
        '127.0.0.1'
          ? true
          : undefined,
      );
    }
  });

  it('kill -9 of the master with ZooKeeper down: the recovery succeeds, etcd names the new master, ZooKeeper once it is back', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up
    await zk.process.stop(5000);
    await topology.kill9(topology.master);
    const recovery = await eventually(
      'a successful recovery',
      async () => {
        const r = await leader.get<Recovery[]>('audit-recovery');
        return Array.isArray(r.body) ? r.body.find((x) => x.IsSuccessful) : undefined;
      },
      30_000,
    );
    const successor = recovery.SuccessorKey!.Port;
    expect(topology.replicas).toContain(successor);
    await eventually('etcd to name the new master', async () =>
      (await published(etcdReader))['mysql/master/main'] === `127.0.0.1:${successor}` ? true : undefined,
    );
    expect(await published(etcdReader)).toEqual(expected(successor));

    const steps = async () => {
      const r = await leader.get<{ Message: string }[]>(`audit-recovery-steps/${recovery.UID}`);
      return Array.isArray(r.body) ? r.body.map((x) => x.Message) : [];
    };
    const failed = await eventually(
      'the failed ZooKeeper write among the recovery steps',
      async () => (await steps()).find((m) => m.startsWith('KV zookeeper: publishing')),
      30_000,
    );
    expect(failed).toMatch(
      new RegExp(
        `^KV zookeeper: publishing mysql/master/main = 127\\.0\\.0\\.1:${successor} failed \\(attempt 1\\): .+; retrying in 1 s$`,
      ),
    );
    expect(await steps()).toContain(
      `KV etcd: published mysql/master/main = 127.0.0.1:${successor} (5 keys written)`,
    );
    expect(await steps()).toContain(`KV: mysql/master/main = 127.0.0.1:${successor}`);

    await zk.restart();
    await eventually(
      'ZooKeeper to name the new master after its restart',
      async () =>
        (await published(zkReader).catch(() => ({}) as Record<string, string>))['mysql/master/main'] ===
        `127.0.0.1:${successor}`
          ? true
          : undefined,
      60_000,
    );
    expect(await published(zkReader)).toEqual(expected(successor));
    // the retry that landed is a step of the same recovery
    await eventually('the ZooKeeper retry among the recovery steps', async () =>
      (await steps()).includes(
        `KV zookeeper: published mysql/master/main = 127.0.0.1:${successor} (5 keys written)`,
      )
        ? true
        : undefined,
    );
  });

  it('a graceful master takeover is published to both stores', async () => {
    const current = (await leader.get<Recovery[]>('audit-recovery')).body.find((x) => x.IsSuccessful)!
      .SuccessorKey!.Port;
    const other = topology.replicas.find((p) => p !== current)!;
    await eventually('the other replica to replicate from the current master', async () => {
      const r = await leader.get<{ Key: { Port: number }; MasterKey: { Port: number } }[]>(
        `cluster/127.0.0.1:${current}`,
      );
      return Array.isArray(r.body) && r.body.some((i) => i.Key.Port === other && i.MasterKey.Port === current)
        ? true
        : undefined;
    });
    const r = await leader.get<{ Code: string }>(
      `graceful-master-takeover/127.0.0.1/${current}/127.0.0.1/${other}`,
    );
    expect(r.status, r.text).toBe(200);
    for (const [name, reader] of [
      ['ZooKeeper', zkReader],
      ['etcd', etcdReader],
    ] as const) {
      await eventually(`${name} to name the designated replica`, async () =>
        (await published(reader))['mysql/master/main'] === `127.0.0.1:${other}` ? true : undefined,
      );
      expect(await published(reader)).toEqual(expected(other));
    }
  });
});
