import type { Instance } from '@orchestrator/model';
import { describe, expect, it } from 'vitest';
import { oscReplicas } from './osc.js';

function inst(
  port: number,
  master: number | null,
  depth: number,
  replicas: number[],
  valid = true,
): Instance {
  return {
    Key: { Hostname: 'h', Port: port },
    MasterKey: master === null ? { Hostname: '', Port: 0 } : { Hostname: 'h', Port: master },
    ReplicationDepth: depth,
    Replicas: replicas.map((p) => ({ Hostname: 'h', Port: p })),
    IsLastCheckValid: valid,
  } as unknown as Instance;
}

const ports = (list: Instance[]) => list.map((i) => i.Key.Port);

describe('oscReplicas', () => {
  it('a flat 1+3: up to two first-tier leaves', () => {
    const cluster = [inst(1, null, 0, [2, 3, 4]), inst(2, 1, 1, []), inst(3, 1, 1, []), inst(4, 1, 1, [])];
    expect(ports(oscReplicas(cluster))).toEqual([2, 3]);
  });

  it('one intermediate master: it, two of its replicas, then leaves', () => {
    const cluster = [
      inst(1, null, 0, [2, 3]),
      inst(2, 1, 1, [5, 6, 7]),
      inst(3, 1, 1, []),
      inst(5, 2, 2, []),
      inst(6, 2, 2, []),
      inst(7, 2, 2, []),
    ];
    expect(ports(oscReplicas(cluster))).toEqual([2, 5, 6, 3]);
  });

  it('two intermediate masters, busiest first: one replica of each; third tier; never an invalid check or an ignored host', () => {
    const cluster = [
      inst(1, null, 0, [2, 3, 4]),
      inst(2, 1, 1, [5]),
      inst(3, 1, 1, [6, 7]),
      inst(4, 1, 1, [], false),
      inst(5, 2, 2, [8]),
      inst(6, 3, 2, []),
      inst(7, 3, 2, []),
      inst(8, 5, 3, []),
    ];
    expect(ports(oscReplicas(cluster))).toEqual([3, 2, 6, 5, 8]);
    expect(ports(oscReplicas(cluster, ['h:6$']))).toEqual([3, 2, 7, 5, 8]);
  });
});
