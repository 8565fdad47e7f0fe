import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../src/index.js';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Each member is a tiny TCP server on its first port that knows every member's ports.
const serverScript = `
  const net = require('node:net');
  const [port, peers] = [Number(process.argv[1]), process.argv[2]];
  // A prober that connects and resets at once makes the write fail: ignore that, do not crash.
  net.createServer((s) => { s.on('error', () => {}); s.end(peers); }).listen(port, '127.0.0.1');
  process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
`;

describe('ProcessCluster', () => {
  let cluster: ProcessCluster | undefined;
  afterEach(async () => {
    await cluster?.destroy();
    cluster = undefined;
  });

  it('starts N processes with their own dirs and ports and stops them by pid', async () => {
    cluster = await ProcessCluster.create({
      count: 3,
      portsPerMember: 2,
      spec: ({ ports }, all) => ({
        command: process.execPath,
        args: ['-e', serverScript, String(ports[0]), all.map((p) => p.join('/')).join(',')],
      }),
    });
    const ports = cluster.members.flatMap((m) => m.ports);
    expect(new Set(ports).size).toBe(6);
    expect(new Set(cluster.members.map((m) => m.dir)).size).toBe(3);
    for (const m of cluster.members) {
      expect(existsSync(m.dir)).toBe(true);
      await until(() => canConnect(m.ports[0]!));
    }

    const victim = cluster.member(1);
    const pid = victim.process.pid;
    await victim.process.kill9();
    expect(victim.process.signal).toBe('SIGKILL');
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await canConnect(victim.ports[0]!)).toBe(false);

    victim.process.start();
    await until(() => canConnect(victim.ports[0]!));

    const graceful = cluster.member(2).process;
    await graceful.stop();
    expect(graceful.exitCode).toBe(0);
    expect(graceful.output()).toContain('bye');

    const dirs = cluster.members.map((m) => m.dir);
    await cluster.destroy();
    cluster = undefined;
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});
