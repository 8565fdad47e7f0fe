import { describe, expect, it } from 'vitest';
import { planSemiSyncReplicas, type SemiSyncReplica } from '../src/semi-sync.js';
import { key } from './fixtures.js';

const r = (port: number, over: Partial<SemiSyncReplica> = {}): SemiSyncReplica => ({
  key: key(port),
  replicating: true,
  enabled: false,
  priority: 1,
  rule: 'neutral',
  ...over,
});

describe('planSemiSyncReplicas', () => {
  it('enough (RecoverLockedSemiSyncMaster): enables the missing acks by priority, rule, then name; never disables', () => {
    const plan = planSemiSyncReplicas({
      waitCount: 2,
      clients: 1,
      exact: false,
      replicas: [r(3), r(2, { rule: 'prefer' }), r(1, { enabled: true }), r(4, { priority: 5 })],
    });
    expect(plan.actions).toEqual([{ key: key(4), enable: true }]);
    expect(plan.possible).toEqual([key(4), key(2), key(1), key(3)]);
  });
  it('exact (EnforceExactSemiSyncReplicas): the wait count best acknowledge, the others are disabled, enables first', () => {
    const plan = planSemiSyncReplicas({
      waitCount: 1,
      clients: 2,
      exact: true,
      replicas: [
        r(1, { enabled: true }),
        r(2, { enabled: true, priority: 3 }),
        r(3, { priority: 0, enabled: true }),
      ],
    });
    expect(plan.actions).toEqual([
      { key: key(1), enable: false },
      { key: key(3), enable: false },
    ]);
    const swap = planSemiSyncReplicas({
      waitCount: 1,
      clients: 1,
      exact: true,
      replicas: [r(1, { enabled: true }), r(2, { priority: 3 })],
    });
    expect(swap.actions).toEqual([
      { key: key(2), enable: true },
      { key: key(1), enable: false },
    ]);
  });
  it('leaves replicas that do not replicate alone', () => {
    const plan = planSemiSyncReplicas({
      waitCount: 1,
      clients: 0,
      exact: false,
      replicas: [r(1, { replicating: false }), r(2)],
    });
    expect(plan.actions).toEqual([{ key: key(2), enable: true }]);
    expect(plan.excluded).toEqual([key(1)]);
  });
  it('without any priority (no DetectSemiSyncEnforcedQuery) every promotable replica counts, must_not stays asynchronous', () => {
    const plan = planSemiSyncReplicas({
      waitCount: 1,
      clients: 0,
      exact: false,
      replicas: [r(1, { priority: 0, rule: 'must_not' }), r(2, { priority: 0 })],
    });
    expect(plan).toMatchObject({
      defaultedPriorities: true,
      actions: [{ key: key(2), enable: true }],
      asynchronous: [key(1)],
    });
  });
});
