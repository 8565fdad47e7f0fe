// Table-driven tests of log replication: Figure 2 AppendEntries receiver rules 1–5, §5.3 (leader
// replication and commit), §5.4.2 (commit only current-term entries by counting), flow control.
import { describe, expect, it } from 'vitest';
import { bytes, Harness, standalone } from '../sim/harness.js';
import type { Entry, Message } from '../types.js';
import { NotLeaderError } from './errors.js';

const ent = (index: number, term: number): Entry => ({
  index,
  term,
  kind: 'normal',
  data: bytes(`x${index}`),
});
const append = (
  term: number,
  prevIndex: number,
  prevTerm: number,
  ents: Entry[],
  commit: number,
): Message => ({
  type: 'append',
  from: 'b',
  to: 'a',
  term,
  index: prevIndex,
  logTerm: prevTerm,
  entries: ents,
  commit,
});

describe('Figure 2 AppendEntries receiver', () => {
  it.each([
    { prev: [2, 2], accept: true, why: 'matching prev entry' },
    { prev: [3, 2], accept: true, why: 'matching last entry' },
    { prev: [4, 2], accept: false, why: 'prev index beyond our log' },
    { prev: [3, 3], accept: false, why: 'prev term differs' },
  ])('rule 2: reply false if the log lacks prevLogIndex/prevLogTerm ($why)', ({ prev, accept }) => {
    // our log: terms [1, 2, 2]
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 2, 2], term: 3 });
    n.drain();
    const [pi, pt] = prev as [number, number];
    n.raw.step(append(3, pi, pt, [ent(pi + 1, 3)], 0));
    const [resp] = n.drain();
    expect(resp).toMatchObject({ type: 'appendResp', term: 3 });
    expect(resp?.reject === true).toBe(!accept);
    if (accept) expect(n.log.term(pi + 1)).toBe(3);
  });

  it('rule 2: a rejection carries a hint (index and term) for fast back-off', () => {
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 1, 2, 2, 2], term: 4 });
    n.drain();
    n.raw.step(append(4, 5, 3, [], 0));
    const [resp] = n.drain();
    // Largest index with term ≤ 3 is 5 (term 2): the leader can jump straight there.
    expect(resp).toMatchObject({ reject: true, index: 5, rejectHint: 5, logTerm: 2 });
  });

  it('rule 3: a conflicting entry and all that follow it are deleted', () => {
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 1, 1, 1], term: 2 });
    n.drain();
    n.raw.step(append(2, 2, 1, [ent(3, 2)], 0));
    const [resp] = n.drain();
    expect(resp).toMatchObject({ index: 3 });
    expect(n.log.lastIndex()).toBe(3);
    expect(n.log.term(3)).toBe(2);
  });

  it('rule 4: entries already present are kept (a duplicated or reordered append truncates nothing)', () => {
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 1, 1, 1], term: 1 });
    n.drain();
    n.raw.step(append(1, 0, 0, [ent(1, 1), ent(2, 1)], 0));
    const [resp] = n.drain();
    expect(resp).toMatchObject({ index: 2 });
    expect(n.log.lastIndex()).toBe(4);
  });

  it.each([
    { leaderCommit: 1, expected: 1 },
    { leaderCommit: 3, expected: 3 },
    { leaderCommit: 9, expected: 3 },
  ])(
    'rule 5: commitIndex = min(leaderCommit=$leaderCommit, last new entry) = $expected',
    ({ leaderCommit, expected }) => {
      const n = standalone('a', ['a', 'b', 'c'], { term: 1 });
      n.drain();
      n.raw.step(append(1, 0, 0, [ent(1, 1), ent(2, 1), ent(3, 1)], leaderCommit));
      const rd = n.raw.ready();
      expect(rd.hardState?.commit).toBe(expected);
      expect(rd.committedEntries.map((e) => e.index)).toEqual(
        Array.from({ length: expected }, (_, i) => i + 1),
      );
    },
  );
});

