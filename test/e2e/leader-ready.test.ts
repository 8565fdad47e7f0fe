// A 200 from /api/leader-check means the node accepts every leader command at once. Clients find
// the leader that way (HAProxy, the upstream orchestrator-client) and act right after, so this is
// tested in the window that matters: the first moments of a leadership, at a cold start and after
// each of 20 kill -9s of the leader. Discovery, a replicated write and a downtime must all succeed.
import { type MariaDBServer, startMariaDB, TOPOLOGY_PASSWORD, TOPOLOGY_USER } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

const ROUNDS = 20;

interface Envelope {
  Code?: string;
  Message?: string;
}

/** Polls every running node's leader-check as fast as a client would, and returns the first to answer 200. */
async function firstLeader(cluster: OrchestratorCluster, timeoutMs = 15_000): Promise<OrchestratorNode> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const node of cluster.nodes) {
      if (!node.process.running) continue;
      const r = await node.tryGet('leader-check');
      if (r?.status === 200) return node;
    }
  }
  throw new Error(`no node answered leader-check 200 within ${timeoutMs} ms`);
}

/** The leader commands a client runs right after finding the leader; every answer must be a success. */
async function actAtOnce(leader: OrchestratorNode, mysqlPort: number, round: number): Promise<string[]> {
  const paths = [
    `discover/127.0.0.1/${mysqlPort}`,
    `register-candidate/127.0.0.1/${mysqlPort}/prefer`,
    `begin-downtime/127.0.0.1/${mysqlPort}/ready-test/round-${round}/10m`,
    `end-downtime/127.0.0.1/${mysqlPort}`,
  ];
  const failures: string[] = [];
  for (const path of paths) {
    const r = await leader.get<Envelope>(path);
    if (r.status !== 200 || r.body.Code !== 'OK')
      failures.push(`${path}: ${r.status} ${r.text.slice(0, 300)}`);
  }
  return failures;
}

describe('leader-check 200 means ready for every leader command', () => {
  let cluster: OrchestratorCluster;
  let mysql: MariaDBServer;

  beforeAll(async () => {
    mysql = await startMariaDB();
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        MySQLTopologyUser: TOPOLOGY_USER,
        MySQLTopologyPassword: TOPOLOGY_PASSWORD,
        MySQLHostnameResolveMethod: 'none',
      }),
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
    await mysql?.destroy();
  });

  it('at a cold start: the first node to answer 200 discovers, registers and downtimes at once', async () => {
    const leader = await firstLeader(cluster);
    expect(await actAtOnce(leader, mysql.port, 0)).toEqual([]);
  });

  it(`after each of ${ROUNDS} kill -9s of the leader, the new leader does the same at once`, async () => {
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const old = await cluster.waitForLeader();
      await old.process.kill9();
      const leader = await firstLeader(cluster);
      failures.push(...(await actAtOnce(leader, mysql.port, round)).map((f) => `round ${round}: ${f}`));
      old.process.start();
      await cluster.waitForLeader();
      await cluster.waitForFollowers();
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('a node that cannot act yet answers 503 with Retry-After, never 500', async () => {
    // Two of three nodes down: the survivor has no quorum, so discovery cannot run there.
    const leader = await cluster.waitForLeader();
    const others = cluster.nodes.filter((n) => n !== leader);
    const survivor = others[0]!;
    await leader.process.kill9();
    await others[1]!.process.kill9();
    try {
      const r = await survivor.get<Envelope>(`discover/127.0.0.1/${mysql.port}`);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body.Code).toBe('ERROR');
    } finally {
      leader.process.start();
      others[1]!.process.start();
    }
    await cluster.waitForLeader();
  });
});
