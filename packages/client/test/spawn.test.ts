// The built executable, spawned as a real process (needs `npm run build` first, as turbo does).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOrchestratorCluster, samples } from '../src/testing/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let cluster: FakeOrchestratorCluster;

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  cluster = await FakeOrchestratorCluster.start({ leader: 2 });
  cluster.routes([
    { path: 'clusters-info', response: { body: [samples.mainCluster, samples.reportingCluster] } },
    { path: 'instance/db-2/3306', response: { body: samples.db2 } },
    { path: 'recover/db-2/3306', response: samples.fail('Recovery not attempted') },
  ]);
});
afterAll(async () => {
  await cluster.close();
});

describe('dist/cli.js', () => {
  it('is an executable with a node shebang', () => {
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
  });

  it('finds the leader and prints clusters, exit 0', async () => {
    const out = await run(['-c', 'clusters'], { ORCHESTRATOR_API: cluster.apiUrls.join(' ') });
    expect(out).toEqual({ code: 0, stdout: 'db-1:3306\ndb-9:3306\n', stderr: '' });
  });

  it('which-master with ORCHESTRATOR_INSTANCE, through a follower URL', async () => {
    const out = await run(['--command', 'which-master'], {
      ORCHESTRATOR_API: cluster.urls[0]!,
      ORCHESTRATOR_INSTANCE: 'db-2:3306',
    });
    expect(out).toEqual({ code: 0, stdout: 'db-1:3306\n', stderr: '' });
  });

  it('an ERROR envelope: Message on stderr, exit 1', async () => {
    const out = await run(['-c', 'recover', '-i', 'db-2'], { ORCHESTRATOR_API: cluster.apiUrls.join(' ') });
    expect(out).toEqual({ code: 1, stdout: '', stderr: 'Recovery not attempted\n' });
  });

  it('a missing flag: exit 1 without contacting the server', async () => {
    cluster.clearRequests();
    const out = await run(['-c', 'begin-downtime', '-i', 'db-2'], {
      ORCHESTRATOR_API: cluster.apiUrls.join(' '),
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^orchestrator-client\[\d+\]: begin-downtime: reason must be provided/);
    expect(cluster.requests).toEqual([]);
  });
});
