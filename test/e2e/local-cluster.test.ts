// `npm start` across restarts (apps/orchestrator/dist/local-cluster.js, what `npm start` runs after
// building): a restart on the same ports reuses .local-cluster/ (the raft term carries on, a file
// left in a node's directory is still there) and elects a leader; a restart with an HTTP port taken
// keeps the data; one with a raft port taken (the node ids change) rebuilds it, says so, and elects a
// leader on the new ports. The printed curl and ORCHESTRATOR_API lines name the ports in use.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessHandle } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LOCAL_CLUSTER = join(repoRoot, 'apps/orchestrator/dist/local-cluster.js');

interface RaftStatus {
  readonly State: string;
  readonly Leader: string;
  readonly Peers: readonly string[];
  readonly Term: number;
  readonly LastIndex: number;
}

/** One `npm start` run: its process, what it printed, and the daemons' pids. */
interface Run {
  readonly process: ProcessHandle;
  /** The `local cluster: …` line: created, reused or rebuilt, and why. */
  readonly plan: string;
  readonly apis: readonly string[];
  readonly raft: readonly string[];
  readonly pids: readonly number[];
  readonly curlLine: string;
  readonly apiLine: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function raftStatus(api: string): Promise<RaftStatus | undefined> {
  const r = await fetch(`${api}/raft-status`, { signal: AbortSignal.timeout(1000) });
  return r.status === 200 ? ((await r.json()) as RaftStatus) : undefined;
}

describe('npm start across restarts', () => {
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  const runs: Run[] = [];
  let blocker: Server | undefined;
  /** The term the last run's leader was elected in. */
  let lastTerm = 0;

  async function start(): Promise<Run> {
    const proc = new ProcessHandle('npm start', {
      command: process.execPath,
      args: [LOCAL_CLUSTER],
      env,
    }).start();
    const output = await eventually(
      'npm start to print its URLs',
      async () => {
        if (!proc.running) return `exited:\n${proc.output()}`;
        return proc.output().includes('Ctrl-C stops all nodes') ? proc.output() : undefined;
      },
      30_000,
    );
    expect(output).not.toMatch(/^exited/);
    const nodes = [...output.matchAll(/^ {2}node\d: (\S+) {2}\(raft (\S+), pid (\d+)\)$/gm)];
    const run: Run = {
      process: proc,
      plan: /^local cluster: (.*)$/m.exec(output)![1]!,
      apis: nodes.map((m) => m[1]!),
      raft: nodes.map((m) => m[2]!),
      pids: nodes.map((m) => Number(m[3])),
      curlLine: /^ {4}curl .*$/m.exec(output)![0].trim(),
      apiLine: /^ {4}export ORCHESTRATOR_API=.*$/m.exec(output)![0].trim(),
    };
    runs.push(run);
    expect(run.apis).toHaveLength(3);
    return run;
  }

  /** Ctrl-C: every daemon it started is gone when it exits. */
  async function stop(run: Run): Promise<void> {
    run.process.signalProcess('SIGINT');
    await run.process.waitExit();
    await eventually('the daemons to exit', async () => (run.pids.some(alive) ? undefined : true), 10_000);
  }

  /** The leader's raft status once the cluster has one that every node agrees on. */
  async function leaderOf(run: Run): Promise<RaftStatus> {
    return eventually(
      'a leader that every node knows',
      async () => {
        const statuses = await Promise.all(run.apis.map(raftStatus));
        const leader = statuses.find((s) => s?.State === 'Leader');
        return leader && statuses.every((s) => s?.Leader === leader.Leader) ? leader : undefined;
      },
      30_000,
    );
  }

  /** The ports the run's configs hold, from the files it wrote (not from what it printed). */
  function configuredPorts(): { http: number[]; raft: number[] } {
    const configs = [1, 2, 3].map(
      (i) =>
        JSON.parse(readFileSync(join(workDir, `node${i}`, 'orchestrator.conf.json'), 'utf8')) as {
          ListenAddress: string;
          RaftBind: string;
        },
    );
    const port = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));
    return { http: configs.map((c) => port(c.ListenAddress)), raft: configs.map((c) => port(c.RaftBind)) };
  }

