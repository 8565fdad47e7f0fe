// A node with empty storage (a brand-new node, or a voter whose data was lost) starts recovering:
// it neither votes nor campaigns nor counts toward a quorum until admitted — by a brand-new cluster
// (every other bootstrap voter reports an empty log) or by the leader, which demotes it to learner,
// catches it up and promotes it with its incarnation. docs/core.md has the safety argument.
import { describe, expect, it } from 'vitest';
import { bytes, Harness, standalone } from '../sim/harness.js';

const REJOIN = { emptyStorage: 'rejoin' as const };
const ABC = ['a', 'b', 'c'];

/** A running 3-node cluster whose nodes started with empty storage; `a` leads, `x` is committed. */
function running(): Harness {
  const h = new Harness(ABC, REJOIN);
  h.stabilize();
  h.elect('a');
  h.raw('a').propose(bytes('x'));
  h.stabilize();
  return h;
}

describe('a node with empty storage', () => {
  it('votes only once every other bootstrap voter reported an empty log (a brand-new cluster)', () => {
    const h = new Harness(ABC, REJOIN);
    for (const id of ABC) expect(h.raw(id).status().recovering).toBe(true);
    h.drop = (m) => m.to === 'c' || m.from === 'c';
    h.stabilize();
    h.tick(60, ['a', 'b']);
    // c never answered: a and b cannot rule out that c holds the cluster's data, so nobody votes.
    expect(h.leaders()).toEqual([]);
    expect(h.raw('a').status()).toMatchObject({ recovering: true, term: 0 });
    h.heal();
    h.tick(60);
    expect(h.leaders()).toHaveLength(1);
    for (const id of ABC) {
      expect(h.raw(id).status().recovering).toBe(false);
      expect(h.get(id).events).toContainEqual(
        expect.objectContaining({ type: 'admitted', how: 'newCluster' }),
      );
    }
  });

  it('makes its recovering marker durable before anything else', () => {
    const n = standalone('c', ABC, REJOIN);
    const first = n.raw.ready();
    expect(first.hardState?.recovering).toMatch(/^[0-9a-f]{16}$/);
    expect(first.messages).toEqual([]);
    expect(first.entries).toEqual([]);
    n.stable.setHardState(first.hardState!);
    n.raw.advance(first);
    const probes = n.drain();
    expect(probes.map((m) => [m.type, m.to])).toEqual([
      ['probe', 'a'],
      ['probe', 'b'],
    ]);
    expect(probes[0]?.incarnation).toBe(first.hardState?.recovering);
  });

  it('refuses votes and pre-votes (an earlier life may have voted in that term); a trusted one grants', () => {
    const request = (type: 'vote' | 'preVote') =>
      ({ type, from: 'a', to: 'c', term: 5, index: 0, logTerm: 0 }) as const;
    for (const type of ['vote', 'preVote'] as const) {
      const rejoining = standalone('c', ABC, REJOIN);
      rejoining.drain();
      rejoining.raw.step(request(type));
      expect(rejoining.drain().find((m) => m.to === 'a')).toMatchObject({ reject: true });
      const trusting = standalone('c', ABC, { emptyStorage: 'bootstrap' });
      trusting.raw.step(request(type));
      expect(trusting.drain().find((m) => m.to === 'a')?.reject).toBeUndefined();
    }
  });
});

describe('a voter that lost its data', () => {
  it('rejoins as a learner and is promoted with its new incarnation once caught up', () => {
    const h = running();
    const c = h.wipe('c', ABC, REJOIN);
    expect(c.raw.status().recovering).toBe(true);
    h.tick(6);
    const a = h.raw('a').status();
    expect(a).toMatchObject({ role: 'leader', voters: ['a', 'b', 'c'], learners: [] });
    expect(c.raw.status().recovering).toBe(false);
    expect(h.appliedData('c')).toEqual(['x']);
    const proposed = h.get('a').events.filter((e) => e.type === 'roleChangeProposed');
    expect(proposed.map((e) => e.type === 'roleChangeProposed' && [e.reason, e.change.type])).toEqual([
      ['lostState', 'addLearner'],
      ['caughtUp', 'addVoter'],
    ]);
    expect(h.raw('a').confState().incarnations).toEqual({ c: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(c.events).toContainEqual(expect.objectContaining({ type: 'admitted', how: 'promoted' }));
    // Wiped again: a new incarnation, demoted and promoted again.
    const before = h.raw('a').confState().incarnations?.c;
    h.wipe('c', ABC, REJOIN);
    h.tick(6);
    expect(h.raw('a').status()).toMatchObject({ voters: ['a', 'b', 'c'], learners: [] });
    expect(h.raw('a').confState().incarnations?.c).not.toBe(before);
  });

  it('cannot help elect a leader that lacks an entry it acknowledged in its earlier life', () => {
    const h = new Harness(ABC, REJOIN);
    h.stabilize();
    h.elect('a');
    h.drop = (m) => m.to === 'b' || m.from === 'b';
    h.raw('a').propose(bytes('acked by a and c'));
    h.stabilize();
    expect(h.appliedData('a')).toEqual(['acked by a and c']);
    // c loses its disk and a is cut off: b (lacking the entry) and the new c are a majority.
    h.wipe('c', ABC, REJOIN);
    h.drop = (m) => m.to === 'a' || m.from === 'a';
    h.tick(80, ['b', 'c']);
    expect(h.leaders()).not.toContain('b');
    expect(h.raw('b').status().role).not.toBe('leader');
    h.heal();
    h.tick(60);
    for (const id of ABC) expect(h.appliedData(id)).toEqual(['acked by a and c']);
  });

  it("does not count toward the leader's commit quorum before it is promoted", () => {
    const h = running();
    h.drop = (m) => m.to === 'b' || m.from === 'b';
    // A pending change keeps the leader from demoting c at once: c stays a voter that does not count.
    h.raw('a').proposeConfChange({ type: 'addLearner', node: 'd' });
    h.wipe('c', ABC, REJOIN);
    h.raw('a').propose(bytes('y'));
    h.tick(10, ['a', 'c']);
    // c holds y and acknowledged it, but only b could make a quorum with a.
    expect(h.raw('c').status().lastIndex).toBe(h.raw('a').status().lastIndex);
    expect(h.raw('a').status()).toMatchObject({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(h.raw('a').status().progress?.c?.counted).toBe(false);
    expect(h.appliedData('a')).toEqual(['x']);
    h.heal();
    h.tick(10);
    for (const id of ABC) expect(h.appliedData(id)).toEqual(['x', 'y']);
    expect(h.raw('a').status()).toMatchObject({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(h.raw('a').status().progress?.c?.counted).toBe(true);
  });

  it('in a 2-node cluster the leader demotes it alone and promotes it again', () => {
    const h = new Harness(['a', 'b'], REJOIN);
    h.stabilize();
    h.elect('a');
    h.raw('a').propose(bytes('x'));
    h.stabilize();
    h.wipe('b', ['a', 'b'], REJOIN);
    h.tick(6);
    expect(h.raw('a').status()).toMatchObject({ role: 'leader', voters: ['a', 'b'], learners: [] });
    expect(h.raw('b').status().recovering).toBe(false);
    expect(h.appliedData('b')).toEqual(['x']);
  });
});
