import { describe, expect, it } from 'vitest';
import { type Member, ObserverPanel, VETO_RECHECK_MS } from './observers.js';

const key = { Hostname: 'db1', Port: 3306 };

function panel(
  others: Member[],
  answers: Record<string, { Reachable: boolean; Detail: string } | Error>,
  clock = { now: 10_000 },
) {
  const asked: string[] = [];
  let completions = 0;
  const p = new ObserverPanel({
    self: 'n1:10008',
    others: () => others,
    now: () => clock.now,
    ask: async (member, k, withinMs) => {
      asked.push(`${member.id} ${k.Hostname}:${k.Port} within ${withinMs}`);
      const a = answers[member.id];
      if (a instanceof Error) throw a;
      if (a === undefined) throw new Error('unexpected');
      return a;
    },
    onComplete: () => {
      completions++;
    },
  });
  return { p, asked, completions: () => completions };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ObserverPanel', () => {
  it('asks every other member once per suspicion; no address or no answer is recorded as null', async () => {
    const { p, asked, completions } = panel(
      [
        { id: 'n2:10008', httpURL: 'http://n2:3000' },
        { id: 'n3:10008', httpURL: 'http://n3:3000' },
        { id: 'n4:10008', httpURL: undefined },
      ],
      { 'n2:10008': { Reachable: true, Detail: 'pinged' }, 'n3:10008': new Error('timed out') },
    );
    p.consult(key, 9_000);
    p.consult(key, 9_000);
    expect(p.views().consultations.get('db1:3306')?.complete).toBe(false);
    await settle();
    expect(asked).toEqual(['n2:10008 db1:3306 within 1000', 'n3:10008 db1:3306 within 1000']);
    expect(completions()).toBe(1);
    const c = p.views().consultations.get('db1:3306');
    expect(c?.complete).toBe(true);
    expect(c?.reports.map((r) => [r.Observer, r.Reachable])).toEqual([
      ['n2:10008', true],
      ['n3:10008', null],
      ['n4:10008', null],
    ]);
    expect(c?.reports[1]?.Detail).toBe('no answer: timed out');
  });

  it('a new suspicion asks again; retain forgets instances no longer suspected', async () => {
    const { p, asked } = panel([{ id: 'n2:10008', httpURL: 'http://n2:3000' }], {
      'n2:10008': { Reachable: false, Detail: 'no answer to a ping' },
    });
    p.consult(key, 1_000);
    await settle();
    p.consult(key, 5_000);
    await settle();
    expect(asked).toHaveLength(2);
    p.retain(new Set());
    expect(p.views().consultations.size).toBe(0);
  });

  it('a veto is re-examined after VETO_RECHECK_MS while the suspicion lasts; a plain "unreachable" is not', async () => {
    const clock = { now: 10_000 };
    const answers: Record<string, { Reachable: boolean; Detail: string }> = {
      'n2:10008': { Reachable: true, Detail: 'probed successfully 10 ms ago' },
    };
    const { p, asked } = panel([{ id: 'n2:10008', httpURL: 'http://n2:3000' }], answers, clock);
    p.consult(key, 9_990);
    await settle();
    clock.now += VETO_RECHECK_MS - 1;
    p.consult(key, 9_990);
    expect(asked).toHaveLength(1);
    clock.now += 1;
    answers['n2:10008'] = { Reachable: false, Detail: 'no answer to a ping' };
    p.consult(key, 9_990);
    await settle();
    expect(asked).toEqual([
      'n2:10008 db1:3306 within 10',
      `n2:10008 db1:3306 within ${10 + VETO_RECHECK_MS}`,
    ]);
    expect(p.views().consultations.get('db1:3306')?.reports[0]?.Reachable).toBe(false);
    clock.now += 10 * VETO_RECHECK_MS;
    p.consult(key, 9_990);
    expect(asked).toHaveLength(2);
  });

  it('alone (no other members): nothing to wait for', () => {
    const { p } = panel([], {});
    expect(p.views().required).toBe(false);
  });
});