describe('leader replication and commit (§5.3, §5.4.2)', () => {
  it.each([
    { down: [], commits: true },
    { down: ['c'], commits: true },
    { down: ['b', 'c'], commits: false },
  ])('§5.3 an entry commits once a majority stores it (down: $down)', ({ down, commits }) => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.drop = (m) => down.includes(m.to) || down.includes(m.from);
    h.raw('a').propose(bytes('v'));
    h.stabilize();
    expect(h.appliedData('a')).toEqual(commits ? ['v'] : []);
  });

  it('§5.4.2 entries of a previous term are not committed by counting replicas', () => {
    // a has [1:t1, 2:t2] and becomes leader of term 3; its no-op is entry 3.
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 2], term: 2, preVote: false });
    n.raw.campaign();
    n.drain();
    n.raw.step({ type: 'voteResp', from: 'b', to: 'a', term: 3 });
    n.drain();
    expect(n.raw.status()).toMatchObject({ role: 'leader', lastIndex: 3 });
    // b stores entry 2 (term 2) only: a majority holds it, but it is not from term 3.
    n.raw.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 2 });
    n.drain();
    expect(n.raw.status().commit).toBe(0);
    // Once b stores the term-3 no-op, everything up to it commits (§5.4.2, indirectly entry 2).
    n.raw.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 3 });
    n.drain();
    expect(n.raw.status().commit).toBe(3);
  });

  it('§5.3 committed entries are handed out once, in order, across Readies', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    for (const v of ['1', '2', '3']) h.raw('a').propose(bytes(v));
    h.stabilize();
    h.raw('a').propose(bytes('4'));
    h.stabilize();
    for (const id of ['a', 'b', 'c']) {
      expect(h.appliedData(id)).toEqual(['1', '2', '3', '4']);
      const idx = h.get(id).applied.map((e) => e.index);
      expect(idx).toEqual([...idx].sort((x, y) => x - y));
    }
  });

  it('§5.3 a follower with a divergent log is repaired by the leader in few round trips (fast back-off)', () => {
    const h = new Harness(['a', 'b', 'c'], { preVote: false });
    const load = (id: string, terms: number[]) => {
      const node = h.get(id);
      node.log.append(terms.map((t, i) => ent(i + 1, t)));
      node.stable.setHardState({ term: 2, vote: '', commit: 3 });
      h.restart(id, ['a', 'b', 'c']);
    };
    // c holds 30 uncommitted entries of an old term-1 leader; a and b moved on in term 2.
    load('a', [1, 1, 1, 2, 2, 2, 2, 2]);
    load('b', [1, 1, 1, 2, 2, 2, 2, 2]);
    load('c', [1, 1, 1, ...Array.from({ length: 30 }, () => 1)]);
    let rejections = 0;
    const orig = h.deliver.bind(h);
    h.deliver = (m) => {
      if (m.type === 'appendResp' && m.from === 'c' && m.reject) rejections++;
      orig(m);
    };
    h.elect('a');
    expect(h.leaders()).toEqual(['a']);
    expect(h.get('c').log.lastIndex()).toBe(9);
    expect(h.get('c').log.term(4)).toBe(2);
    // One rejection is enough: the hint skips all 30 stale entries at once.
    expect(rejections).toBe(1);
  });

  it.each(['propose', 'proposeConfChange', 'readIndex', 'transferLeadership'] as const)(
    '%s on a follower throws NotLeaderError naming the known leader',
    (op) => {
      const h = new Harness(['a', 'b', 'c']);
      h.elect('a');
      const call = () => {
        const raw = h.raw('b');
        if (op === 'propose') raw.propose(bytes('x'));
        else if (op === 'proposeConfChange') raw.proposeConfChange({ type: 'addVoter', node: 'd' });
        else if (op === 'readIndex') raw.readIndex(bytes('r'));
        else raw.transferLeadership('c');
      };
      expect(call).toThrow(NotLeaderError);
      try {
        call();
      } catch (err) {
        expect(err).toMatchObject({ code: 'NOT_LEADER', leader: 'a' });
      }
    },
  );

  it('a node without a known leader names none', () => {
    const n = standalone('a', ['a', 'b', 'c']);
    expect(() => n.raw.propose(bytes('x'))).toThrow(
      expect.objectContaining({ code: 'NOT_LEADER', leader: '' }),
    );
  });
});

