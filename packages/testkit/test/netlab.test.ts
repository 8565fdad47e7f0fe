// NetLab on real network namespaces. Needs root and iproute2: elsewhere every test here fails with
// requireNetLab()'s message (never skipped). Probes assert outcomes, never speed: a silent fault is a
// connect that sees nothing ('timeout') where a reachable host answers at once ('connected' or
// 'refused'). Blackhole probes wait 4 s, longer than a failed ARP resolution (3 × 1 s) would take to
// turn into EHOSTUNREACH.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inHost, type NetHost, NetLab, ownerPid, ProcessHandle, requireNetLab } from '../src/index.js';

const execFileAsync = promisify(execFile);
const DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
const TCP = 7000;
const CLOSED = 7001;
const UDP = 7002;
const SILENT_MS = 4000;

// In every host: a TCP server that accepts and closes, and a UDP sink that prints what it receives.
const SINK = `
  const [ip] = process.argv.slice(1);
  require('node:net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${TCP}, ip);
  const u = require('node:dgram').createSocket('udp4');
  u.on('message', (m, r) => console.log('udp ' + m + ' from ' + r.address));
  u.bind(${UDP}, ip, () => console.log('ready'));`;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

/** Everything a leftover of `names` could show up in. */
function visibleNames(): string {
  return ip('netns', 'list') + ip('link');
}

