// A small virtual network for chaos tests: one network namespace per node, each joined to a bridge in
// the root namespace by a veth pair, so the test process reaches every node on its own IP and can cut
// links (veth down) or single paths (blackhole routes) between nodes. Needs root and iproute2.
//
// Names carry the creating process's pid in base 36 (`orcx<pid>…`, within the 15-character limit of
// interface names), so parallel runs never collide and a later run can remove what a crashed run
// left behind: anything under the prefix whose pid no longer exists.
import { execFileSync } from 'node:child_process';

const PREFIX = 'orcx';

export class NetnsError extends Error {
  override readonly name = 'NetnsError';
}

function ip(args: readonly string[]): string {
  try {
    return execFileSync('ip', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new NetnsError(`ip ${args.join(' ')} failed: ${stderr.trim() || (err as Error).message}`);
  }
}

function ipQuiet(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // best effort (cleanup of things that may already be gone)
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner pid encoded in a name of ours, or undefined when the name is not ours. */
export function ownerPid(name: string): number | undefined {
  const m = /^orcx([0-9a-z]+)[bvn]\d*$/.exec(name);
  if (!m) return undefined;
  const pid = Number.parseInt(m[1]!, 36);
  return Number.isSafeInteger(pid) ? pid : undefined;
}

/** True when iproute2 is there and we may create namespaces (root or CAP_NET_ADMIN). */
export function netnsAvailable(): boolean {
  try {
    ip(['netns', 'list']);
    return typeof process.getuid === 'function' && process.getuid() === 0;
  } catch {
    return false;
  }
}

function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

function listLinks(): string[] {
  return ip(['-o', 'link', 'show'])
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter(Boolean);
}

/** Removes namespaces and links of ours whose creating process is gone. Returns what it removed. */
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const pid = ownerPid(ns);
    if (pid !== undefined && !pidAlive(pid)) {
      ipQuiet(['netns', 'del', ns]);
      removed.push(ns);
    }
  }
  for (const link of listLinks()) {
    const pid = ownerPid(link);
    if (pid !== undefined && !pidAlive(pid)) {
      ipQuiet(['link', 'del', link]);
      removed.push(link);
    }
  }
  return removed;
}

/** Picks a /24 under 10.77 that no interface in the root namespace uses yet. */
function freeSubnet(): number {
  const used = new Set(
    [...ip(['-4', '-o', 'addr', 'show']).matchAll(/inet 10\.77\.(\d+)\./g)].map((m) => Number(m[1])),
  );
  for (let i = 0; i < 250; i++) {
    const octet = ((process.pid + i) % 250) + 1;
    if (!used.has(octet)) return octet;
  }
  throw new NetnsError('no free 10.77.x.0/24 subnet');
}

export interface NetnsNode {
  readonly index: number;
  /** The namespace's name, for `ip netns exec`. */
  readonly namespace: string;
  readonly ip: string;
  /** The veth end in the root namespace (attached to the bridge). */
  readonly hostLink: string;
}

/**
 * N namespaces on one bridge. `destroy()` removes everything; it also runs at process exit, so a
 * failing test does not leave namespaces behind.
 */
export class NetnsLab {
  private readonly blackholes = new Set<string>();
  private readonly downLinks = new Set<number>();
  private destroyed = false;
  private readonly exitHook = () => this.destroy();

  private constructor(
    readonly bridge: string,
    readonly gateway: string,
    readonly nodes: readonly NetnsNode[],
  ) {
    process.once('exit', this.exitHook);
  }

