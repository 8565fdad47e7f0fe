// Disk faults through the daemon (issue 21), for real: one node's raft dir lives on a small tmpfs
// that the test fills up, and its backend is a MariaDB server of its own that the test makes
// read-only. Meanwhile the node takes no part in raft (raft-health unhealthy naming the fault,
// raft-status StorageFault, orchestrator_raft_storage_fault 1, an error in its log) and the others
// carry on; once writable again it rejoins and holds every command. Needs root (mount).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MariaDBServer, startMariaDB } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Writes zeros into `file` until the file system is full (not even a small block left). */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let total = 0;
  try {
    for (let size = chunk.length; size >= 512; size /= 2) {
      try {
        for (;;) total += writeSync(fd, chunk.subarray(0, size));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
    return total;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!canMount)('a node whose raft disk fills up or whose backend turns read-only', () => {
  const raftMount = mkdtempSync(join(tmpdir(), 'disk-faults-raft-'));
  const filler = join(raftMount, 'filler');
  let backend: MariaDBServer;
  let cluster: OrchestratorCluster;
  let victim: OrchestratorNode;
  let sent: string[] = [];

  const candidates = async (): Promise<string[]> =>
    (
      await backend.query<{ hostname: string }>(
        'SELECT hostname FROM orchestrator.candidate_database_instance',
      )
    ).map((r) => r.hostname);

  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', raftMount]);
    backend = await startMariaDB();
    await backend.query("CREATE USER 'orchestrator_srv'@'%' IDENTIFIED BY 'srv_pw'");
    await backend.query("GRANT ALL PRIVILEGES ON orchestrator.* TO 'orchestrator_srv'@'%'");
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: (i) =>
        i === 2
          ? {
              RaftDataDir: join(raftMount, 'raft'),
              BackendDB: 'mysql',
              SQLite3DataFile: '',
              MySQLOrchestratorHost: '127.0.0.1',
              MySQLOrchestratorPort: backend.port,
              MySQLOrchestratorDatabase: 'orchestrator',
              MySQLOrchestratorUser: 'orchestrator_srv',
              MySQLOrchestratorPassword: 'srv_pw',
            }
          : {},
    });
    victim = cluster.node(2);
    await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
    await backend?.destroy();
    try {
      execFileSync('umount', ['-l', raftMount], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
    rmSync(raftMount, { recursive: true, force: true });
  });

  /** Registers candidates through a node other than the victim; they must all reach the victim. */
  async function writeSome(prefix: string, n: number): Promise<void> {
    const others = cluster.nodes.filter((x) => x !== victim);
    for (let i = 0; i < n; i++) {
      const host = `${prefix}${i}.example.com`;
      await eventually(`register-candidate ${host}`, async () => {
        for (const node of others) {
          const r = await node.tryGet<{ Code: string }>(`register-candidate/${host}/3306/prefer`);
          if (r?.body.Code === 'OK') return true;
        }
        return undefined;
      });
      sent.push(host);
    }
  }

  const metric = async () => {
    const text = await (await fetch(`http://${victim.address}:${victim.httpPort}/metrics`)).text();
    return /^orchestrator_raft_storage_fault (\d)$/m.exec(text)?.[1];
  };

  async function expectFault(what: RegExp): Promise<void> {
    const health = await eventually('the victim to report its fault', async () => {
      const r = await victim.get<{ Code: string; Message: string }>('raft-health');
      return r.status === 500 ? r : undefined;
    });
    expect(health.body.Message).toMatch(what);
    const status = (await victim.get<{ StorageFault?: string; Healthy: boolean }>('raft-status')).body;
    expect(status.StorageFault).toMatch(what);
    expect(status.Healthy).toBe(false);
    expect(await metric()).toBe('1');
    expect(victim.process.output()).toMatch(/cannot be written/);
    expect((await victim.get('leader-check')).status).toBe(404);
    // The other two carry on.
    expect(await cluster.waitForLeader()).not.toBe(victim);
  }

  async function expectRecovered(): Promise<void> {
    await eventually(
      'the victim to be healthy again',
      async () => ((await victim.get('raft-health')).status === 200 ? true : undefined),
      20_000,
    );
    await eventually(
      'the victim to hold every command',
      async () => {
        const held = new Set(await candidates());
        return sent.every((h) => held.has(h)) ? true : undefined;
      },
      20_000,
    );
    expect(await metric()).toBe('0');
    expect(victim.process.output()).toMatch(/takes part again/);
  }

  it('a full raft dir: the node steps out, then rejoins and catches up once there is room', async () => {
    sent = [];
    await writeSome('before-full', 3);
    expect(fill(filler)).toBeGreaterThan(0);
    await writeSome('during-full', 30);
    await expectFault(/raft log or hard state: .*(full|space)/i);
    rmSync(filler);
    await writeSome('after-full', 2);
    await expectRecovered();
  });

  it('a read-only backend: no command is skipped, every one is applied once it is writable', async () => {
    sent = [];
    await writeSome('before-ro', 2);
    await backend.query('SET GLOBAL read_only = ON');
    await writeSome('during-ro', 5);
    await expectFault(/state machine: .*read.only/i);
    await backend.query('SET GLOBAL read_only = OFF');
    await expectRecovered();
  });
});
