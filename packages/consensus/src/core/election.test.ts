// Table-driven tests of the election rules: Figure 2 (all servers, RequestVote receiver), §5.2,
// §5.4.1, pre-vote (thesis §9.6), leader stickiness (thesis §4.2.3), check-quorum (thesis §6.2).
import { describe, expect, it } from 'vitest';
import { Harness, standalone } from '../sim/harness.js';
import type { Message } from '../types.js';

const msg = (m: Partial<Message> & Pick<Message, 'type' | 'from' | 'term'>): Message => ({ to: 'a', ...m });

describe('Figure 2 "all servers": terms (§5.1)', () => {
  it.each([
    ['follower', 'append'],
    ['follower', 'heartbeat'],
    ['candidate', 'append'],
    ['leader', 'append'],
    ['leader', 'heartbeat'],
  ] as const)('§5.1 a %s receiving %s with a higher term becomes a follower of that term', (role, type) => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 2, preVote: false });
    if (role !== 'follower') {
      n.raw.campaign();
      if (role === 'leader') {
        n.raw.step(msg({ type: 'voteResp', from: 'b', term: 3 }));
      }
    }
    n.drain();
    expect(n.raw.status().role).toBe(role);
    n.raw.step(msg({ type, from: 'b', term: 9, index: 0, logTerm: 0, commit: 0 }));
    n.drain();
    expect(n.raw.status()).toMatchObject({ role: 'follower', term: 9, leader: 'b' });
  });

  it.each([
    ['append', 'appendResp'],
    ['heartbeat', 'appendResp'],
    ['vote', 'voteResp'],
    ['preVote', 'preVoteResp'],
  ] as const)('§5.1 a stale-term %s is not processed (answer: %s with our term)', (type, answer) => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 5, terms: [1] });
    n.drain();
    n.raw.step(msg({ type, from: 'b', term: 3, index: 1, logTerm: 1, entries: [], commit: 1 }));
    const out = n.drain();
    expect(n.raw.status()).toMatchObject({ term: 5, commit: 0, leader: '' });
    expect(out).toEqual([expect.objectContaining({ type: answer, term: 5, to: 'b' })]);
  });
});

describe('Figure 2 RequestVote receiver (§5.2, §5.4.1)', () => {
  it.each([
    { votedFor: '', granted: true },
    { votedFor: 'b', granted: true },
    { votedFor: 'c', granted: false },
  ])('§5.2 one vote per term: votedFor=$votedFor → granted=$granted', ({ votedFor, granted }) => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 4, vote: votedFor });
    n.drain();
    n.raw.step(msg({ type: 'vote', from: 'b', term: 4, index: 0, logTerm: 0 }));
    const out = n.drain();
    expect(out).toEqual([expect.objectContaining({ type: 'voteResp', to: 'b' })]);
    expect(out[0]?.reject === true).toBe(!granted);
  });

  it.each([
    // our log: terms [1, 2, 2] (last index 3, last term 2)
    { lastTerm: 3, lastIndex: 1, granted: true, why: 'higher last term wins' },
    { lastTerm: 2, lastIndex: 3, granted: true, why: 'same last term, same length' },
    { lastTerm: 2, lastIndex: 4, granted: true, why: 'same last term, longer' },
    { lastTerm: 2, lastIndex: 2, granted: false, why: 'same last term, shorter' },
    { lastTerm: 1, lastIndex: 9, granted: false, why: 'lower last term loses however long' },
  ])('§5.4.1 election restriction: $why → granted=$granted', ({ lastTerm, lastIndex, granted }) => {
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 2, 2], term: 2 });
    n.drain();
    n.raw.step(msg({ type: 'vote', from: 'b', term: 3, index: lastIndex, logTerm: lastTerm }));
    const out = n.drain();
    expect(out[0]).toMatchObject({ type: 'voteResp' });
    expect(out[0]?.reject === true).toBe(!granted);
    // The vote is durable (hard state persisted) before the answer is handed out (Ready contract).
    expect(n.stable.hardState()).toMatchObject({ term: 3, vote: granted ? 'b' : '' });
  });

  it('§5.2 the vote is in the same Ready as the answer, so the driver persists it first', () => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 1 });
    n.drain();
    n.raw.step(msg({ type: 'vote', from: 'b', term: 2, index: 0, logTerm: 0 }));
    const rd = n.raw.ready();
    expect(rd.hardState).toMatchObject({ term: 2, vote: 'b' });
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'voteResp' })]);
    expect(rd.messages[0]?.reject).toBeUndefined();
  });
});

