// A virtual network of named test hosts: one network namespace per host, each joined to a bridge in
// the root namespace by a veth pair. The test process (root namespace, the bridge's gateway IP)
// reaches every host on its own IP and hosts reach each other over the bridge. Needs root and iproute2.
//
// Every fault is silent, as a dead cable or a dropping firewall is: packets vanish, the sender sees
// no RST, no ICMP and no local error, only a timeout.
// - blackhole / flap: the host's bridge-side veth goes down. Every neighbour (ARP) entry in the lab is
//   permanent, so no sender learns from a failed ARP resolution that the host is gone (that reports
//   EHOSTUNREACH after ~3 s, like a reset).
// - partition: XFRM policies `dir in action block` in the receiving namespace, one per sender IP. A
//   `dir out` policy (EPERM) or a blackhole route (EINVAL) would fail the sender's connect() at once.
//
// Names carry the creating process's pid in base 36 and a lab id (`orcx<pid>-<lab><kind><n>`, within
// the 15-character limit of interface names), so parallel runs never collide and the next create()
// removes what a crashed run left behind: anything of ours whose pid no longer exists. Namespaces and
// links are also registered with the kit's registry (removed at exit, on signals and by the watchdog
// after a SIGKILL), and every fault is undone by heal() and destroy().
import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import type { ProcessSpec } from './process.js';
import { trackNetResource, untrackNetResource } from './registry.js';

const PREFIX = 'orcx';
const MAX_HOSTS = 99;
/** flap() refuses longer runs: cycles × (downMs + upMs) must stay within this. */
export const MAX_FLAP_MS = 60_000;
/** The name `probeTcp` takes for the root namespace (the test process itself). */
export const ROOT = 'root';

export class NetLabError extends Error {
  override readonly name = 'NetLabError';
}

function ip(args: readonly string[], input?: string): string {
  try {
    return execFileSync('ip', [...args], {
      encoding: 'utf8',
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    const what =
      input === undefined ? args.join(' ') : `${args.join(' ')} <<${input.trim().replace(/\n/g, '; ')}`;
    throw new NetLabError(`ip ${what} failed: ${stderr || (err as Error).message}`);
  }
}

function ipQuiet(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // best effort: cleanup of things that may already be gone
  }
}

/** Why NetLab cannot run here (not root, no usable `ip netns` or `ip xfrm`), or undefined when it can. */
export function netLabProblem(): string | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) {
    return `NetLab needs root (network namespaces, veths, XFRM policies), but this process runs as uid ${uid ?? 'unknown'}`;
  }
  try {
    ip(['netns', 'list']);
    ip(['xfrm', 'policy', 'count']);
  } catch (err) {
    return `NetLab needs a usable \`ip netns\` and \`ip xfrm\` (iproute2, root): ${(err as Error).message}`;
  }
  return undefined;
}

/** True when NetLab can run here. */
export function netLabAvailable(): boolean {
  return netLabProblem() === undefined;
}

