// A 3-node cluster of real daemons on the SQLite backend: election, leader-check semantics,
// replicated commands reaching every node's own database, follower proxying, failover.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

function sqlite(node: OrchestratorNode, sql: string): string {
  return execFileSync('sqlite3', [`${node.dir}/orchestrator.sqlite3`, sql], { encoding: 'utf8' }).trim();
}

describe('3-node raft cluster on SQLite', () => {
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
    leader = await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('elects exactly one leader; followers answer leader-check 404 "Not leader" as JSON', async () => {
    expect((await leader.get('leader-check')).body).toBe('OK');
    for (const node of cluster.nodes.filter((n) => n !== leader)) {
      const check = await node.get('leader-check');
      expect(check.status).toBe(404);
      expect(check.body).toBe('Not leader');
      expect((await node.get('leader-check/503')).status).toBe(503);
    }
  });

  it('every node reports the same leader and is part of a quorum', async () => {
    for (const node of cluster.nodes) {
      const status = await eventually('raft-status to show the leader URI', async () => {
        const s = (await node.get<Record<string, unknown>>('raft-status')).body;
        return s.LeaderURI === `http://127.0.0.1:${leader.httpPort}` ? s : undefined;
      });
      expect(status.Leader).toBe(leader.raftAddress);
      expect(status.IsPartOfQuorum).toBe(true);
      expect(status.Healthy).toBe(true);
      expect([...(status.Peers as string[])].sort()).toEqual(cluster.nodes.map((n) => n.raftAddress).sort());
      expect((await node.get('raft-health')).body).toBe('healthy');
      expect((await node.get('raft-leader')).body).toBe(leader.raftAddress);
    }
  });

  it("a command proposed on the leader is applied to every node's own database", async () => {
    const response = await leader.get<{ Code: string }>('disable-global-recoveries');
    expect(response.body.Code).toBe('OK');
    for (const node of cluster.nodes) {
      await eventually(`node${node.index} to apply disable-global-recoveries`, async () =>
        sqlite(node, 'SELECT COUNT(*) FROM global_recovery_disable') === '1' ? true : undefined,
      );
    }
    await leader.get('enable-global-recoveries');
    for (const node of cluster.nodes) {
      await eventually(`node${node.index} to apply enable-global-recoveries`, async () =>
        sqlite(node, 'SELECT COUNT(*) FROM global_recovery_disable') === '0' ? true : undefined,
      );
    }
  });

  it('the leader collects health reports from every node (RaftHealthyMembers)', async () => {
    const health = await eventually('all three nodes in RaftHealthyMembers', async () => {
      const r = await leader.get<{
        Code: string;
        Details: { RaftHealthyMembers: string[]; IsRaftLeader: boolean };
      }>('health');
      return r.body.Details.RaftHealthyMembers.length === 3 ? r.body : undefined;
    });
    expect(health.Code).toBe('OK');
    expect(health.Details.IsRaftLeader).toBe(true);
    expect([...health.Details.RaftHealthyMembers].sort()).toEqual(
      cluster.nodes.map((n) => n.raftAddress).sort(),
    );
  });

  it('followers proxy reads and writes to the leader', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    const routed = await follower.get('routed-leader-check');
    expect(routed.status).toBe(200);
    expect(routed.body).toBe('OK');
    const write = await follower.get<{ Code: string; Details: unknown }>('disable-global-recoveries');
    expect(write.body.Code).toBe('OK');
    const check = await follower.get<{ Details: string }>('check-global-recoveries');
    expect(check.body.Details).toBe('disabled');
    await follower.get('enable-global-recoveries');
  });

  it('SIGTERM on the leader hands leadership over and the process exits within 2 s', async () => {
    const old = leader;
    const t0 = Date.now();
    old.process.signalProcess('SIGTERM');
    await old.process.waitExit();
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(old.process.exitCode).toBe(0);
    leader = await cluster.waitForLeader(5000);
    expect(leader).not.toBe(old);
    old.process.start();
    await eventually('the stopped node to rejoin as a follower', async () => {
      const s = (await old.tryGet<Record<string, unknown>>('raft-status'))?.body;
      return s?.Leader === leader.raftAddress && s.IsPartOfQuorum === true ? true : undefined;
    });
  });

  it('kill -9 of the leader: a survivor becomes leader and followers proxy to it', async () => {
    const old = leader;
    await old.process.kill9();
    leader = await cluster.waitForLeader(10_000);
    expect(leader).not.toBe(old);
    const other = cluster.nodes.find((n) => n !== leader && n !== old)!;
    await eventually('the follower to proxy to the new leader', async () => {
      const r = await other.tryGet('routed-leader-check');
      return r?.status === 200 ? true : undefined;
    });
    // the killed node comes back as a follower and catches up
    old.process.start();
    await eventually('the restarted node to know the leader', async () => {
      const s = (await old.tryGet<Record<string, unknown>>('raft-status'))?.body;
      return s?.Leader === leader.raftAddress ? true : undefined;
    });
  });
});