describe('Figure 2 persistent state', () => {
  it('§5.2 a restarted node remembers its term and vote and does not vote twice', () => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 1 });
    n.raw.step(msg({ type: 'vote', from: 'b', term: 2, index: 0, logTerm: 0 }));
    n.drain();
    const restarted = standalone('a', ['a', 'b', 'c'], { term: 2, vote: 'b' });
    restarted.raw.step(msg({ type: 'vote', from: 'c', term: 2, index: 5, logTerm: 2 }));
    const out = restarted.drain();
    expect(n.stable.hardState()).toMatchObject({ term: 2, vote: 'b' });
    expect(out[0]).toMatchObject({ type: 'voteResp', reject: true });
    expect(restarted.raw.status().term).toBe(2);
  });

  it('ready() hands nothing out twice when called again before advance()', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.raw('a').propose(new TextEncoder().encode('x'));
    const first = h.raw('a').ready();
    const second = h.raw('a').ready();
    expect(first.entries).toHaveLength(1);
    expect(first.messages.length).toBeGreaterThan(0);
    expect(second.entries).toHaveLength(0);
    expect(second.messages).toHaveLength(0);
    h.raw('a').advance(first);
    h.raw('a').advance(second);
  });
});

describe('elections (§5.2)', () => {
  it.each([
    { voters: 3, grants: 1, outcome: 'leader' },
    { voters: 3, grants: 0, outcome: 'candidate' },
    { voters: 5, grants: 1, outcome: 'candidate' },
    { voters: 5, grants: 2, outcome: 'leader' },
  ])(
    '§5.2 with $voters voters and $grants grants the candidate ends $outcome',
    ({ voters, grants, outcome }) => {
      const ids = ['a', 'b', 'c', 'd', 'e'].slice(0, voters);
      const n = standalone('a', ids, { preVote: false, term: 1 });
      n.raw.campaign();
      const out = n.drain();
      expect(out.filter((m) => m.type === 'vote')).toHaveLength(voters - 1);
      for (let i = 0; i < grants; i++) n.raw.step(msg({ type: 'voteResp', from: ids[i + 1]!, term: 2 }));
      n.drain();
      expect(n.raw.status()).toMatchObject({ role: outcome, term: 2 });
    },
  );

  it('§5.2 a majority of rejections returns the candidate to follower', () => {
    const n = standalone('a', ['a', 'b', 'c'], { preVote: false, term: 1 });
    n.raw.campaign();
    n.drain();
    n.raw.step(msg({ type: 'voteResp', from: 'b', term: 2, reject: true }));
    n.raw.step(msg({ type: 'voteResp', from: 'c', term: 2, reject: true }));
    expect(n.raw.status().role).toBe('follower');
  });

  it('§5.2 election timeouts are randomized in [electionTicks, 2*electionTicks)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const h = new Harness(['a', 'b', 'c'], { electionTicks: 10, preVote: false }, seed);
      h.drop = () => true;
      let t = 0;
      while (h.raw('a').status().role === 'follower' && t < 100) {
        h.raw('a').tick();
        t++;
      }
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThan(20);
      seen.add(t);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('§5.2 a 3-node cluster elects exactly one leader and it appends a no-op (§8)', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.tick(25);
    expect(h.leaders()).toHaveLength(1);
    const leader = h.leaders()[0]!;
    for (const id of ['a', 'b', 'c']) {
      expect(h.get(id).applied.map((e) => e.kind)).toEqual(['noop']);
      expect(h.raw(id).status().leader).toBe(leader);
    }
  });

  it('§5.2 after the leader dies, pre-vote and randomized timeouts elect a new leader in about one timeout', () => {
    const took: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const h = new Harness(['a', 'b', 'c'], { electionTicks: 10, heartbeatTicks: 2 }, seed);
      h.elect('a');
      h.tick(7);
      h.isolate('a');
      let t = 0;
      while (t < 200 && !h.leaders().some((id) => id !== 'a')) {
        h.tick(1, ['b', 'c']);
        t++;
      }
      took.push(t);
    }
    took.sort((x, y) => x - y);
    // Followers wait [10, 20) ticks after the last heartbeat; the election itself takes no extra round.
    expect(took[0]).toBeGreaterThanOrEqual(9);
    expect(took[100]).toBeLessThanOrEqual(15);
    expect(took[180]).toBeLessThanOrEqual(20);
    expect(took[199]).toBeLessThan(200);
  });

  it('single-node mode elects itself on the first tick and commits alone', () => {
    const h = new Harness(['solo']);
    h.tick(1);
    expect(h.leaders()).toEqual(['solo']);
    h.raw('solo').propose(new TextEncoder().encode('x'));
    h.stabilize();
    expect(h.appliedData('solo')).toEqual(['x']);
  });
});