/** Throws an Error saying why when NetLab cannot run here (not root, or `ip netns` unusable). */
export function requireNetLab(): void {
  const problem = netLabProblem();
  if (problem) throw new NetLabError(problem);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner pid encoded in a namespace or link name of ours, or undefined when the name is not ours. */
export function ownerPid(name: string): number | undefined {
  const m = /^orcx([0-9a-z]+)(?:-[0-9a-z])?[bvnp]\d*$/.exec(name);
  if (!m) return undefined;
  const pid = Number.parseInt(m[1]!, 36);
  return Number.isSafeInteger(pid) ? pid : undefined;
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
export function removeNetLabLeftovers(): string[] {
  const removed: string[] = [];
  for (const link of listLinks()) {
    const pid = ownerPid(link);
    if (pid !== undefined && !pidAlive(pid)) {
      ipQuiet(['link', 'del', link]);
      removed.push(link);
    }
  }
  for (const ns of listNamespaces()) {
    const pid = ownerPid(ns);
    if (pid !== undefined && !pidAlive(pid)) {
      ipQuiet(['netns', 'del', ns]);
      removed.push(ns);
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
  throw new NetLabError('no free 10.77.x.0/24 subnet');
}

/** Lab ids (one base-36 digit) of this process's live labs. */
const liveLabIds = new Set<string>();
let nextLabId = 0;

function takeLabId(): string {
  for (let i = 0; i < 36; i++) {
    const id = ((nextLabId + i) % 36).toString(36);
    if (!liveLabIds.has(id)) {
      nextLabId += i + 1;
      liveLabIds.add(id);
      return id;
    }
  }
  throw new NetLabError('36 NetLabs are alive in this process: destroy some first');
}

const mac = (octet: number, n: number) =>
  `02:77:${octet.toString(16).padStart(2, '0')}:00:00:${n.toString(16).padStart(2, '0')}`;

function positive(what: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0)
    throw new NetLabError(`${what} must be a positive number, got ${value}`);
  return value;
}

export interface NetHost {
  readonly name: string;
  readonly ip: string;
  /** The namespace's name, for `ip netns exec` / `ip -n`. */
  readonly namespace: string;
  /** The argv prefix that runs a command inside the host: `['ip', 'netns', 'exec', namespace]`. */
  readonly execPrefix: readonly string[];
  /** The host's veth end in the root namespace (on the bridge). */
  readonly link: string;
  readonly mac: string;
}

/** `spec` run inside `host` (`ip netns exec <ns> command …`; ip execs, so the pid is the command's), or as is. */
export function inHost(host: NetHost | undefined, spec: ProcessSpec): ProcessSpec {
  if (!host) return spec;
  const [command, ...prefix] = host.execPrefix;
  return { ...spec, command: command!, args: [...prefix, spec.command, ...spec.args] };
}

export interface NetLabOptions {
  /** Host names (letters, digits, `_.-`; not `root`), 1–99 of them. Host i gets 10.77.x.(i+1). */
  readonly hosts: readonly string[];
}

export interface FaultOptions {
  /** The fault heals itself after this long, even if the test forgets to. */
  readonly maxMs?: number;
}

export interface PartitionOptions extends FaultOptions {
  /** Drop only packets from the first set to the second (default: both directions). */
  readonly oneWay?: boolean;
}

export interface FlapOptions extends FaultOptions {
  readonly downMs: number;
  readonly upMs: number;
  readonly cycles: number;
}

/** One injected fault; heal() undoes it (and nothing else). */
export interface Fault {
  readonly id: number;
  readonly description: string;
  /** False once healed (by heal(), its maxMs, lab.heal(), restore() or destroy()). */
  readonly active: boolean;
  heal(): void;
}

/** What a TCP connect saw: a handshake, a reset, nothing within the time, or another error code. */
export type ProbeResult = 'connected' | 'refused' | 'timeout' | `error ${string}`;

// The probe run inside a host: argv is ip, port, timeout; prints one ProbeResult.
const PROBE_SCRIPT = `
const [ip, port, ms] = process.argv.slice(-3);
const s = require('node:net').connect({ host: ip, port: Number(port) });
const done = (r) => { console.log(r); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done('timeout'));
s.on('connect', () => done('connected'));
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error ' + e.code));`;

function probeFromHere(ip: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' ? 'refused' : `error ${e.code ?? e.message}`),
    );
  });
}

interface ActiveFault {
  readonly kind: 'blackhole' | 'partition' | 'flap';
  readonly host?: string;
  readonly describe: () => string;
  readonly undo: () => void;
  timer?: NodeJS.Timeout;
}

/**
 * Named hosts in network namespaces on one bridge, with silent network faults. `destroy()` removes
 * everything; it also runs at process exit, so a failing test leaves nothing behind. Stop the
 * processes inside the hosts before destroy() (a namespace lives on while a process is in it).
 */
export class NetLab {
  private readonly byName: ReadonlyMap<string, NetHost>;
  private readonly active = new Map<number, ActiveFault>();
  /** Reasons each host's link is down (blackholes and flaps in their down phase). */
  private readonly linkDownCount = new Map<string, number>();
  /** XFRM block policies in force, `receiver<senderIp`, with how many faults want each. */
  private readonly blockCount = new Map<string, number>();
  private nextFaultId = 0;
  private destroyed = false;
  private readonly exitHook = () => this.destroy();

