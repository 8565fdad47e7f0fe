// Snapshot install through the daemon (issue 21): a follower is down while the leader compacts its
// log (RaftSnapshotTrailingEntries 0, raft-snapshot), so on its return it can only catch up by
// InstallSnapshot. Its replicated tables then equal the leader's, and the instances it discovered
// itself (database_instance) are kept. Once with SQLite backends, once with a MySQL backend per node.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fsmOwnedTables } from '@orchestrator/store';
import { type MariaDBServer, startMariaDB, startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';
import { topologyConfig } from '../src/topology-config.js';

type Row = Record<string, unknown>;

/** Reads a node's backend: SQLite file or its own MariaDB server. */
interface BackendReader {
  rows(node: OrchestratorNode, sql: string): Promise<Row[]>;
}

const RESTORED = 'restored a raft snapshot into the backend';

function lines(rows: Row[]): string[] {
  return rows.map((r) => JSON.stringify(Object.values(r).map((v) => (v === null ? null : String(v))))).sort();
}

/** Applied index and a hash of every FSM-owned table (rows as sorted JSON lines). */
async function replicated(
  reader: BackendReader,
  node: OrchestratorNode,
): Promise<{ applied: number; hashes: Record<string, string> }> {
  const hashes: Record<string, string> = {};
  for (const table of fsmOwnedTables) {
    const rows = await reader.rows(node, `SELECT * FROM ${table}`);
    hashes[table] = createHash('sha256').update(lines(rows).join('\n')).digest('hex').slice(0, 16);
  }
  const meta = await reader.rows(
    node,
    "SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'AppliedIndex'",
  );
  return { applied: Number(meta[0]?.meta_value ?? 0), hashes };
}

const sqliteReader: BackendReader = {
  rows: async (node, sql) => {
    const db = new Database(node.sqliteFile, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  },
};

function snapshotsOf(node: OrchestratorNode): string[] {
  const dir = join(node.dir, 'raft', 'snapshots');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe.each(['sqlite', 'mysql'] as const)('InstallSnapshot through the daemon (%s backend)', (backend) => {
  let topology: Topology;
  let backends: MariaDBServer[] = [];
  let cluster: OrchestratorCluster;
  let reader: BackendReader = sqliteReader;
  let leader: OrchestratorNode;
  let follower: OrchestratorNode;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 1 });
    if (backend === 'mysql') {
      backends = await Promise.all([startMariaDB(), startMariaDB(), startMariaDB()]);
      for (const b of backends) {
        await b.query("CREATE USER 'orchestrator_srv'@'%' IDENTIFIED BY 'srv_pw'");
        await b.query("GRANT ALL PRIVILEGES ON orchestrator.* TO 'orchestrator_srv'@'%'");
      }
      reader = {
        rows: async (node, sql) =>
          backends[node.index]!.query<Row>(sql.replace(/FROM (\w+)/, 'FROM orchestrator.$1')),
      };
    }
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      env: { ORC_BACKEND_PASSWORD: 'srv_pw' },
      config: (i) => ({
        ...topologyConfig(topology, 1),
        RecoverMasterClusterFilters: [],
        // Few entries before the follower goes down, so it holds no snapshot of its own; while it
        // is down the leader snapshots (threshold, then raft-snapshot) and keeps nothing behind.
        RaftSnapshotThreshold: 200,
        RaftSnapshotTrailingEntries: 0,
        ...(backend === 'mysql'
          ? {
              BackendDB: 'mysql',
              SQLite3DataFile: '',
              MySQLOrchestratorHost: '127.0.0.1',
              MySQLOrchestratorPort: backends[i]!.port,
              MySQLOrchestratorDatabase: 'orchestrator',
              MySQLOrchestratorUser: 'orchestrator_srv',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: orchestrator's ${ENV} syntax, expanded by the daemon
              MySQLOrchestratorPassword: '${ORC_BACKEND_PASSWORD}',
            }
          : {}),
      }),
    });
    leader = await cluster.waitForLeader();
    follower = cluster.nodes.find((n) => n !== leader) as OrchestratorNode;
  });

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all(backends.map((b) => b.destroy()));
    await topology?.destroy();
  });

  it('a follower that missed the compacted log catches up by InstallSnapshot, keeping what it discovered', async () => {
    const ports = [topology.master, ...topology.replicas].sort();
    const instancesOf = async (node: OrchestratorNode) =>
      (await reader.rows(node, 'SELECT hostname, port, server_id, version FROM database_instance')).sort(
        (a, b) => Number(a.port) - Number(b.port),
      );
    // Every node discovers the topology itself (each writes its own database_instance rows).
    for (const node of cluster.nodes) {
      await eventually(`node${node.index} to discover the topology`, async () => {
        const found = await instancesOf(node);
        return found.length === ports.length && found.every((r) => Number(r.server_id) > 0)
          ? true
          : undefined;
      });
    }
    const discovered = await instancesOf(follower);
    expect(discovered.map((r) => Number(r.port))).toEqual(ports);
    expect(
      await leader.get<{ Code: string }>(`register-candidate/127.0.0.1/${topology.master}/prefer`),
    ).toMatchObject({
      status: 200,
    });

    await follower.process.kill9();
    expect(snapshotsOf(follower)).toEqual([]);
    for (let i = 0; i < 250; i++) {
      const r = await leader.get<{ Code: string }>(`register-candidate/c${i}.example.com/3306/neutral`);
      expect(r.body.Code).toBe('OK');
    }
    expect(
      (await leader.get(`begin-downtime/127.0.0.1/${topology.replicas[0]}/ops/snapshot-test/1h`)).status,
    ).toBe(200);
    // Every running node compacts, so whichever leads when the follower returns has nothing to
    // replay to it (leadership may move on a loaded machine); compaction follows the snapshot's
    // save within a driver cycle.
    for (const node of cluster.nodes.filter((n) => n !== follower)) {
      expect((await node.get('raft-snapshot')).body).toBe('snapshot created');
    }
    await new Promise((r) => setTimeout(r, 500));

    const before = occurrences(follower.process.output(), RESTORED);
    follower.process.start();
    await eventually(
      'the follower to hold the same replicated tables as the leader',
      async () => {
        const [a, b] = await Promise.all([
          replicated(reader, leader),
          replicated(reader, follower).catch(() => undefined),
        ]);
        return b && a.applied === b.applied && JSON.stringify(a.hashes) === JSON.stringify(b.hashes)
          ? true
          : undefined;
      },
      30_000,
    );
    // It received the leader's snapshot (it had none of its own), and the restore forgot and
    // re-added nothing: the instances it probed itself kept their rows.
    expect(snapshotsOf(follower).length).toBeGreaterThanOrEqual(1);
    const output = follower.process.output();
    expect(occurrences(output, RESTORED)).toBe(before + 1);
    const restoreLine = output
      .split('\n')
      .filter((l) => l.includes(RESTORED))
      .at(-1);
    expect(restoreLine).toMatch(/"added":0/);
    expect(restoreLine).toMatch(/"forgotten":0/);
    expect(await instancesOf(follower)).toEqual(discovered);
    const candidates = await reader.rows(follower, 'SELECT hostname FROM candidate_database_instance');
    expect(candidates).toHaveLength(251);
  });
});
