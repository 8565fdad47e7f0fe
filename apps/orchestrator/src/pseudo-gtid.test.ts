import { emptyInstance, type Instance } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import { PseudoGtidInjector, pseudoGtidHint, writableMasters } from './pseudo-gtid.js';

const inst = (port: number, over: Partial<Instance> = {}): Instance => ({
  ...emptyInstance({ Hostname: 'db', Port: port }),
  ClusterName: `c${port}`,
  ServerID: port,
  IsLastCheckValid: true,
  LogBinEnabled: true,
  ...over,
});

describe('AutoPseudoGTID', () => {
  it("writes the reference's ascending hint", () => {
    expect(pseudoGtidHint(0x5f4c9d6a * 1000 + 999, 1, '0123456789abcdef99')).toBe(
      '5f4c9d6a:00000001:0123456789abcdef',
    );
  });

  it('writes only on writable masters with binlogs, co-masters included', () => {
    const masters = writableMasters([
      inst(1),
      inst(2, { ReadOnly: true }),
      inst(3, { MasterKey: { Hostname: 'db', Port: 1 } }),
      inst(4, { MasterKey: { Hostname: 'db', Port: 5 }, IsCoMaster: true }),
      inst(6, { IsLastCheckValid: false }),
      inst(7, { LogBinEnabled: false }),
    ]);
    expect(masters.map((m) => m.Key.Port)).toEqual([1, 4]);
  });

  it('injects on every master while leading, publishes once a minute per cluster, warns once per error', async () => {
    let leader = true;
    let now = 1_000_000;
    const injected: string[] = [];
    const published: unknown[] = [];
    const warnings: string[] = [];
    const injector = new PseudoGtidInjector({
      mysql: {
        injectPseudoGtid: async (key, hint) => {
          if (key.Port === 2) throw new Error('DROP command denied');
          injected.push(`${key.Port} ${hint.slice(0, 17)}`);
        },
      },
      isLeader: () => leader,
      instances: () => [inst(1), inst(2)],
      publish: async (op, value) => {
        published.push([op, value]);
      },
      log: { warn: (_f: object, m: string) => warnings.push(m), debug: () => undefined } as never,
      intervalSeconds: 1,
      now: () => now,
    });
    expect(await injector.tick()).toBe(1);
    now += 5_000;
    expect(await injector.tick()).toBe(1);
    expect(injected).toEqual(['1 000003e8:00000001', '1 000003ed:00000001']);
    expect(published).toEqual([['injected-pseudo-gtid', 'c1']]);
    expect(warnings).toHaveLength(1);
    now += 60_000;
    await injector.tick();
    expect(published).toHaveLength(2);
    leader = false;
    expect(await injector.tick()).toBe(0);
  });
});
