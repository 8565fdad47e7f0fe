// HTTPS for the API (UseSSL, SSLCertFile, SSLPrivateKeyFile, SSLCAFile) and mutual TLS on the raft
// port (RaftTLS* keys): the cluster elects a leader, followers proxy to the leader over HTTPS, and
// node→leader health reports travel over HTTPS too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'orchestrator-tls-'));
const pki = makePki(dir, 'orc');
const ca = readFileSync(pki.ca);

function httpsGet(node: OrchestratorNode, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = get(`https://127.0.0.1:${node.httpPort}/api/${path}`, { ca, timeout: 3000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('a cluster with HTTPS and mutual TLS on the raft port', () => {
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: (_i, ports) => ({
        UseSSL: true,
        SSLCertFile: pki.cert,
        SSLPrivateKeyFile: pki.key,
        SSLCAFile: pki.ca,
        HTTPAdvertise: `https://127.0.0.1:${ports.http}`,
        RaftTLSCertFile: pki.cert,
        RaftTLSKeyFile: pki.key,
        RaftTLSCAFile: pki.ca,
        RaftTLSRequireClientCert: true,
      }),
    });
    leader = await eventually('one leader over HTTPS', async () => {
      const checks = await Promise.all(
        cluster.nodes.map((n) => httpsGet(n, 'leader-check').catch(() => undefined)),
      );
      const leaders = cluster.nodes.filter((_, i) => checks[i]?.status === 200);
      return leaders.length === 1 ? leaders[0] : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS only', async () => {
    expect((await httpsGet(leader, 'leader-check')).body).toBe('OK');
    await expect(leader.get('leader-check')).rejects.toThrow();
  });

  it('followers proxy reads and writes to the leader over HTTPS', async () => {
    const follower = cluster.nodes.find((n) => n !== leader)!;
    await eventually('the follower to proxy', async () => {
      const r = await httpsGet(follower, 'routed-leader-check');
      return r.status === 200 ? true : undefined;
    });
    const write = await httpsGet(follower, 'disable-global-recoveries');
    expect((write.body as { Code: string }).Code).toBe('OK');
    const check = await httpsGet(follower, 'check-global-recoveries');
    expect((check.body as { Details: string }).Details).toBe('disabled');
  });

  it('every node reports its health to the leader over HTTPS', async () => {
    await eventually('three healthy members', async () => {
      const r = await httpsGet(leader, 'health');
      const members = (r.body as { Details: { RaftHealthyMembers: string[] } }).Details.RaftHealthyMembers;
      return members.length === 3 ? true : undefined;
    });
  });
});
