// The seed's scenario (c) on the MySQL backend: a node's backend cloned with mariadb-dump and loaded
// into another MariaDB server catches up and joins — both when the node keeps its raft dir (moved to
// a new database server) and when the node is re-provisioned with nothing but the cloned backend.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { type MariaDBServer, startMariaDB } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

const USER = 'orchestrator_srv';
const PASSWORD = 'srv_pw';

/** The rows of the replicated tables this test writes, in a stable order. */
async function replicatedRows(server: MariaDBServer): Promise<string> {
  const tables = {
    candidate_database_instance: 'hostname, port, promotion_rule, last_suggested, promotion_rule_expiry',
    database_instance_downtime: 'hostname, port, owner, reason, begin_timestamp, end_timestamp',
    database_instance_tags: 'hostname, port, tag_name, tag_value, last_updated',
  };
  const parts: string[] = [];
  for (const [table, columns] of Object.entries(tables)) {
    const rows = await server.query(`SELECT ${columns} FROM orchestrator.${table} ORDER BY ${columns}`);
    parts.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

async function grantBackendUser(server: MariaDBServer): Promise<void> {
  await server.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await server.query(`GRANT ALL PRIVILEGES ON orchestrator.* TO '${USER}'@'%'`);
}

/** mariadb-dump of the orchestrator database on `from`, loaded into `to` with the mariadb client. */
function cloneBackend(from: MariaDBServer, to: MariaDBServer): void {
  const dump = execFileSync(
    'mariadb-dump',
    ['-h127.0.0.1', `-P${from.port}`, '-uroot', '--single-transaction', '--databases', 'orchestrator'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(dump).toContain('CREATE TABLE `candidate_database_instance`');
  execFileSync('mariadb', ['-h127.0.0.1', `-P${to.port}`, '-uroot'], { input: dump });
}

describe('a node whose MySQL backend was cloned with mariadb-dump catches up and joins', () => {
  const backends: MariaDBServer[] = [];
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    backends.push(...(await Promise.all([startMariaDB(), startMariaDB(), startMariaDB()])));
    for (const b of backends) await grantBackendUser(b);
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      env: { ORC_BACKEND_PASSWORD: PASSWORD },
      config: (i) => ({
        BackendDB: 'mysql',
        SQLite3DataFile: '',
        MySQLOrchestratorHost: '127.0.0.1',
        MySQLOrchestratorPort: backends[i]!.port,
        MySQLOrchestratorDatabase: 'orchestrator',
        MySQLOrchestratorUser: USER,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: orchestrator's ${ENV} syntax, expanded by the daemon
        MySQLOrchestratorPassword: '${ORC_BACKEND_PASSWORD}',
      }),
    });
    leader = await cluster.waitForLeader();
  }, 90_000);

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all(backends.map((b) => b.destroy()));
  });

  const ok = async (path: string) => {
    leader = await cluster.waitForLeader();
    const r = await leader.get<{ Code: string }>(path);
    expect(r.body.Code, r.text).toBe('OK');
  };

  /** Waits until every node's backend holds the same replicated rows, including `host`. */
  const converged = (host: string) =>
    eventually(
      `every backend to hold ${host} and the same rows`,
      async () => {
        const rows = await Promise.all(cluster.nodes.map((n) => replicatedRows(backends[n.index]!)));
        return rows[0]!.includes(host) && rows.every((r) => r === rows[0]) ? rows[0] : undefined;
      },
      30_000,
    );

  it('moved to a new server (dump + load, raft dir kept): serves the cloned data and applies what it missed', async () => {
    await ok('register-candidate/a.example.com/3306/prefer');
    await ok('begin-downtime/b.example.com/3306/ops/clone-test/1h');
    await ok('tag/c.example.com/3306?tag=role%3Dclone');
    await converged('c.example.com');

    const follower = cluster.nodes.find((n) => n !== leader)!;
    const old = backends[follower.index]!;
    await follower.process.stop(5000);
    const fresh = await startMariaDB();
    await grantBackendUser(fresh);
    cloneBackend(old, fresh);
    // The old server goes away: nothing can be read from it any more.
    await old.destroy();
    backends[follower.index] = fresh;
    expect(await replicatedRows(fresh)).toBe(await replicatedRows(backends[leader.index]!));

    await ok('register-candidate/d.example.com/3306/neutral');
    follower.updateConfig({ MySQLOrchestratorPort: fresh.port });
    follower.process.start();
    await converged('d.example.com');
    const status = await eventually('the cloned node in the quorum', async () => {
      const s = (await follower.tryGet<{ IsPartOfQuorum: boolean; Leader: string }>('raft-status'))?.body;
      return s?.IsPartOfQuorum === true && s.Leader !== '' ? s : undefined;
    });
    expect(status.IsPartOfQuorum).toBe(true);
  }, 90_000);

  it('re-provisioned with only a cloned backend (raft dir gone): rejoins and catches up', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    const old = backends[follower.index]!;
    await follower.process.kill9();
    rmSync(`${follower.dir}/raft`, { recursive: true, force: true });
    const fresh = await startMariaDB();
    await grantBackendUser(fresh);
    cloneBackend(old, fresh);
    await old.destroy();
    backends[follower.index] = fresh;

    await ok('register-candidate/e.example.com/3306/prefer');
    await ok('tag/c.example.com/3306?tag=after%3Dclone');
    follower.updateConfig({ MySQLOrchestratorPort: fresh.port });
    follower.process.start();
    await converged('e.example.com');
    const rows = await replicatedRows(fresh);
    for (const host of ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com']) {
      expect(rows).toContain(host);
    }
    expect(rows).toContain('"tag_name":"after"');

    // Still a full member: it takes part in a commit after another node goes down.
    const other = cluster.nodes.find((n) => n !== leader && n !== follower)!;
    await other.process.kill9();
    await ok('register-candidate/f.example.com/3306/prefer');
    other.process.start();
    await converged('f.example.com');
  }, 90_000);
});