  private constructor(
    private readonly labId: string,
    /** The bridge in the root namespace. */
    readonly bridge: string,
    /** The bridge's IP: the root namespace (the test process) as the hosts see it. */
    readonly gateway: string,
    readonly hosts: readonly NetHost[],
  ) {
    this.byName = new Map(hosts.map((h) => [h.name, h]));
    process.once('exit', this.exitHook);
    trackNetResource('link', bridge);
    for (const h of hosts) {
      trackNetResource('link', h.link);
      trackNetResource('netns', h.namespace);
    }
  }

  /**
   * Creates one namespace per host, 10.77.x.1… behind a bridge at 10.77.x.254 (x picked free), each
   * with loopback up and a default route via the bridge. Throws (NetLabError) when not root or when
   * `ip netns` is unusable.
   */
  static create(options: NetLabOptions): NetLab {
    requireNetLab();
    const names = [...options.hosts];
    if (names.length < 1 || names.length > MAX_HOSTS)
      throw new NetLabError(`a NetLab has 1–${MAX_HOSTS} hosts, got ${names.length}`);
    for (const name of names) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || name === ROOT)
        throw new NetLabError(`bad host name ${JSON.stringify(name)}`);
    }
    if (new Set(names).size !== names.length)
      throw new NetLabError(`duplicate host names: ${names.join(', ')}`);
    removeNetLabLeftovers();
    const labId = takeLabId();
    const tag = `${PREFIX}${process.pid.toString(36)}-${labId}`;
    // A lab of this process that crashed half-way through create() may have left these names.
    for (const link of listLinks()) if (link.startsWith(tag)) ipQuiet(['link', 'del', link]);
    for (const ns of listNamespaces()) if (ns.startsWith(tag)) ipQuiet(['netns', 'del', ns]);
    let octet: number;
    try {
      octet = freeSubnet();
    } catch (err) {
      liveLabIds.delete(labId);
      throw err;
    }
    const hosts: NetHost[] = names.map((name, i) => {
      const namespace = `${tag}n${i + 1}`;
      return {
        name,
        ip: `10.77.${octet}.${i + 1}`,
        namespace,
        execPrefix: ['ip', 'netns', 'exec', namespace],
        link: `${tag}v${i + 1}`,
        mac: mac(octet, i + 1),
      };
    });
    const lab = new NetLab(labId, `${tag}b`, `10.77.${octet}.254`, hosts);
    try {
      lab.build(mac(octet, 0xfe), `${tag}p`);
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  private build(bridgeMac: string, peerPrefix: string): void {
    const root = [
      `link add name ${this.bridge} address ${bridgeMac} type bridge`,
      `addr add ${this.gateway}/24 dev ${this.bridge}`,
      `link set ${this.bridge} up`,
    ];
    this.hosts.forEach((h, i) => {
      root.push(
        `netns add ${h.namespace}`,
        `link add name ${h.link} type veth peer name ${peerPrefix}${i + 1} address ${h.mac} netns ${h.namespace}`,
        `link set ${h.link} master ${this.bridge}`,
        `link set ${h.link} up`,
        `neigh replace ${h.ip} lladdr ${h.mac} dev ${this.bridge} nud permanent`,
      );
    });
    ip(['-batch', '-'], `${root.join('\n')}\n`);
    this.hosts.forEach((h, i) => {
      const inside = [
        'link set lo up',
        `link set ${peerPrefix}${i + 1} name eth0`,
        `addr add ${h.ip}/24 dev eth0`,
        'link set eth0 up',
        `route add default via ${this.gateway}`,
        `neigh replace ${this.gateway} lladdr ${bridgeMac} dev eth0 nud permanent`,
        ...this.hosts
          .filter((o) => o !== h)
          .map((o) => `neigh replace ${o.ip} lladdr ${o.mac} dev eth0 nud permanent`),
      ];
      ip(['-n', h.namespace, '-batch', '-'], `${inside.join('\n')}\n`);
    });
  }

  host(name: string): NetHost {
    const h = this.byName.get(name);
    if (!h)
      throw new NetLabError(
        `no host ${JSON.stringify(name)} (lab has ${[...this.byName.keys()].join(', ')})`,
      );
    return h;
  }

  get hostNames(): string[] {
    return this.hosts.map((h) => h.name);
  }

  /** Cuts the host off from everything, silently (its link goes down), until restore() or heal(). */
  blackhole(name: string, options: FaultOptions = {}): Fault {
    const host = this.host(name);
    return this.inject(
      { kind: 'blackhole', host: name, describe: () => `blackhole ${name}`, undo: () => this.linkUp(host) },
      () => this.linkDown(host),
      options,
    );
  }

  /** Undoes every blackhole of the host (a flap running on it goes on). */
  restore(name: string): void {
    this.host(name);
    this.healWhere((f) => f.kind === 'blackhole' && f.host === name);
  }

  /**
   * Drops every packet between the hosts of `a` and those of `b` (only from `a` to `b` with oneWay),
   * silently. Hosts in the same set, and the root namespace, still reach everyone.
   */
  partition(a: readonly string[], b: readonly string[], options: PartitionOptions = {}): Fault {
    const from = a.map((n) => this.host(n));
    const to = b.map((n) => this.host(n));
    if (from.length === 0 || to.length === 0) throw new NetLabError('partition needs hosts on both sides');
    const overlap = a.filter((n) => b.includes(n));
    if (overlap.length > 0)
      throw new NetLabError(`hosts on both sides of a partition: ${overlap.join(', ')}`);
    const blocks: [NetHost, NetHost][] = from.flatMap((x) => to.map((y): [NetHost, NetHost] => [y, x]));
    if (!options.oneWay) blocks.push(...from.flatMap((x) => to.map((y): [NetHost, NetHost] => [x, y])));
    const arrow = options.oneWay ? '->' : '<->';
    return this.inject(
      {
        kind: 'partition',
        describe: () => `partition [${a.join(',')}] ${arrow} [${b.join(',')}]`,
        undo: () => {
          for (const [receiver, sender] of blocks) this.unblock(receiver, sender);
        },
      },
      () => {
        const done: [NetHost, NetHost][] = [];
        try {
          for (const [receiver, sender] of blocks) {
            this.block(receiver, sender);
            done.push([receiver, sender]);
          }
        } catch (err) {
          for (const [receiver, sender] of done) this.unblock(receiver, sender);
          throw err;
        }
      },
      options,
    );
  }

  /**
   * Takes the host's link down for downMs and up for upMs, `cycles` times, and resolves when done with
   * the link up (or earlier when healed: heal(), maxMs, destroy()). Refuses runs over 60 s.
   */
  async flap(name: string, options: FlapOptions): Promise<void> {
    const host = this.host(name);
    const downMs = positive('downMs', options.downMs)!;
    const upMs = positive('upMs', options.upMs)!;
    const { cycles } = options;
    if (!Number.isInteger(cycles) || cycles < 1)
      throw new NetLabError(`cycles must be a positive integer, got ${cycles}`);
    if (cycles * (downMs + upMs) > MAX_FLAP_MS)
      throw new NetLabError(`flap of ${cycles} × (${downMs} + ${upMs}) ms is over ${MAX_FLAP_MS} ms`);
    let cycle = 0;
    let down = false;
    let stopped = false;
    let wake = () => {};
    const fault = this.inject(
      {
        kind: 'flap',
        host: name,
        describe: () => `flap ${name} cycle ${cycle}/${cycles} (${downMs} ms down, ${upMs} ms up)`,
        undo: () => {
          stopped = true;
          if (down) {
            down = false;
            this.linkUp(host);
          }
          wake();
        },
      },
      () => {},
      options,
    );
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    try {
      for (cycle = 1; cycle <= cycles && !stopped; cycle++) {
        this.linkDown(host);
        down = true;
        await wait(downMs);
        if (stopped) break;
        down = false;
        this.linkUp(host);
        await wait(upMs);
      }
    } finally {
      fault.heal();
    }
  }

  /** What is injected right now, for logs: e.g. ["blackhole db1", "partition [a] <-> [b]"]. */
  faults(): string[] {
    return [...this.active.values()].map((f) => f.describe());
  }

  /** Undoes every fault (stops running flaps). Throws after trying them all if one could not be undone. */
  heal(): void {
    this.healWhere(() => true);
  }

  /**
   * A TCP connect to `port` on host `to` (a host name or an IP) from host `from` (or from the test
   * process itself: `root`): 'connected', 'refused' (RST), 'timeout' (nothing within timeoutMs) or
   * 'error <code>'. From a host it runs a short node process in that namespace.
   */
  async probeTcp(from: string, to: string, port: number, timeoutMs = 2000): Promise<ProbeResult> {
    const target = this.byName.get(to)?.ip ?? to;
    if (from === ROOT) return probeFromHere(target, port, timeoutMs);
    const [command, ...prefix] = this.host(from).execPrefix;
    const args = [...prefix, process.execPath, '-e', PROBE_SCRIPT, target, String(port), String(timeoutMs)];
    return new Promise((resolve, reject) => {
      execFile(command!, args, { encoding: 'utf8', timeout: timeoutMs + 10_000 }, (err, stdout, stderr) => {
        const line = stdout.trim();
        if (err || !line)
          reject(new NetLabError(`probe from ${from} failed: ${err?.message ?? ''} ${stderr}`));
        else resolve(line as ProbeResult);
      });
    });
  }

  /** Deletes the namespaces (with their XFRM policies), veths and bridge; stops flaps and fault timers. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.exitHook);
    for (const f of this.active.values()) {
      clearTimeout(f.timer);
      f.undo(); // no ip calls once destroyed; wakes a running flap
    }
    this.active.clear();
    for (const h of this.hosts) {
      ipQuiet(['link', 'del', h.link]);
      ipQuiet(['netns', 'del', h.namespace]);
      untrackNetResource('link', h.link);
      untrackNetResource('netns', h.namespace);
    }
    ipQuiet(['link', 'del', this.bridge]);
    untrackNetResource('link', this.bridge);
    liveLabIds.delete(this.labId);
  }

  private inject(fault: ActiveFault, apply: () => void, options: FaultOptions): Fault {
    if (this.destroyed) throw new NetLabError('this NetLab is destroyed');
    const maxMs = positive('maxMs', options.maxMs);
    apply();
    const id = ++this.nextFaultId;
    this.active.set(id, fault);
    if (maxMs !== undefined) fault.timer = setTimeout(() => this.healOne(id), maxMs).unref();
    const active = this.active;
    return {
      id,
      get description() {
        return fault.describe();
      },
      get active() {
        return active.has(id);
      },
      heal: () => this.healOne(id),
    };
  }

  private healOne(id: number): void {
    const fault = this.active.get(id);
    if (!fault) return;
    this.active.delete(id);
    clearTimeout(fault.timer);
    fault.undo();
  }

  private healWhere(match: (f: ActiveFault) => boolean): void {
    const errors: unknown[] = [];
    for (const [id, fault] of [...this.active]) {
      if (!match(fault)) continue;
      try {
        this.healOne(id);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0)
      throw new NetLabError(`heal failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  private linkDown(host: NetHost): void {
    if (this.destroyed) return;
    const count = this.linkDownCount.get(host.name) ?? 0;
    if (count === 0) ip(['link', 'set', host.link, 'down']);
    this.linkDownCount.set(host.name, count + 1);
  }

  private linkUp(host: NetHost): void {
    if (this.destroyed) return;
    const count = this.linkDownCount.get(host.name) ?? 0;
    if (count > 1) {
      this.linkDownCount.set(host.name, count - 1);
      return;
    }
    this.linkDownCount.delete(host.name);
    ip(['link', 'set', host.link, 'up']);
  }

  private xfrm(action: 'add' | 'del', receiver: NetHost, sender: NetHost): void {
    const selector = ['src', `${sender.ip}/32`, 'dst', `${receiver.ip}/32`, 'dir', 'in'];
    ip([
      '-n',
      receiver.namespace,
      'xfrm',
      'policy',
      action,
      ...selector,
      ...(action === 'add' ? ['action', 'block'] : []),
    ]);
  }

  private block(receiver: NetHost, sender: NetHost): void {
    if (this.destroyed) return;
    const key = `${receiver.name}<${sender.ip}`;
    const count = this.blockCount.get(key) ?? 0;
    if (count === 0) this.xfrm('add', receiver, sender);
    this.blockCount.set(key, count + 1);
  }

  private unblock(receiver: NetHost, sender: NetHost): void {
    if (this.destroyed) return;
    const key = `${receiver.name}<${sender.ip}`;
    const count = this.blockCount.get(key) ?? 0;
    if (count > 1) {
      this.blockCount.set(key, count - 1);
      return;
    }
    this.blockCount.delete(key);
    this.xfrm('del', receiver, sender);
  }
}
