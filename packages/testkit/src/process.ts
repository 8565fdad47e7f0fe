// Starting and stopping child processes by pid, with their output kept for diagnostics.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePorts } from './ports.js';
import { makeTempDir, removeTempDir, trackPid, untrackPid } from './registry.js';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The one-letter state in /proc/<pid>/stat (R, S, D, T, …), or undefined when the process is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

async function waitForState(pid: number, accept: (state: string) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const state = processState(pid);
    if (state === undefined || accept(state)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`process ${pid} did not ${what} within 2.5 s`);
}

/** A started child process. Output is kept (last 256 KiB) so a failing test can print it. */
export class ProcessHandle {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  private outputChunks: string[] = [];
  private outputBytes = 0;
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;

  constructor(
    readonly name: string,
    private readonly spec: ProcessSpec,
  ) {}

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null && this.signal === null;
  }

  /** Everything the process wrote to stdout and stderr (the tail). */
  output(): string {
    return this.outputChunks.join('');
  }

  start(): this {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.exitCode = null;
    this.signal = null;
    const child = spawn(this.spec.command, [...this.spec.args], {
      env: this.spec.env ?? process.env,
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${this.spec.command}`);
    trackPid(child.pid);
    this.child = child;
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.outputChunks.push(text);
      this.outputBytes += text.length;
      while (this.outputBytes > 256 * 1024 && this.outputChunks.length > 1) {
        this.outputBytes -= this.outputChunks.shift()!.length;
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        untrackPid(child.pid!);
        resolve(code);
      });
      child.on('error', (error) => {
        keep(Buffer.from(`spawn error: ${error.message}\n`));
      });
    });
    return this;
  }

  /** Resolves when the process has exited. */
  waitExit(): Promise<number | null> {
    return this.exitPromise;
  }

  /** SIGKILL, then wait for the exit. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM, then SIGKILL if still running after `graceMs`. A hung process is resumed to see the SIGTERM. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    this.child!.kill('SIGCONT');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  signalProcess(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /**
   * SIGSTOP, resolved once the kernel reports the process stopped (signals arrive asynchronously):
   * a hung host, a frozen VM. Its sockets stay open and nothing answers.
   */
  async hang(): Promise<void> {
    if (!this.running) throw new Error(`${this.name} is not running`);
    this.child!.kill('SIGSTOP');
    await waitForState(this.pid, (state) => state === 'T' || state === 't', 'stop');
  }

  /** SIGCONT, resolved once the process runs again. */
  async resume(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGCONT');
    await waitForState(this.pid, (state) => state !== 'T' && state !== 't', 'resume');
  }

  /** True while the process is stopped by a signal. */
  get hung(): boolean {
    return this.running && ['T', 't'].includes(processState(this.pid) ?? '');
  }
}

export interface ClusterMember {
  readonly index: number;
  readonly dir: string;
  readonly ports: readonly number[];
  readonly process: ProcessHandle;
}

export interface ProcessClusterOptions {
  readonly count: number;
  /** How many free ports each member gets (e.g. HTTP and raft). */
  readonly portsPerMember: number;
  /**
   * Every member gets these ports instead of free ones (members in separate network namespaces, each
   * with its own stack); must hold portsPerMember ports.
   */
  readonly fixedPorts?: readonly number[];
  /** Builds member i's command; all members' ports are known by then, so peers can be listed. */
  readonly spec: (
    member: { index: number; dir: string; ports: readonly number[] },
    all: readonly (readonly number[])[],
  ) => ProcessSpec;
  /** Start the processes right away (default true). */
  readonly start?: boolean;
}

/** N processes of one command, each with its own temp dir and ports, stopped by pid. */
export class ProcessCluster {
  private constructor(readonly members: readonly ClusterMember[]) {}

  static async create(options: ProcessClusterOptions): Promise<ProcessCluster> {
    const fixed = options.fixedPorts;
    if (fixed && fixed.length !== options.portsPerMember)
      throw new Error(`fixedPorts has ${fixed.length} ports, portsPerMember is ${options.portsPerMember}`);
    const ports = fixed ? [] : await freePorts(options.count * options.portsPerMember);
    const all = Array.from({ length: options.count }, (_, i) =>
      fixed ? [...fixed] : ports.slice(i * options.portsPerMember, (i + 1) * options.portsPerMember),
    );
    const members = all.map((memberPorts, index) => {
      const dir = makeTempDir(`member${index}`);
      const spec = options.spec({ index, dir, ports: memberPorts }, all);
      return { index, dir, ports: memberPorts, process: new ProcessHandle(`member${index}`, spec) };
    });
    const cluster = new ProcessCluster(members);
    if (options.start !== false) for (const m of members) m.process.start();
    return cluster;
  }

  member(index: number): ClusterMember {
    const m = this.members[index];
    if (!m) throw new Error(`no member ${index} (cluster has ${this.members.length})`);
    return m;
  }

  /** Kills every member (SIGKILL) and removes their temp dirs. */
  async destroy(): Promise<void> {
    await Promise.all(this.members.map((m) => m.process.kill9()));
    for (const m of this.members) removeTempDir(m.dir);
  }
}
