// Real-process cluster harness: every node is `node examples/kv-node.mjs` (a raft node over gRPC on
// loopback with its own temp data dir and an HTTP control port). Every process started is tracked
// by pid and killed by `destroy()`, which the tests call in afterEach/afterAll even on failure.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
export const KV_NODE = join(pkgDir, 'examples', 'kv-node.mjs');

/** The example imports ../dist; build it when a test run starts from a clean tree. */
export function ensureBuilt(): void {
  if (!existsSync(join(pkgDir, 'dist', 'index.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: pkgDir, stdio: 'inherit' });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeStatus {
  id: string;
  state: string;
  term: number;
  leader: string;
  commit: number;
  applied: number;
  lastIndex: number;
  members: string[];
  learners: string[];
  recovering: boolean;
  isPartOfQuorum: boolean;
  keys: number;
  chain: string;
  restores: number;
  installs: number;
}

export interface ProcNode {
  readonly id: string;
  readonly dataDir: string;
  proc: ChildProcess | undefined;
  http: number;
  stderr: string;
  exitCode: number | null | undefined;
}

export interface ClusterOptions {
  readonly size: number;
  readonly extraArgs?: readonly string[];
}

export class ProcessCluster {
  readonly nodes: ProcNode[] = [];
  readonly root: string;
  private readonly extraArgs: readonly string[];

  private constructor(
    ids: string[],
    readonly peers: string[],
    extraArgs: readonly string[],
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'raft-proc-'));
    this.extraArgs = extraArgs;
    for (const id of ids) {
      this.nodes.push({
        id,
        dataDir: join(this.root, id.replace(/[^0-9a-z]/gi, '_')),
        proc: undefined,
        http: 0,
        stderr: '',
        exitCode: undefined,
      });
    }
  }

  static async create(opts: ClusterOptions): Promise<ProcessCluster> {
    ensureBuilt();
    const ids: string[] = [];
    for (let i = 0; i < opts.size; i++) ids.push(`127.0.0.1:${await freePort()}`);
    return new ProcessCluster(ids, ids, opts.extraArgs ?? []);
  }

  /** A node outside the configured membership (its own peer list names itself and the cluster). */
  async outsider(): Promise<ProcNode> {
    const id = `127.0.0.1:${await freePort()}`;
    const n: ProcNode = {
      id,
      dataDir: join(this.root, 'outsider'),
      proc: undefined,
      http: 0,
      stderr: '',
      exitCode: undefined,
    };
    this.nodes.push(n);
    return n;
  }

  node(id: string): ProcNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Starts every node that is not running, concurrently, and waits for their ready lines. */
  async startAll(): Promise<void> {
    await Promise.all(
      this.nodes.filter((n) => !n.proc && n.dataDir.indexOf('outsider') < 0).map((n) => this.start(n)),
    );
  }

  /** Starts one node; resolves when it serves HTTP, rejects with its stderr if it exits first. */
  start(n: ProcNode, peers: readonly string[] = this.peers): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        KV_NODE,
        '--id',
        n.id,
        '--peers',
        peers.join(','),
        '--data',
        n.dataDir,
        '--http',
        '0',
        '--quiet',
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    n.proc = child;
    n.stderr = '';
    n.exitCode = undefined;
    child.stderr?.on('data', (b: Buffer) => {
      n.stderr += b.toString();
    });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${n.id} did not start in 15 s: ${n.stderr}`)), 15_000);
      child.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
        if (line) {
          clearTimeout(timer);
          n.http = (JSON.parse(line) as { http: number }).http;
          resolve();
        }
      });
      child.on('exit', (code) => {
        n.exitCode = code;
        if (n.proc === child) n.proc = undefined;
        clearTimeout(timer);
        reject(new Error(`${n.id} exited with ${code}: ${n.stderr}`));
      });
    });
  }

  /** Runs a node to completion (expecting it to fail at start); resolves with its exit code and stderr. */
  async startExpectingFailure(n: ProcNode): Promise<{ code: number | null | undefined; stderr: string }> {
    try {
      await this.start(n);
    } catch {
      return { code: n.exitCode, stderr: n.stderr };
    }
    throw new Error(`${n.id} started although it should have refused to`);
  }

  kill9(n: ProcNode): Promise<void> {
    return this.signal(n, 'SIGKILL');
  }

  /** Graceful stop (the node closes its database, checkpointing the WAL into raft.db). */
  stop(n: ProcNode): Promise<void> {
    return this.signal(n, 'SIGTERM');
  }

  private signal(n: ProcNode, sig: NodeJS.Signals): Promise<void> {
    const child = n.proc;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(sig);
    });
  }

  async status(n: ProcNode): Promise<NodeStatus | undefined> {
    if (!n.proc) return undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${n.http}/status`, { signal: AbortSignal.timeout(2_000) });
      return (await res.json()) as NodeStatus;
    } catch {
      return undefined;
    }
  }

  async post(n: ProcNode, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${n.http}${path}`, {
      method: 'POST',
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The single node that reports itself leader, among running nodes (not `exclude`). */
  async leader(exclude: readonly string[] = []): Promise<ProcNode | undefined> {
    const running = this.nodes.filter((n) => n.proc && !exclude.includes(n.id));
    const sts = await Promise.all(running.map((n) => this.status(n)));
    const leaders = running.filter((_, i) => sts[i]?.state === 'leader');
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** Kills every process still running (by pid) and removes the data dirs. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill9(n)));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
