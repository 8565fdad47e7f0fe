// The seed's "Replacing a node" scenario, by editing RaftNodes and restarting (nodeX is refused
// until a leader whose config names it exists), and the same done online with raft-add-peer /
// raft-remove-peer, without restarts.
import { execFileSync } from 'node:child_process';
import { freePort } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

interface RaftStatus {
  Peers: string[];
  IsPartOfQuorum: boolean;
  Leader: string;
}

const sorted = (a: readonly string[]) => [...a].sort();

function recoveriesDisabledOn(node: OrchestratorNode): boolean {
  const out = execFileSync(
    'sqlite3',
    [`${node.dir}/orchestrator.sqlite3`, 'SELECT COUNT(*) FROM global_recovery_disable'],
    {
      encoding: 'utf8',
    },
  );
  return out.trim() === '1';
}

async function peersOf(node: OrchestratorNode): Promise<string[]> {
  return sorted((await node.get<RaftStatus>('raft-status')).body.Peers);
}

describe('replacing node3 with nodeX', () => {
  let cluster: OrchestratorCluster | undefined;
  afterEach(async () => {
    await cluster?.destroy();
    cluster = undefined;
  });

  it('by editing RaftNodes: nodeX is refused until node1 and node2 restart with the new list', async () => {
    cluster = await OrchestratorCluster.start({ nodes: 4, initialMembers: 3 });
    const [n1, n2, n3, nX] = cluster.nodes as [
      OrchestratorNode,
      OrchestratorNode,
      OrchestratorNode,
      OrchestratorNode,
    ];
    const leader = await cluster.waitForLeader();
    expect((await leader.get<{ Code: string }>('disable-global-recoveries')).body.Code).toBe('OK');

    // node3 goes away; node1 and node2 keep a quorum
    await n3.process.kill9();
    await cluster.waitForLeader(10_000);

    const newList = [n1.raftAddress, n2.raftAddress, nX.raftAddress];
    nX.updateConfig({ RaftNodes: newList });
    nX.process.start();
    await eventually('nodeX to answer HTTP', async () =>
      (await nX.tryGet('raft-status')) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const refused = (await nX.get<RaftStatus>('raft-status')).body;
    expect(refused.IsPartOfQuorum).toBe(false);
    expect((await nX.get('leader-check')).status).not.toBe(200);
    expect(await peersOf(n1)).toEqual(sorted([n1.raftAddress, n2.raftAddress, n3.raftAddress]));

    n1.updateConfig({ RaftNodes: newList });
    n2.updateConfig({ RaftNodes: newList });
    await n1.restart();
    await cluster.waitForLeader(15_000);
    await n2.restart();

    await eventually(
      'the membership to become node1, node2, nodeX on every node',
      async () => {
        for (const n of [n1, n2, nX]) {
          const s = (await n.tryGet<RaftStatus>('raft-status'))?.body;
          if (!s?.IsPartOfQuorum || sorted(s.Peers).join() !== sorted(newList).join()) return undefined;
        }
        return true;
      },
      30_000,
    );
    const leaderNow = await cluster.waitForLeader(10_000);
    expect([n1, n2, nX]).toContain(leaderNow);
    await eventually('nodeX to have caught up with the replicated state', async () =>
      recoveriesDisabledOn(nX) ? true : undefined,
    );
  });

  it('online with raft-add-peer and raft-remove-peer, persisted across restarts', async () => {
    cluster = await OrchestratorCluster.start({ nodes: 4, initialMembers: 3 });
    const [n1, n2, n3, nX] = cluster.nodes as [
      OrchestratorNode,
      OrchestratorNode,
      OrchestratorNode,
      OrchestratorNode,
    ];
    const leader = await cluster.waitForLeader();
    await leader.get('disable-global-recoveries');

    nX.updateConfig({ RaftNodes: [n1.raftAddress, n2.raftAddress, n3.raftAddress, nX.raftAddress] });
    nX.process.start();
    // As an operator would: nodeX runs (and so listens on its raft port) before it is added.
    await eventually('nodeX to start', async () => ((await nX.tryGet('raft-state')) ? true : undefined));
    const added = await leader.get(`raft-add-peer/${nX.raftAddress}`);
    expect(added.body).toBe(nX.raftAddress);
    expect(added.status).toBe(200);
    expect(added.body).toBe(nX.raftAddress);
    await eventually('nodeX to join and catch up', async () => {
      const s = (await nX.tryGet<RaftStatus>('raft-status'))?.body;
      return s?.IsPartOfQuorum && recoveriesDisabledOn(nX) ? true : undefined;
    });

    const removeVia = (await cluster.waitForLeader()) === n3 ? n1 : await cluster.waitForLeader();
    const removed = await removeVia.get(`raft-remove-peer/${n3.raftAddress}`);
    expect(removed.status).toBe(200);
    await n3.process.kill9();
    const expected = sorted([n1.raftAddress, n2.raftAddress, nX.raftAddress]);
    await eventually('the membership without node3', async () => {
      const l = await cluster!.waitForLeader();
      return (await peersOf(l)).join() === expected.join() ? true : undefined;
    });

    // The change lives in the raft log: a restart with the unchanged config does not undo it.
    await n1.restart();
    await cluster.waitForLeader(15_000);
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of [n1, n2, nX]) {
      await eventually(`node${n.index} to report the new membership`, async () =>
        (await n.tryGet<RaftStatus>('raft-status'))?.body.Peers &&
        (await peersOf(n)).join() === expected.join()
          ? true
          : undefined,
      );
    }
  });

  it('raft-add-peer refuses a peer whose raft port does not answer, and the quorum stays 2 of 3', async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
    const leader = await cluster.waitForLeader();
    const nobody = `127.0.0.1:${await freePort()}`;
    const refused = await leader.get<{ Code: string; Message: string }>(`raft-add-peer/${nobody}`, {
      signal: AbortSignal.timeout(15_000),
    });
    expect(refused.status).toBe(500);
    expect(refused.body.Code).toBe('ERROR');
    expect(refused.body.Message).toContain(`raft peer ${nobody} is not reachable`);
    expect(await peersOf(leader)).toEqual(sorted(cluster.nodes.map((n) => n.raftAddress)));
    // One follower down: the other two still form a quorum, as they would not with a fourth voter.
    const follower = cluster.nodes.find((n) => n !== leader) as OrchestratorNode;
    await follower.process.kill9();
    const after = await cluster.waitForLeader();
    expect((await after.get('leader-check')).status).toBe(200);
  });
});