describe('NetLab: hosts on a bridge with silent faults', () => {
  let lab: NetLab;
  const sinks = new Map<string, ProcessHandle>();

  async function sendUdp(from: string, to: string, text: string): Promise<void> {
    const [command, ...prefix] = lab.host(from).execPrefix;
    const script = `const s = require('node:dgram').createSocket('udp4');
      s.send(process.argv[1], ${UDP}, process.argv[2], () => s.close());`;
    await execFileAsync(command!, [...prefix, process.execPath, '-e', script, text, lab.host(to).ip]);
  }

  const received = (host: string, text: string) => sinks.get(host)!.output().includes(`udp ${text} from`);

  /** Sends `text` from→to, then a control datagram over an open path, and says whether `text` arrived. */
  async function udpArrives(from: string, to: string, text: string, control: string): Promise<boolean> {
    await sendUdp(from, to, text);
    const controlText = `${text}-control`;
    await sendUdp(control, to, controlText);
    await expect.poll(() => received(to, controlText), { timeout: 5000 }).toBe(true);
    return received(to, text);
  }

  beforeAll(async () => {
    requireNetLab();
    lab = NetLab.create({ hosts: ['a', 'b', 'c'] });
    for (const host of lab.hosts) {
      const sink = new ProcessHandle(`sink-${host.name}`, {
        ...inHost(host, { command: process.execPath, args: ['-e', SINK, host.ip] }),
      }).start();
      sinks.set(host.name, sink);
    }
    const deadline = Date.now() + 10_000;
    for (const sink of sinks.values()) {
      while (!sink.output().includes('ready')) {
        if (Date.now() > deadline || !sink.running) throw new Error(`sink not ready: ${sink.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });

  afterAll(async () => {
    await Promise.all([...sinks.values()].map((s) => s.kill9()));
    lab?.destroy();
  });

  it('gives each host a namespace, an IP on one subnet and an exec prefix whose pid is the command', async () => {
    expect(lab.hostNames).toEqual(['a', 'b', 'c']);
    const ips = lab.hosts.map((h) => h.ip);
    expect(new Set(ips).size).toBe(3);
    for (const h of lab.hosts) {
      expect(h.ip).toMatch(/^10\.77\.\d+\.\d+$/);
      expect(h.ip.split('.').slice(0, 3)).toEqual(lab.gateway.split('.').slice(0, 3));
      expect(h.execPrefix).toEqual(['ip', 'netns', 'exec', h.namespace]);
      expect(ownerPid(h.namespace)).toBe(process.pid);
      expect(ip('netns', 'list')).toContain(h.namespace);
      expect(ip('-n', h.namespace, '-4', 'addr', 'show', 'eth0')).toContain(`inet ${h.ip}/24`);
      expect(ip('-n', h.namespace, 'route')).toContain(`default via ${lab.gateway}`);
    }
    expect(ownerPid(lab.bridge)).toBe(process.pid);
    // `ip netns exec` execs the command: the pid we hold is node's, so signals reach it.
    const pid = sinks.get('a')!.pid;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe(process.execPath);
    expect(() => lab.host('nope')).toThrow(/no host "nope"/);
  });

  it('connects root and every host to every host; a closed port is refused at once', async () => {
    const results = await Promise.all([
      lab.probeTcp('root', 'a', TCP),
      lab.probeTcp('root', 'b', TCP),
      lab.probeTcp('root', 'c', TCP),
      lab.probeTcp('a', 'b', TCP),
      lab.probeTcp('b', 'c', TCP),
      lab.probeTcp('c', 'a', TCP),
      lab.probeTcp('a', lab.gateway, 9),
      lab.probeTcp('root', 'b', CLOSED),
      lab.probeTcp('a', 'b', CLOSED),
    ]);
    expect(results).toEqual([...Array(6).fill('connected'), 'refused', 'refused', 'refused']);
  });

  it('blackhole(): silent for root and for the other hosts, both ways; restore() brings the host back', async () => {
    const fault = lab.blackhole('b');
    try {
      expect(lab.faults()).toEqual(['blackhole b']);
      expect(fault.active).toBe(true);
      const results = await Promise.all([
        lab.probeTcp('root', 'b', TCP, SILENT_MS),
        lab.probeTcp('root', 'b', CLOSED, SILENT_MS), // no RST either
        lab.probeTcp('a', 'b', TCP, SILENT_MS),
        lab.probeTcp('b', 'a', TCP, SILENT_MS),
        lab.probeTcp('b', lab.gateway, 9, SILENT_MS),
        lab.probeTcp('root', 'a', TCP),
        lab.probeTcp('a', 'c', TCP),
      ]);
      expect(results).toEqual([...Array(5).fill('timeout'), 'connected', 'connected']);
    } finally {
      lab.restore('b');
    }
    expect(fault.active).toBe(false);
    expect(lab.faults()).toEqual([]);
    expect(await Promise.all([lab.probeTcp('root', 'b', TCP), lab.probeTcp('a', 'b', TCP)])).toEqual([
      'connected',
      'connected',
    ]);
  });

  it('partition(): two-way between a and b, while c and root still reach both', async () => {
    const fault = lab.partition(['a'], ['b']);
    try {
      expect(lab.faults()).toEqual(['partition [a] <-> [b]']);
      // Only `dir in` policies, in the receivers.
      expect(ip('-n', lab.host('b').namespace, 'xfrm', 'policy', 'list')).toContain(
        `src ${lab.host('a').ip}/32`,
      );
      expect(ip('-n', lab.host('a').namespace, 'xfrm', 'policy', 'list')).toContain(
        `src ${lab.host('b').ip}/32`,
      );
      expect(ip('-n', lab.host('b').namespace, 'xfrm', 'policy', 'list')).not.toContain('dir out');
      const results = await Promise.all([
        lab.probeTcp('a', 'b', TCP),
        lab.probeTcp('b', 'a', TCP),
        lab.probeTcp('a', 'b', CLOSED), // no RST
        lab.probeTcp('c', 'b', TCP),
        lab.probeTcp('c', 'a', TCP),
        lab.probeTcp('root', 'b', TCP),
        lab.probeTcp('root', 'a', TCP),
        lab.probeTcp('b', lab.gateway, 9),
      ]);
      expect(results).toEqual([
        'timeout',
        'timeout',
        'timeout',
        'connected',
        'connected',
        'connected',
        'connected',
        'refused',
      ]);
      expect(await udpArrives('a', 'b', 'two-way-ab', 'c')).toBe(false);
      expect(await udpArrives('b', 'a', 'two-way-ba', 'c')).toBe(false);
    } finally {
      fault.heal();
    }
    expect(lab.faults()).toEqual([]);
    for (const h of lab.hosts) expect(ip('-n', h.namespace, 'xfrm', 'policy', 'list').trim()).toBe('');
    expect(await Promise.all([lab.probeTcp('a', 'b', TCP), lab.probeTcp('b', 'a', TCP)])).toEqual([
      'connected',
      'connected',
    ]);
    expect(await udpArrives('a', 'b', 'healed-ab', 'c')).toBe(true);
  });

  it('partition({ oneWay }): packets from a to b are dropped, packets from b to a arrive', async () => {
    const fault = lab.partition(['a'], ['b'], { oneWay: true });
    try {
      expect(lab.faults()).toEqual(['partition [a] -> [b]']);
      expect(ip('-n', lab.host('a').namespace, 'xfrm', 'policy', 'list').trim()).toBe('');
      expect(await udpArrives('a', 'b', 'one-way-ab', 'c')).toBe(false);
      expect(await udpArrives('b', 'a', 'one-way-ba', 'c')).toBe(true);
      // TCP needs both directions: a's SYN is dropped, and so is a's SYN-ACK to b.
      expect(await lab.probeTcp('a', 'b', TCP)).toBe('timeout');
      expect(await lab.probeTcp('c', 'b', TCP)).toBe('connected');
    } finally {
      fault.heal();
    }
    expect(await udpArrives('a', 'b', 'one-way-healed', 'c')).toBe(true);
  });

  it('overlapping faults: healing one keeps what another still needs', async () => {
    const whole = lab.partition(['a'], ['b', 'c']);
    const pair = lab.partition(['a'], ['b'], { oneWay: true });
    const hole = lab.blackhole('c');
    try {
      whole.heal();
      expect(lab.faults()).toEqual(['partition [a] -> [b]', 'blackhole c']);
      const results = await Promise.all([
        lab.probeTcp('a', 'b', TCP),
        lab.probeTcp('root', 'c', TCP, SILENT_MS),
        lab.probeTcp('b', 'a', TCP),
      ]);
      // a → b still dropped (so b → a's handshake fails too); c still dark.
      expect(results).toEqual(['timeout', 'timeout', 'timeout']);
    } finally {
      lab.heal();
    }
    expect(lab.faults()).toEqual([]);
    expect(pair.active).toBe(false);
    expect(hole.active).toBe(false);
    expect(await Promise.all([lab.probeTcp('a', 'b', TCP), lab.probeTcp('root', 'c', TCP)])).toEqual([
      'connected',
      'connected',
    ]);
  });

  it('flap(): takes the link down and up, resolves with it up; refuses more than 60 s', async () => {
    const link = lab.host('c').link;
    const states = new Set<string>();
    let running = true;
    const watch = (async () => {
      while (running) {
        states.add(/state (\w+)/.exec(ip('link', 'show', link))?.[1] ?? '?');
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const seen: string[][] = [];
    const flap = lab.flap('c', { downMs: 300, upMs: 200, cycles: 3 });
    seen.push(lab.faults());
    await flap;
    running = false;
    await watch;
    expect(seen[0]?.[0]).toMatch(/^flap c cycle 1\/3/);
    expect(states).toContain('DOWN');
    expect(ip('link', 'show', link)).toMatch(/state UP/);
    expect(lab.faults()).toEqual([]);
    expect(await lab.probeTcp('root', 'c', TCP)).toBe('connected');
    await expect(lab.flap('c', { downMs: 30_000, upMs: 30_001, cycles: 1 })).rejects.toThrow(/over 60000 ms/);
    await expect(lab.flap('c', { downMs: 100, upMs: 100, cycles: 0 })).rejects.toThrow(/cycles/);
  });

  it('heal() stops a running flap and leaves the link up', async () => {
    const flap = lab.flap('c', { downMs: 20_000, upMs: 100, cycles: 2 });
    expect(ip('link', 'show', lab.host('c').link)).toMatch(/state DOWN/);
    lab.heal();
    await flap;
    expect(ip('link', 'show', lab.host('c').link)).toMatch(/state UP/);
    expect(await lab.probeTcp('root', 'c', TCP)).toBe('connected');
  });

  it('maxMs: a forgotten fault heals itself', async () => {
    const partition = lab.partition(['a'], ['b'], { maxMs: 300 });
    const blackhole = lab.blackhole('c', { maxMs: 300 });
    const flap = lab.flap('a', { downMs: 10_000, upMs: 10_000, cycles: 2, maxMs: 300 });
    expect(lab.faults()).toHaveLength(3);
    await flap;
    await expect.poll(() => partition.active || blackhole.active, { timeout: 10_000 }).toBe(false);
    expect(lab.faults()).toEqual([]);
    expect(
      await Promise.all([
        lab.probeTcp('a', 'b', TCP),
        lab.probeTcp('root', 'c', TCP),
        lab.probeTcp('root', 'a', TCP),
      ]),
    ).toEqual(['connected', 'connected', 'connected']);
    expect(() => lab.blackhole('a', { maxMs: 0 })).toThrow(/maxMs/);
    expect(lab.faults()).toEqual([]);
  });

  it('refuses bad partitions and host names', () => {
    expect(() => lab.partition(['a'], ['a', 'b'])).toThrow(/both sides/);
    expect(() => lab.partition([], ['b'])).toThrow(/both sides/);
    expect(() => lab.partition(['a'], ['x'])).toThrow(/no host "x"/);
    expect(() => NetLab.create({ hosts: ['a', 'a'] })).toThrow(/duplicate/);
    expect(() => NetLab.create({ hosts: ['root'] })).toThrow(/bad host name/);
    expect(lab.faults()).toEqual([]);
  });
});

describe('NetLab: nothing left behind', () => {
  beforeAll(() => requireNetLab());

  function namesOf(hosts: readonly NetHost[], bridge: string): string[] {
    return [bridge, ...hosts.flatMap((h) => [h.namespace, h.link])];
  }

  it('destroy() removes namespaces (with their XFRM policies), veths and the bridge, faults and all', () => {
    const lab = NetLab.create({ hosts: ['x', 'y', 'z'] });
    const names = namesOf(lab.hosts, lab.bridge);
    const ips = lab.hosts.map((h) => h.ip);
    lab.partition(['x'], ['y']);
    lab.blackhole('z');
    const before = visibleNames();
    for (const name of names) expect(before).toContain(name);
    lab.destroy();
    const after = visibleNames();
    for (const name of names) expect(after).not.toContain(name);
    const rootPolicies = ip('xfrm', 'policy', 'list');
    for (const address of ips) expect(rootPolicies).not.toContain(address);
    expect(ip('-4', 'addr', 'show')).not.toContain(lab.gateway);
    expect(() => lab.blackhole('x')).toThrow(/destroyed/);
    lab.destroy(); // twice is fine
  });

  it('create() removes what a dead process left behind', () => {
    // A pid that is not running, in our name format.
    let dead = 4_000_000;
    while (existsSync(`/proc/${dead}`)) dead++;
    const leftover = `orcx${dead.toString(36)}-0n1`;
    ip('netns', 'add', leftover);
    expect(ownerPid(leftover)).toBe(dead);
    const lab = NetLab.create({ hosts: ['solo'] });
    try {
      expect(ip('netns', 'list')).not.toContain(leftover);
    } finally {
      lab.destroy();
    }
  });

  describe('a test process that ends without destroy()', () => {
    // Child processes load the built kit (the package's test task builds first).
    const childScript = (end: string) => `
      import { NetLab } from ${JSON.stringify(DIST)};
      const lab = NetLab.create({ hosts: ['p', 'q'] });
      lab.partition(['p'], ['q']);
      lab.blackhole('q');
      console.log(JSON.stringify([lab.bridge, ...lab.hosts.flatMap((h) => [h.namespace, h.link])]));
      ${end}`;

    async function runChild(end: string, kill: boolean): Promise<string[]> {
      expect(existsSync(DIST), `${DIST} missing: build the package first`).toBe(true);
      const child = new ProcessHandle('netlab-child', {
        command: process.execPath,
        args: ['--input-type=module', '-e', childScript(end)],
      }).start();
      await expect.poll(() => child.output(), { timeout: 10_000 }).toMatch(/\]\n/);
      const names = JSON.parse(
        child
          .output()
          .split('\n')
          .find((l) => l.startsWith('[')) ?? '[]',
      ) as string[];
      expect(names.length).toBe(5);
      if (kill) await child.kill9();
      else await child.waitExit();
      return names;
    }

    it('exits normally: the exit hook removes everything', async () => {
      const names = await runChild('process.exit(0);', false);
      const after = visibleNames();
      for (const name of names) expect(after).not.toContain(name);
    });

    it('is SIGKILLed: the registry watchdog removes everything', async () => {
      const names = await runChild('setInterval(() => {}, 1000);', true);
      await expect
        .poll(
          () => {
            const after = visibleNames();
            return names.filter((n) => after.includes(n));
          },
          { timeout: 10_000, interval: 200 },
        )
        .toEqual([]);
    });
  });
});

describe('requireNetLab()', () => {
  it('says why when not root', async () => {
    const script = `import { netLabProblem } from ${JSON.stringify(DIST)}; console.log(netLabProblem());`;
    if (process.getuid?.() !== 0) {
      expect(() => requireNetLab()).toThrow(/NetLab needs root/);
      return;
    }
    expect(existsSync(DIST), `${DIST} missing: build the package first`).toBe(true);
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      cwd: '/',
    });
    expect(stdout).toMatch(
      /^NetLab needs root \(network namespaces, veths, XFRM policies\), but this process runs as uid 65534/,
    );
  });
});
