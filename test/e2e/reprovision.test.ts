// The seed's operational scenarios "a node crashes" and "a new node is provisioned / re-provisioned"
// (SQLite backend): a node restarted after a crash catches up, and a node whose whole data (raft
// dir and SQLite file) was wiped rejoins under the same address and rebuilds its database; so does
// a node whose backend was cloned with `sqlite3 .dump`.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

const sqliteFile = (node: OrchestratorNode) => `${node.dir}/orchestrator.sqlite3`;

function candidates(node: OrchestratorNode): string[] {
  try {
    return execFileSync(
      'sqlite3',
      [sqliteFile(node), 'SELECT hostname FROM candidate_database_instance ORDER BY hostname'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe('crashed, re-provisioned and cloned nodes catch up', () => {
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
    leader = await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  const register = async (host: string) => {
    leader = await cluster.waitForLeader();
    const r = await leader.get<{ Code: string }>(`register-candidate/${host}/3306/prefer`);
    expect(r.body.Code).toBe('OK');
  };

  it('a crashed follower replays what it missed', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    await follower.process.kill9();
    await register('a.example.com');
    follower.process.start();
    await eventually('the follower to catch up', async () =>
      candidates(follower).includes('a.example.com') ? true : undefined,
    );
  });

  it('a follower re-provisioned with nothing (no raft dir, no SQLite file) rejoins and rebuilds', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    await follower.process.kill9();
    rmSync(`${follower.dir}/raft`, { recursive: true, force: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqliteFile(follower)}${suffix}`, { force: true });
    await register('b.example.com');
    follower.process.start();
    await eventually(
      'the re-provisioned follower to hold everything',
      async () => {
        const c = candidates(follower);
        return c.includes('a.example.com') && c.includes('b.example.com') ? true : undefined;
      },
      20_000,
    );
    const status = (await follower.get<{ IsPartOfQuorum: boolean }>('raft-status')).body;
    expect(status.IsPartOfQuorum).toBe(true);
    // It rejoined as a learner that votes only once the leader has promoted it again.
    await eventually('the re-provisioned follower to be a voter again', async () => {
      const s = (await follower.get<{ Recovering?: boolean; Peers: string[] }>('raft-status')).body;
      return s.Recovering === false && s.Peers.includes(follower.raftAddress) ? true : undefined;
    });
    expect(follower.process.output()).toMatch(/raft: admitted/);
  });

  it('a backend cloned with sqlite3 .dump into a fresh file serves the same data and keeps up', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    await follower.process.stop(5000);
    const dump = execFileSync('sqlite3', [sqliteFile(follower), '.dump'], { encoding: 'utf8' });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqliteFile(follower)}${suffix}`, { force: true });
    execFileSync('sqlite3', [sqliteFile(follower)], { input: dump });
    expect(candidates(follower)).toEqual(expect.arrayContaining(['a.example.com', 'b.example.com']));
    await register('c.example.com');
    follower.process.start();
    await eventually('the cloned node to apply the newer command too', async () =>
      candidates(follower).includes('c.example.com') ? true : undefined,
    );
  });
});
