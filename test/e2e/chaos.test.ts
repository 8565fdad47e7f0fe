// Chaos: 3 real daemons, each in its own network namespace, under a nemesis that kill -9s, pauses
// (SIGSTOP/SIGCONT), restarts and partitions them while clients send replicated commands. Every
// acknowledged command must end up on every node, and the replicated tables must be identical.
// CHAOS_SECONDS sets how long faults are injected (default 90; the file then takes ~2 min);
// CHAOS_SEED replays a run. Needs root (ip netns); skipped otherwise.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcessHandle } from '@orchestrator/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from '../src/chaos.js';
import { FAULT_KINDS, planFault, seededRandom } from '../src/nemesis.js';
import { NetnsLab, netnsAvailable, ownerPid } from '../src/netns.js';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 90);
const SEED = process.env.CHAOS_SEED === undefined ? undefined : Number(process.env.CHAOS_SEED);
const canRun = netnsAvailable();

describe('nemesis plans (pure)', () => {
  it('the same seed gives the same faults; every kind shows up; targets stay in range', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const plans = Array.from({ length: 500 }, () => planFault(a, 3));
    expect(Array.from({ length: 500 }, () => planFault(b, 3))).toEqual(plans);
    expect(new Set(plans.map((p) => p.kind))).toEqual(new Set(FAULT_KINDS));
    for (const p of plans) {
      expect(p.node).toBeGreaterThanOrEqual(0);
      expect(p.node).toBeLessThan(3);
      expect(p.other).not.toBe(p.node);
      expect(p.other).toBeLessThan(3);
      expect(p.holdMs).toBeGreaterThanOrEqual(500);
    }
  });

  it('names carry their owner pid', () => {
    const tag = `orcx${(123456).toString(36)}`;
    expect(ownerPid(`${tag}b`)).toBe(123456);
    expect(ownerPid(`${tag}n2`)).toBe(123456);
    expect(ownerPid(`${tag}v3`)).toBe(123456);
    expect(ownerPid('eth0')).toBeUndefined();
  });
});

describe.skipIf(!canRun)('network namespaces', () => {
  let lab: NetnsLab | undefined;
  afterAll(() => lab?.destroy());

  it('a process under `ip netns exec` is the command itself (kill by pid reaches it); isolate and cut paths', async () => {
    lab = NetnsLab.create(2);
    const [a, b] = lab.nodes;
    const server = (i: number) =>
      new ProcessHandle(`ns-http${i}`, {
        command: 'ip',
        args: [
          ...lab!.execPrefix(i),
          process.execPath,
          '-e',
          `require('node:http').createServer((q, s) => s.end('ok${i}')).listen(8080, '${lab!.node(i).ip}')`,
        ],
      }).start();
    const servers = [server(0), server(1)];
    try {
      expect(readFileSync(`/proc/${servers[0]!.pid}/cmdline`, 'utf8').split('\0')[0]).toBe(process.execPath);
      const reach = async (from: number | 'root', to: number) => {
        const url = `http://${lab!.node(to).ip}:8080/`;
        if (from === 'root') {
          return fetch(url, { signal: AbortSignal.timeout(1000) }).then(
            (r) => r.text(),
            () => 'unreachable',
          );
        }
        const probe = new ProcessHandle('ns-probe', {
          command: 'ip',
          args: [
            ...lab!.execPrefix(from),
            process.execPath,
            '-e',
            `fetch('${url}', { signal: AbortSignal.timeout(1000) }).then((r) => r.text()).then(console.log, () => console.log('unreachable'))`,
          ],
        }).start();
        await probe.waitExit();
        return probe.output().trim();
      };
      await expect.poll(() => reach('root', 0), { timeout: 5000 }).toBe('ok0');
      await expect.poll(() => reach('root', 1), { timeout: 5000 }).toBe('ok1');
      expect(await reach(0, 1)).toBe('ok1');
      lab.cut(0, 1);
      expect(await reach(0, 1)).toBe('unreachable');
      expect(await reach(1, 0)).toBe('unreachable');
      expect(await reach('root', 0)).toBe('ok0');
      lab.heal();
      expect(await reach(0, 1)).toBe('ok1');
      lab.isolate(1);
      expect(await reach('root', 1)).toBe('unreachable');
      expect(await reach('root', 0)).toBe('ok0');
      lab.heal();
      expect(await reach('root', 1)).toBe('ok1');
      await servers[0]!.kill9();
      expect(servers[0]!.signal).toBe('SIGKILL');
    } finally {
      await Promise.all(servers.map((s) => s.kill9()));
    }
    const names = [a!.namespace, b!.namespace, lab.bridge];
    lab.destroy();
    const left =
      execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }) +
      execFileSync('ip', ['link'], { encoding: 'utf8' });
    for (const name of names) expect(left).not.toContain(name);
  });
});

describe.skipIf(!canRun)('chaos: 3 daemons in network namespaces under a nemesis', () => {
  it(
    `no acknowledged command is lost and all replicated tables are identical after ${SECONDS} s of faults`,
    async () => {
      const report = await runChaos({
        seconds: SECONDS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        log: (line) => console.log(line),
      });
      console.log(
        `chaos figures: ${JSON.stringify({
          seed: report.seed,
          operations: report.operations,
          acknowledged: report.acknowledged,
          lost: report.lost,
          faults: report.faults,
          faultsByKind: report.faultsByKind,
        })}`,
      );
      expect(report.lostExamples).toEqual([]);
      expect(report.lost).toBe(0);
      expect(report.divergence).toEqual([]);
      expect(report.divergentTables).toEqual([]);
      expect(report.acknowledged).toBeGreaterThan(0);
      // Faults make some commands fail: the test must have seen refusals, not a quiet cluster.
      expect(report.operations).toBeGreaterThan(report.acknowledged);
      expect(report.faults).toBeGreaterThan(Math.min(5, SECONDS / 10));
    },
    SECONDS * 1000 + 150_000,
  );
});
