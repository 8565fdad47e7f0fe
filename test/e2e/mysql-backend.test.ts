// The seed's MySQL backend: each orchestrator node has its own dedicated MariaDB server (no
// replication between them). Commands proposed on the leader land in every node's own database,
// and a node whose backend is emptied catches up again.
import { type MariaDBServer, startMariaDB } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

describe('3-node cluster, each node on its own MariaDB backend', () => {
  let backends: MariaDBServer[] = [];
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    backends = await Promise.all([startMariaDB(), startMariaDB(), startMariaDB()]);
    for (const b of backends) {
      await b.query("CREATE USER 'orchestrator_srv'@'%' IDENTIFIED BY 'srv_pw'");
      await b.query("GRANT ALL PRIVILEGES ON orchestrator.* TO 'orchestrator_srv'@'%'");
    }
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      env: { ORC_BACKEND_PASSWORD: 'srv_pw' },
      config: (i) => ({
        BackendDB: 'mysql',
        SQLite3DataFile: '',
        MySQLOrchestratorHost: '127.0.0.1',
        MySQLOrchestratorPort: backends[i]!.port,
        MySQLOrchestratorDatabase: 'orchestrator',
        MySQLOrchestratorUser: 'orchestrator_srv',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: orchestrator's ${ENV} syntax, expanded by the daemon
        MySQLOrchestratorPassword: '${ORC_BACKEND_PASSWORD}',
      }),
    });
    leader = await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all(backends.map((b) => b.destroy()));
  });

  it("applies commands to every node's own backend server", async () => {
    const r = await leader.get<{ Code: string }>('register-candidate/db1.example.com/3306/prefer');
    expect(r.body.Code).toBe('OK');
    for (const b of backends) {
      const rows = await eventually(`backend ${b.port} to hold the candidate`, async () => {
        const found = await b.query<{ promotion_rule: string }>(
          "SELECT promotion_rule FROM orchestrator.candidate_database_instance WHERE hostname = 'db1.example.com'",
        );
        return found.length === 1 ? found : undefined;
      });
      expect(rows[0]!.promotion_rule).toBe('prefer');
    }
  });

  it('a follower whose backend database was dropped catches up after a restart', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    const backend = backends[follower.index]!;
    await follower.process.kill9();
    await backend.query('DROP DATABASE orchestrator');
    follower.process.start();
    await eventually(
      'the emptied backend to be rebuilt from the raft log or a snapshot',
      async () => {
        const found = await backend
          .query("SELECT 1 FROM orchestrator.candidate_database_instance WHERE hostname = 'db1.example.com'")
          .catch(() => []);
        return found.length === 1 ? true : undefined;
      },
      20_000,
    );
  });
});
