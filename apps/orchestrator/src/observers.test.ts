import { describe, expect, it } from 'vitest';
import { type Member, ObserverPanel } from './observers.js';

const key = { Hostname: 'db1', Port: 3306 };

function panel(others: Member[], answers: Record<string, { Reachable: boolean; Detail: string } | Error>) {
  const asked: string[] = [];
  let completions = 0;
  const p = new ObserverPanel({
    self: 'n1:10008',
    others: () => others,
    now: () => 10_000,
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
    expect(asked).toEqual(['n2:10008 db1:3306 within 1500', 'n3:10008 db1:3306 within 1500']);
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

  it('alone (no other members): nothing to wait for', () => {
    const { p } = panel([], {});
    expect(p.views().required).toBe(false);
  });
});