  /** The printed lines name exactly the ports in use, and work as printed. */
  async function checkPrintedLines(run: Run): Promise<void> {
    const { http } = configuredPorts();
    const apis = http.map((p) => `http://127.0.0.1:${p}/api`);
    expect(run.apis).toEqual(apis);
    expect(run.curlLine).toBe(`curl -s ${apis[0]}/raft-status`);
    expect(run.apiLine).toBe(`export ORCHESTRATOR_API="${apis.join(' ')}"`);
    await eventually('the printed curl URL to answer', () => raftStatus(apis[0]!), 30_000);
  }

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'orch-local-cluster-'));
    // Below the kernel's ephemeral range, so no other test's free port lands in these blocks.
    const base = 21_000 + Math.floor(Math.random() * 7_000);
    env = {
      ...process.env,
      ORCHESTRATOR_LOCAL_DIR: workDir,
      ORCHESTRATOR_LOCAL_HTTP_PORT: String(base),
      ORCHESTRATOR_LOCAL_RAFT_PORT: String(base + 500),
      ORCHESTRATOR_LOCAL_SEED: '',
      ORCHESTRATOR_LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    for (const run of runs) {
      if (run.process.running) run.process.signalProcess('SIGINT');
      await run.process.waitExit();
      for (const pid of run.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it('starts fresh, then reuses .local-cluster/ on the same ports and elects a leader again', async () => {
    const first = await start();
    expect(first.plan).toBe(`new local cluster in ${workDir}`);
    await checkPrintedLines(first);
    const before = await leaderOf(first);
    const ports = configuredPorts();
    // A second start on the same directory refuses rather than rebuilding it under the first.
    const second = new ProcessHandle('npm start again', {
      command: process.execPath,
      args: [LOCAL_CLUSTER],
      env,
    }).start();
    expect(await second.waitExit()).toBe(1);
    expect(second.output()).toContain(
      `a local cluster is already running from ${workDir} (pid ${first.process.pid})`,
    );
    expect(configuredPorts()).toEqual(ports);
    await stop(first);
    writeFileSync(join(workDir, 'node1', 'left-by-the-test'), 'x');
    // As an older npm start left it: no ports.json, the ports are read from the node configs.
    rmSync(join(workDir, 'ports.json'));

    const again = await start();
    expect(again.plan).toBe(`reusing ${workDir} (same ports as last time)`);
    expect(configuredPorts()).toEqual(ports);
    await checkPrintedLines(again);
    const after = await leaderOf(again);
    // The same raft data: the term carries on from the persisted one, the log is still there.
    expect(after.Term).toBeGreaterThan(before.Term);
    expect(after.LastIndex).toBeGreaterThanOrEqual(before.LastIndex);
    expect(existsSync(join(workDir, 'node1', 'left-by-the-test'))).toBe(true);
    lastTerm = after.Term;
    await stop(again);
  });

  it('keeps the data when only an HTTP port is taken, and prints the new ports', async () => {
    const ports = configuredPorts();
    blocker = await listen(ports.http[1]!);
    const run = await start();
    expect(run.plan).toMatch(
      /^HTTP ports .* are taken, so the nodes listen on .*; reusing .* \(raft ports unchanged\)$/,
    );
    const now = configuredPorts();
    expect(now.raft).toEqual(ports.raft);
    expect(now.http).not.toContain(ports.http[1]);
    await checkPrintedLines(run);
    expect((await leaderOf(run)).Term).toBeGreaterThan(lastTerm);
    expect(existsSync(join(workDir, 'node1', 'left-by-the-test'))).toBe(true);
    await stop(run);
    await new Promise<void>((done) => blocker!.close(() => done()));
    blocker = undefined;
  });

  it('rebuilds .local-cluster/ when a raft port is taken, says so, and elects a leader on the new ports', async () => {
    const ports = configuredPorts();
    blocker = await listen(ports.raft[1]!);
    const run = await start();
    expect(run.plan).toMatch(
      /^raft ports .* are taken, so the nodes use .* and their ids change: rebuilding /,
    );
    const now = configuredPorts();
    expect(now.raft).not.toContain(ports.raft[1]);
    await checkPrintedLines(run);
    const leader = await leaderOf(run);
    expect([...leader.Peers].sort()).toEqual(now.raft.map((p) => `127.0.0.1:${p}`).sort());
    expect(run.raft).toEqual(now.raft.map((p) => `127.0.0.1:${p}`));
    expect(existsSync(join(workDir, 'node1', 'left-by-the-test'))).toBe(false);
    await stop(run);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done(server));
  });
}