  /** Creates `count` namespaces 10.77.x.1…count behind a bridge 10.77.x.254 (x picked free). */
  static create(count: number): NetnsLab {
    if (count < 1 || count > 9) throw new NetnsError(`count must be 1–9, got ${count}`);
    removeLeftovers();
    const tag = `${PREFIX}${process.pid.toString(36)}`;
    for (const ns of listNamespaces()) if (ns.startsWith(tag)) ipQuiet(['netns', 'del', ns]);
    for (const link of listLinks()) if (link.startsWith(tag)) ipQuiet(['link', 'del', link]);
    const octet = freeSubnet();
    const bridge = `${tag}b`;
    const gateway = `10.77.${octet}.254`;
    const nodes: NetnsNode[] = Array.from({ length: count }, (_, i) => ({
      index: i,
      namespace: `${tag}n${i + 1}`,
      ip: `10.77.${octet}.${i + 1}`,
      hostLink: `${tag}v${i + 1}`,
    }));
    const lab = new NetnsLab(bridge, gateway, nodes);
    try {
      ip(['link', 'add', bridge, 'type', 'bridge']);
      ip(['addr', 'add', `${gateway}/24`, 'dev', bridge]);
      ip(['link', 'set', bridge, 'up']);
      for (const n of nodes) {
        const inner = `${n.hostLink}p`;
        ip(['netns', 'add', n.namespace]);
        ip(['link', 'add', n.hostLink, 'type', 'veth', 'peer', 'name', inner]);
        ip(['link', 'set', inner, 'netns', n.namespace]);
        ip(['link', 'set', n.hostLink, 'master', bridge]);
        ip(['link', 'set', n.hostLink, 'up']);
        const inNs = ['netns', 'exec', n.namespace, 'ip'];
        ip([...inNs, 'link', 'set', 'lo', 'up']);
        ip([...inNs, 'link', 'set', inner, 'name', 'eth0']);
        ip([...inNs, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
        ip([...inNs, 'link', 'set', 'eth0', 'up']);
        ip([...inNs, 'route', 'add', 'default', 'via', gateway]);
      }
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  node(index: number): NetnsNode {
    const n = this.nodes[index];
    if (!n) throw new NetnsError(`no node ${index} (lab has ${this.nodes.length})`);
    return n;
  }

  /** The argv prefix that runs a command inside node `index`'s namespace. */
  execPrefix(index: number): string[] {
    return ['netns', 'exec', this.node(index).namespace];
  }

  /** Cuts node `index` off from everything (its veth goes down on the bridge side). */
  isolate(index: number): void {
    ip(['link', 'set', this.node(index).hostLink, 'down']);
    this.downLinks.add(index);
  }

  /** Drops traffic from `from` to `to` (a blackhole route inside `from`'s namespace). */
  blockPath(from: number, to: number): void {
    const key = `${from}>${to}`;
    if (this.blackholes.has(key)) return;
    ip([
      'netns',
      'exec',
      this.node(from).namespace,
      'ip',
      'route',
      'add',
      'blackhole',
      `${this.node(to).ip}/32`,
    ]);
    this.blackholes.add(key);
  }

  /** No traffic between `a` and `b` in either direction; both still reach the others. */
  cut(a: number, b: number): void {
    this.blockPath(a, b);
    this.blockPath(b, a);
  }

  /** Undoes every isolate/blockPath. */
  heal(): void {
    for (const index of this.downLinks) ipQuiet(['link', 'set', this.node(index).hostLink, 'up']);
    this.downLinks.clear();
    for (const key of this.blackholes) {
      const [from, to] = key.split('>').map(Number) as [number, number];
      ipQuiet([
        'netns',
        'exec',
        this.node(from).namespace,
        'ip',
        'route',
        'del',
        'blackhole',
        `${this.node(to).ip}/32`,
      ]);
    }
    this.blackholes.clear();
  }

  /** What is cut right now, for logs: e.g. ["isolated 2", "0>1"]. */
  faults(): string[] {
    return [...[...this.downLinks].map((i) => `isolated ${i}`), ...this.blackholes];
  }

  /** Deletes the namespaces, veths and bridge. Processes inside must have been stopped first. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.exitHook);
    for (const n of this.nodes) {
      ipQuiet(['link', 'del', n.hostLink]);
      ipQuiet(['netns', 'del', n.namespace]);
    }
    ipQuiet(['link', 'del', this.bridge]);
  }
}
