// A cluster of real orchestrator daemons for end-to-end tests: each node is a separate
// `node apps/orchestrator/dist/orchestrator.mjs --config=… http` process with its own ports, data dir and
// backend, started and stopped by pid through the test kit. Nodes run on 127.0.0.1 with free ports, or
// each in its own NetLab host (`ip netns exec`) on the host's IP with the standard ports 3000 and 10008.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClusterMember, inHost, type NetHost, ProcessCluster } from '@orchestrator/testkit';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The daemon as it ships: the bundled `orchestrator` bin (apps/orchestrator's build makes it). */
export const CLI = join(repoRoot, 'apps/orchestrator/dist/orchestrator.mjs');
/** The ports of a node in a lab host (each namespace has its own network stack). */
export const LAB_HTTP_PORT = 3000;
export const LAB_RAFT_PORT = 10008;

export interface ClusterOptions {
  readonly nodes?: number;
  /** How many of the nodes form the initial RaftNodes and are started (default: all). */
  readonly initialMembers?: number;
  /** Per-node config additions; `node` is the 0-based index. */
  readonly config?: (node: number, ports: { http: number; raft: number }) => Record<string, unknown>;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Node i runs in lab host `hosts[i]`: ListenAddress/HTTPAdvertise `<ip>:3000`, RaftBind `<ip>:10008`,
   * spawned as `ip netns exec <ns> node …` (the pid is node's). Default: 127.0.0.1 and free ports.
   */
  readonly hosts?: readonly NetHost[];
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export class OrchestratorNode {
  constructor(
    private readonly member: ClusterMember,
    readonly configFile: string,
    /** The lab host this node runs in, if any. */
    readonly host?: NetHost,
  ) {}

  /** The IP it listens on: 127.0.0.1, or its lab host's. */
  get address(): string {
    return this.host?.ip ?? '127.0.0.1';
  }

  get index(): number {
    return this.member.index;
  }
  get httpPort(): number {
    return this.member.ports[0]!;
  }
  get raftPort(): number {
    return this.member.ports[1]!;
  }
  get raftAddress(): string {
    return `${this.address}:${this.raftPort}`;
  }
  get api(): string {
    return `http://${this.address}:${this.httpPort}/api`;
  }
  get dir(): string {
    return this.member.dir;
  }
  /** The node's SQLite backend (unless the config chose another backend). */
  get sqliteFile(): string {
    return join(this.member.dir, 'orchestrator.sqlite3');
  }
  get process() {
    return this.member.process;
  }

  /** Rewrites this node's config file (takes effect at its next start). */
  updateConfig(patch: Record<string, unknown>): void {
    const current = JSON.parse(readFileSync(this.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(this.configFile, JSON.stringify({ ...current, ...patch }, null, 2));
  }

  /** SIGTERM, wait for the exit, start again with the (possibly rewritten) config. */
  async restart(): Promise<void> {
    await this.process.stop(5000);
    this.process.start();
  }

  /** GET `<api>/<path>`; never throws on HTTP errors, only when the node cannot be reached. */
  async get<T = unknown>(path: string, init: RequestInit = {}): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.api}/${path.replace(/^\//, '')}`, {
      signal: AbortSignal.timeout(5000),
      ...init,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // left as text: tests assert JSON where it matters
    }
    return { status: response.status, body: body as T, text, headers: response.headers };
  }

  /** Like get(), but resolves undefined instead of throwing when the node is down. */
  async tryGet<T = unknown>(path: string): Promise<ApiResponse<T> | undefined> {
    try {
      return await this.get<T>(path);
    } catch {
      return undefined;
    }
  }
}

export class OrchestratorCluster {
  private constructor(
    private readonly processes: ProcessCluster,
    readonly nodes: readonly OrchestratorNode[],
  ) {}

  static async start(options: ClusterOptions = {}): Promise<OrchestratorCluster> {
    const hosts = options.hosts;
    const count = options.nodes ?? hosts?.length ?? 3;
    if (hosts && hosts.length < count) throw new Error(`${count} nodes but only ${hosts.length} lab hosts`);
    const members = options.initialMembers ?? count;
    const address = (index: number) => hosts?.[index]?.ip ?? '127.0.0.1';
    const files: string[] = [];
    const processes = await ProcessCluster.create({
      count,
      portsPerMember: 2,
      ...(hosts ? { fixedPorts: [LAB_HTTP_PORT, LAB_RAFT_PORT] } : {}),
      start: false,
      spec: ({ index, dir, ports }, all) => {
        const raftNodes = all.slice(0, members).map((p, i) => `${address(i)}:${p[1]}`);
        const config = {
          ListenAddress: `${address(index)}:${ports[0]}`,
          HTTPAdvertise: `http://${address(index)}:${ports[0]}`,
          RaftEnabled: true,
          RaftDataDir: join(dir, 'raft'),
          RaftBind: `${address(index)}:${ports[1]}`,
          RaftNodes: raftNodes,
          BackendDB: 'sqlite',
          SQLite3DataFile: join(dir, 'orchestrator.sqlite3'),
          LogFormat: 'json',
          ...options.config?.(index, { http: ports[0]!, raft: ports[1]! }),
        };
        const file = join(dir, 'orchestrator.conf.json');
        writeFileSync(file, JSON.stringify(config, null, 2));
        files[index] = file;
        return inHost(hosts?.[index], {
          command: process.execPath,
          args: [CLI, `--config=${file}`, 'http'],
          env: { ...process.env, ...options.env },
        });
      },
    });
    const nodes = processes.members.map((m) => new OrchestratorNode(m, files[m.index]!, hosts?.[m.index]));
    for (const m of processes.members.slice(0, members)) m.process.start();
    return new OrchestratorCluster(processes, nodes);
  }

  node(index: number): OrchestratorNode {
    const n = this.nodes[index];
    if (!n) throw new Error(`no node ${index}`);
    return n;
  }

  get raftAddresses(): string[] {
    return this.nodes.map((n) => n.raftAddress);
  }

  /** Each node's /api/leader-check status right now (undefined: not running or not answering). */
  private async leaderChecks(): Promise<(number | undefined)[]> {
    return Promise.all(
      this.nodes.map(async (n) => (n.process.running ? (await n.tryGet('leader-check'))?.status : undefined)),
    );
  }

  /** Nodes whose /api/leader-check answers 200 right now. */
  async leaders(): Promise<OrchestratorNode[]> {
    const checks = await this.leaderChecks();
    return this.nodes.filter((_, i) => checks[i] === 200);
  }

  /** Waits until exactly one running node passes leader-check and every running node answers, and returns the leader. */
  async waitForLeader(timeoutMs = 15_000): Promise<OrchestratorNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checks = await this.leaderChecks();
      const leaders = this.nodes.filter((_, i) => checks[i] === 200);
      // Every running node must answer too: two fast nodes can elect a leader while the third's
      // HTTP listener is still starting, and tests go on to ask all of them.
      const allAnswer = this.nodes.every((n, i) => !n.process.running || checks[i] !== undefined);
      if (leaders.length === 1 && allAnswer) return leaders[0]!;
      if (Date.now() > deadline)
        throw new Error(`no single leader within ${timeoutMs} ms (saw ${leaders.length})\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Waits until every running node reaches the leader through itself (routed-leader-check 200): a
   * follower learns the leader's URL from the raft log shortly after the election, and answers a
   * JSON 503 for proxied routes until then.
   */
  async waitForFollowers(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checks = await Promise.all(
        this.nodes.map(async (n) =>
          n.process.running ? (await n.tryGet('routed-leader-check'))?.status : 200,
        ),
      );
      if (checks.every((status) => status === 200)) return;
      if (Date.now() > deadline) throw new Error(`not every node reaches the leader: ${checks.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The tail of every node's output, for failure messages. */
  logs(tail = 3000): string {
    return this.nodes.map((n) => `--- node${n.index}\n${n.process.output().slice(-tail)}`).join('\n');
  }

  /** Kills every node (SIGKILL, which also ends a SIGSTOPped one) and removes their dirs. */
  async destroy(): Promise<void> {
    await this.processes.destroy();
  }
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
