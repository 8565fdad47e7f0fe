import { describe, expect, it } from 'vitest';
import type { RelocatePlan } from './model';
import { dropIntent, isBelow, summarizePlan } from './move-plan';
import { inst } from './testing/fixtures';

// 1 ← 2 ← 4, 1 ← 3: master 1, intermediate master 2.
const cluster = [inst(1, null), inst(2, 1), inst(3, 1), inst(4, 2)];
const key = (port: number) => ({ Hostname: 'h', Port: port });

describe('dropIntent', () => {
  it('names a drop on a sibling move-below, on the grandmaster move-up, elsewhere relocate', () => {
    expect(dropIntent(cluster, key(3), key(2))).toMatchObject({
      ok: true,
      shape: 'move-below',
      from: key(1),
      to: key(2),
      description: 'move below its sibling h:2 (from h:1)',
    });
    expect(dropIntent(cluster, key(4), key(1))).toMatchObject({ ok: true, shape: 'move-up', from: key(2) });
    expect(dropIntent(cluster, key(4), key(3))).toMatchObject({
      ok: true,
      shape: 'relocate',
      description: 'relocate from h:2 to h:3',
    });
  });

  it('refuses drops that cannot mean a move, with the reason', () => {
    const reason = (d: number, t: number) => {
      const r = dropIntent(cluster, key(d), key(t));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(3, 3)).toBe('h:3 cannot replicate from itself');
    expect(reason(1, 3)).toMatch(/^h:1 is a master/);
    expect(reason(3, 1)).toBe('h:3 already replicates from h:1');
    expect(reason(2, 4)).toBe('h:4 replicates from h:2: the move would make a replication cycle');
    expect(reason(3, 9)).toBe('h:9 is not in this cluster');
    expect(reason(9, 3)).toBe('h:9 is not in this cluster');
  });

  it('isBelow follows masters up and stops on a co-master ring', () => {
    expect(isBelow(cluster, key(4), key(1))).toBe(true);
    expect(isBelow(cluster, key(3), key(2))).toBe(false);
    expect(isBelow([inst(1, 2), inst(2, 1)], key(1), key(3))).toBe(false);
  });
});

describe('summarizePlan', () => {
  const intent = dropIntent(cluster, key(3), key(2));
  if (!intent.ok) throw new Error('expected a move');
  const plan: RelocatePlan = {
    Possible: true,
    Method: 'MariaDB GTID',
    Steps: [{ Description: 'stop replication on h:3', Instance: 'h:3' }],
    Reason: '',
  };

  it('is possible when relocate-plan and can-replicate-from agree', () => {
    const s = summarizePlan(intent, { ok: true, value: plan }, { ok: true, value: key(2) });
    expect(s).toMatchObject({
      operation: 'relocate',
      shape: 'move-below',
      from: 'h:1',
      to: 'h:2',
      possible: true,
      method: 'MariaDB GTID',
      reasons: [],
      canReplicate: 'h:3 can replicate from h:2',
    });
    expect(s.steps).toHaveLength(1);
  });

  it('is not possible when either refuses, and says why; no steps are shown then', () => {
    const refused = summarizePlan(
      intent,
      { ok: true, value: { Possible: false, Method: '', Steps: [], Reason: 'h:3: lags too much' } },
      { ok: false, error: 'h:2 does not have binary logs enabled' },
    );
    expect(refused.possible).toBe(false);
    expect(refused.reasons).toEqual([
      'can-replicate-from: h:2 does not have binary logs enabled',
      'h:3: lags too much',
    ]);
    const unreachable = summarizePlan(intent, { ok: false, error: 'HTTP 500' }, { ok: true, value: null });
    expect(unreachable).toMatchObject({ possible: false, steps: [], reasons: ['relocate-plan: HTTP 500'] });
  });
});