describe('flow control: batching and pipelining', () => {
  it.each([
    { maxSizePerMsg: 1, perMessage: 1 },
    { maxSizePerMsg: 6, perMessage: 2 },
    { maxSizePerMsg: 1024, perMessage: 10 },
  ])(
    'batching: maxSizePerMsg=$maxSizePerMsg puts at most $perMessage entries in a message',
    ({ maxSizePerMsg, perMessage }) => {
      const h = new Harness(['a', 'b', 'c'], { maxSizePerMsg, maxInflightMsgs: 100 });
      h.elect('a');
      const sizes: number[] = [];
      const orig = h.deliver.bind(h);
      h.deliver = (m) => {
        if (m.type === 'append' && m.to === 'b' && (m.entries?.length ?? 0) > 0)
          sizes.push(m.entries!.length);
        orig(m);
      };
      // b misses the proposals as they happen, then catches up in batches.
      h.drop = (m) => m.to === 'b';
      for (let i = 0; i < 10; i++) h.raw('a').propose(bytes('abc'));
      h.stabilize();
      h.heal();
      h.tick(5);
      expect(Math.max(...sizes)).toBe(perMessage);
      expect(h.appliedData('b')).toHaveLength(10);
    },
  );

  it.each([1, 3])(
    'pipelining: at most maxInflightMsgs=%i appends in flight to a replicating follower',
    (max) => {
      const n = standalone('a', ['a', 'b'], { maxInflightMsgs: max, maxSizePerMsg: 1, preVote: false });
      n.raw.campaign();
      n.drain();
      n.raw.step({ type: 'voteResp', from: 'b', to: 'a', term: 1 });
      n.drain();
      n.raw.step({ type: 'appendResp', from: 'b', to: 'a', term: 1, index: 1 });
      n.drain();
      for (let i = 0; i < 10; i++) n.raw.propose(bytes('x'));
      const sent = n.drain().filter((m) => m.type === 'append' && (m.entries?.length ?? 0) > 0);
      expect(sent).toHaveLength(max);
      // An acknowledgement frees a slot, and the next message follows.
      n.raw.step({ type: 'appendResp', from: 'b', to: 'a', term: 1, index: 2 });
      expect(n.drain().filter((m) => m.type === 'append' && (m.entries?.length ?? 0) > 0)).toHaveLength(1);
    },
  );

  it('probe state: a follower that rejected gets one append at a time until it answers', () => {
    const n = standalone('a', ['a', 'b'], { maxSizePerMsg: 1, preVote: false, terms: [1, 1, 1], term: 1 });
    n.raw.campaign();
    n.drain();
    n.raw.step({ type: 'voteResp', from: 'b', to: 'a', term: 2 });
    const first = n.drain().filter((m) => m.type === 'append');
    expect(first).toHaveLength(1);
    for (let i = 0; i < 5; i++) n.raw.propose(bytes('x'));
    expect(n.drain().filter((m) => m.type === 'append')).toHaveLength(0);
  });

  it('maxUncommittedBytes refuses proposals past the limit with ProposalDroppedError', () => {
    const h = new Harness(['a', 'b', 'c'], { maxUncommittedBytes: 10 });
    h.elect('a');
    h.isolate('a');
    h.raw('a').propose(bytes('12345'));
    h.raw('a').propose(bytes('12345'));
    expect(() => h.raw('a').propose(bytes('1'))).toThrow(
      expect.objectContaining({ code: 'PROPOSAL_DROPPED' }),
    );
  });
});
