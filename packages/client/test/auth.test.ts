// Basic auth and header auth, for the library and the command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorClient, UnauthorizedError } from '../src/index.js';
import { FakeOrchestratorCluster, runCli, samples } from '../src/testing/index.js';

const auth = { user: 'ops', password: 's3cret' };
let cluster: FakeOrchestratorCluster;

beforeAll(async () => {
  cluster = await FakeOrchestratorCluster.start({ leader: 1, auth });
  cluster.routes([
    { path: 'clusters', response: { body: ['db-1:3306'] } },
    { path: 'clusters-info', response: { body: [samples.mainCluster] } },
  ]);
});
afterAll(async () => {
  await cluster.close();
});

describe('basic auth', () => {
  it('sends the credentials on leader checks and API calls', async () => {
    cluster.clearRequests();
    const client = new OrchestratorClient({ api: cluster.apiUrls, auth });
    expect(await client.clusters()).toEqual(['db-1:3306']);
    const expected = `Basic ${Buffer.from('ops:s3cret').toString('base64')}`;
    expect(cluster.requests.length).toBeGreaterThan(1);
    for (const r of cluster.requests) expect(r.headers.authorization).toBe(expected);
  });

  it('fails with UnauthorizedError on 401 with one URL, without retrying', async () => {
    cluster.clearRequests();
    const client = new OrchestratorClient({
      api: cluster.apiUrls[1]!,
      auth: { user: 'ops', password: 'wrong' },
    });
    const err = await client.clusters().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).code).toBe('UNAUTHORIZED');
    expect((err as Error).message).toContain('401 Unauthorized');
    expect(cluster.requests).toHaveLength(1);
  });

  it('fails with UnauthorizedError (not "no leader") when every leader-check answers 401', async () => {
    const client = new OrchestratorClient({ api: cluster.apiUrls, sleep: async () => {} });
    await expect(client.clusters()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('CLI: ORCHESTRATOR_AUTH_USER / ORCHESTRATOR_AUTH_PASSWORD', async () => {
    const run = await runCli(['-c', 'clusters'], {
      ORCHESTRATOR_API: cluster.apiUrls.join(' '),
      ORCHESTRATOR_AUTH_USER: 'ops',
      ORCHESTRATOR_AUTH_PASSWORD: 's3cret',
    });
    expect(run).toEqual({ code: 0, stdout: 'db-1:3306\n', stderr: '' });
  });

  it('CLI: -b user:password overrides the environment', async () => {
    const run = await runCli(['-c', 'clusters', '-b', 'ops:s3cret'], {
      ORCHESTRATOR_API: cluster.apiUrls[1],
      ORCHESTRATOR_AUTH_USER: 'nobody',
      ORCHESTRATOR_AUTH_PASSWORD: 'x',
    });
    expect(run).toEqual({ code: 0, stdout: 'db-1:3306\n', stderr: '' });
  });

  it('CLI: wrong credentials → a clear message, exit 1', async () => {
    const run = await runCli(['-c', 'clusters', '--auth', 'ops:wrong'], {
      ORCHESTRATOR_API: cluster.apiUrls[1],
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('orchestrator-client[4242]: 401 Unauthorized from');
    expect(run.stderr).toContain('ORCHESTRATOR_AUTH_USER');
  });
});

describe('header auth', () => {
  it('CLI: ORCHESTRATOR_AUTH_USER_HEADER / -e send one "Name: value" header instead of basic auth', async () => {
    const open = await FakeOrchestratorCluster.start({ nodes: 1 });
    try {
      open.routes([{ path: 'clusters-info', response: { body: [] } }]);
      await runCli(['-c', 'clusters'], {
        ORCHESTRATOR_API: open.apiUrls[0],
        ORCHESTRATOR_AUTH_USER_HEADER: 'X-Forwarded-User: alice',
        ORCHESTRATOR_AUTH_USER: 'ops',
        ORCHESTRATOR_AUTH_PASSWORD: 's3cret',
      });
      await runCli(['-c', 'clusters', '-e', 'X-Forwarded-User: bob'], { ORCHESTRATOR_API: open.apiUrls[0] });
      const [first, second] = open.requests;
      expect(first?.headers['x-forwarded-user']).toBe('alice');
      expect(first?.headers.authorization).toBeUndefined();
      expect(second?.headers['x-forwarded-user']).toBe('bob');
    } finally {
      await open.close();
    }
  });

  it('CLI: a header without a colon is refused', async () => {
    const run = await runCli(['-c', 'clusters', '-e', 'alice'], {
      ORCHESTRATOR_API: 'http://127.0.0.1:9/api',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('must look like "Name: value"');
  });
});
