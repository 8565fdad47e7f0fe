// Three RaftNodes in one process, each with its own SQLite data dir and a GrpcTransport built from
// its config, over mutual TLS on loopback: the whole stack without the process harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, makePki } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RaftNode, type StateMachine } from '../../src/index.js';
import { freePort, waitFor } from './harness.js';

class Counter implements StateMachine {
  total = 0;
  apply(entry: { data: Uint8Array }): number {
    this.total += entry.data[0] ?? 0;
    return this.total;
  }
  async snapshot(): Promise<Uint8Array> {
    return new TextEncoder().encode(String(this.total));
  }
  async restore(data: Uint8Array): Promise<void> {
    this.total = Number(new TextDecoder().decode(data));
  }
}

describe.runIf(hasOpenssl())('RaftNode over gRPC with mutual TLS', () => {
  let dir: string;
  const nodes: RaftNode[] = [];
  const machines: Counter[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raft-tls-cluster-'));
    const pki = makePki(dir, 'cluster');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(`127.0.0.1:${await freePort()}`);
    for (const [i, id] of ids.entries()) {
      const sm = new Counter();
      const node = new RaftNode(
        {
          id,
          peers: ids,
          dataDir: join(dir, `n${i}`),
          tls: { caFile: pki.ca, certFile: pki.cert, keyFile: pki.key, requireClientCert: true },
          tickMs: 20,
        },
        sm,
      );
      nodes.push(node);
      machines.push(sm);
    }
    await Promise.all(nodes.map((n) => n.start()));
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('elects a leader and replicates durable entries', async () => {
    const leader = await waitFor(() => nodes.find((n) => n.status().state === 'leader'), 10_000, 'a leader');
    const results = await Promise.all([1, 2, 3, 4].map((v) => leader.propose(new Uint8Array([v]))));
    expect(Math.max(...(results as number[]))).toBe(10);
    await waitFor(() => machines.every((m) => m.total === 10), 5_000, 'replication');
    await leader.readIndex();
    const st = leader.status();
    expect(st.members).toHaveLength(3);
    expect(st.isPartOfQuorum).toBe(true);
  });
});