describe('pre-vote (thesis §9.6)', () => {
  it.each([
    { preVote: true, termGrows: false },
    { preVote: false, termGrows: true },
  ])('§9.6 an isolated node with preVote=$preVote: term grows=$termGrows', ({ preVote, termGrows }) => {
    const h = new Harness(['a', 'b', 'c'], { preVote });
    h.elect('a');
    const term = h.raw('a').status().term;
    h.isolate('c');
    h.tick(60);
    expect(h.raw('c').status().term > term).toBe(termGrows);
  });

  it('§9.6 a node back from a partition does not depose a healthy leader', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    const term = h.raw('a').status().term;
    h.isolate('c');
    h.tick(60);
    h.heal();
    h.tick(30);
    expect(h.leaders()).toEqual(['a']);
    expect(h.raw('a').status().term).toBe(term);
    expect(h.raw('c').status()).toMatchObject({ leader: 'a', term });
  });

  it("§9.6 a pre-vote does not change the voter's term or vote", () => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 3 });
    n.drain();
    n.raw.step(msg({ type: 'preVote', from: 'b', term: 4, index: 0, logTerm: 0 }));
    const out = n.drain();
    expect(out).toEqual([expect.objectContaining({ type: 'preVoteResp', term: 4 })]);
    expect(out[0]?.reject).toBeUndefined();
    expect(n.stable.hardState()).toMatchObject({ term: 3, vote: '' });
  });
});

describe('leader stickiness (thesis §4.2.3)', () => {
  it.each([
    { ticksSinceLeader: 0, answered: false },
    { ticksSinceLeader: 5, answered: false },
    { ticksSinceLeader: 10, answered: true },
  ])(
    '§4.2.3 a vote request $ticksSinceLeader ticks after hearing the leader: answered=$answered',
    ({ ticksSinceLeader, answered }) => {
      const n = standalone('a', ['a', 'b', 'c'], { term: 2, electionTicks: 10 });
      n.raw.step(msg({ type: 'heartbeat', from: 'b', term: 2, commit: 0 }));
      n.drain();
      // Ticks below the randomized timeout do not start an election (timeout ≥ electionTicks).
      for (let i = 0; i < ticksSinceLeader; i++) n.raw.tick();
      n.drain();
      n.raw.step(msg({ type: 'vote', from: 'c', term: 3, index: 0, logTerm: 0 }));
      const out = n.drain().filter((m) => m.type === 'voteResp');
      expect(out.length > 0).toBe(answered);
      expect(n.raw.status().term).toBe(answered ? 3 : 2);
    },
  );
});

describe('check-quorum (thesis §6.2)', () => {
  it.each([
    { checkQuorum: true, stepsDown: true },
    { checkQuorum: false, stepsDown: false },
  ])(
    '§6.2 an isolated leader with checkQuorum=$checkQuorum steps down=$stepsDown',
    ({ checkQuorum, stepsDown }) => {
      const h = new Harness(['a', 'b', 'c'], { checkQuorum });
      h.elect('a');
      h.isolate('a');
      h.tick(21, ['a']);
      expect(h.raw('a').status().role).toBe(stepsDown ? 'follower' : 'leader');
      if (stepsDown)
        expect(h.get('a').events).toContainEqual(expect.objectContaining({ reason: 'checkQuorum' }));
    },
  );

  it('§6.2 a leader hearing from a quorum stays leader', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.drop = (m) => m.from === 'c' || m.to === 'c';
    h.tick(50);
    expect(h.leaders()).toEqual(['a']);
  });
});
