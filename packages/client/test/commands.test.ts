// Contract tests: every orchestrator-client command against a fake 3-node cluster, checking the
// route called (path and query), what is printed and the exit code, in both deployment modes:
// all node URLs in ORCHESTRATOR_API (leader detection), and one URL (a follower that proxies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands/index.js';
import {
  COMMAND_FIXTURES,
  type CommandFixture,
  FakeOrchestratorCluster,
  isLocalRoute,
  runCli,
} from '../src/testing/index.js';

const LEADER = 1;
let cluster: FakeOrchestratorCluster;

beforeAll(async () => {
  cluster = await FakeOrchestratorCluster.start({ nodes: 3, leader: LEADER });
});
afterAll(async () => {
  await cluster.close();
});

async function check(fx: CommandFixture, api: string, usedApi: string) {
  cluster.routes(fx.requests);
  cluster.clearRequests();
  const run = await runCli(fx.argv, { ORCHESTRATOR_API: api, USER: 'tester', ...fx.env });

  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: fx.exitCode ?? 0 });
  if (fx.stderr) expect(run.stderr).toContain(fx.stderr);
  else expect(run.stderr).toBe('');
  if (typeof fx.stdout === 'string') expect(run.stdout).toBe(fx.stdout);
  else if (typeof fx.stdout === 'function') expect(run.stdout).toBe(fx.stdout(usedApi));
  else for (const part of fx.stdout.includes) expect(run.stdout).toContain(part);

  if (fx.command === '(usage)') {
    expect(cluster.requests).toEqual([]);
    return;
  }
  const made = cluster.apiRequests();
  expect(made.map((r) => ({ path: r.path, query: r.query }))).toEqual(
    fx.requests.map((r) => ({ path: r.path, query: r.query ?? {} })),
  );
  // Proxied routes reach the leader; raft and health routes are answered by the node asked.
  for (const r of made) expect(r.servedBy).toBe(isLocalRoute(r.path) ? r.node : LEADER);
}

describe('every command, ORCHESTRATOR_API listing all nodes (leader detection)', () => {
  it.each(COMMAND_FIXTURES.map((fx) => [fx.title, fx] as const))('%s', async (_title, fx) => {
    await check(fx, cluster.apiUrls.join(' '), cluster.apiUrls[LEADER]!);
  });
});

describe('every command, ORCHESTRATOR_API = one follower URL without /api (proxy setup)', () => {
  it.each(COMMAND_FIXTURES.map((fx) => [fx.title, fx] as const))('%s', async (_title, fx) => {
    await check(fx, `${cluster.urls[0]}/`, cluster.apiUrls[0]!);
  });
});

describe('fixture coverage', () => {
  it('has a fixture for every command the CLI knows', () => {
    const covered = new Set(COMMAND_FIXTURES.map((fx) => fx.command));
    expect(COMMANDS.map((c) => c.name).filter((name) => !covered.has(name))).toEqual([]);
  });
  it('has no fixture for a command the CLI does not know', () => {
    const known = new Set([...COMMANDS.map((c) => c.name), '(usage)']);
    expect(COMMAND_FIXTURES.map((fx) => fx.command).filter((name) => !known.has(name))).toEqual([]);
  });
});
