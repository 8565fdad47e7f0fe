// Tests of the features beyond the paper's Figure 2: leadership transfer (thesis §3.10), ReadIndex
// (thesis §6.4), non-member refusal, single-server membership changes (thesis §4.1–4.2), log
// compaction and InstallSnapshot (§7).
import { describe, expect, it } from 'vitest';
import { bytes, Harness, standalone } from '../sim/harness.js';
import type { Message, Snapshot } from '../types.js';
import { decodeConfChange, encodeConfChange } from './confchange.js';
import { ConfChangeInProgressError, ProposalDroppedError } from './errors.js';

describe('leadership transfer (thesis §3.10)', () => {
  it('§3.10 an up-to-date target receives TimeoutNow and wins the next term at once', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    const term = h.raw('a').status().term;
    h.raw('a').transferLeadership('b');
    h.stabilize();
    expect(h.leaders()).toEqual(['b']);
    expect(h.raw('b').status().term).toBe(term + 1);
    expect(h.get('a').events).toContainEqual({ type: 'stepDown', reason: 'transfer', term: term + 1 });
  });

  it('§3.10 a lagging target is caught up first; proposals are dropped meanwhile', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.drop = (m) => m.to === 'c';
    for (let i = 0; i < 5; i++) h.raw('a').propose(bytes(`v${i}`));
    h.stabilize();
    h.raw('a').transferLeadership('c');
    expect(() => h.raw('a').propose(bytes('late'))).toThrow(ProposalDroppedError);
    h.heal();
    h.tick(3);
    expect(h.leaders()).toEqual(['c']);
    expect(h.appliedData('c')).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('§3.10 a transfer to an unreachable target is aborted after an election timeout', () => {
    const h = new Harness(['a', 'b', 'c'], { electionTicks: 10 });
    h.elect('a');
    h.drop = (m) => m.to === 'c' || m.from === 'c';
    h.raw('a').propose(bytes('x'));
    h.stabilize();
    h.raw('a').transferLeadership('c');
    expect(() => h.raw('a').propose(bytes('y'))).toThrow(ProposalDroppedError);
    h.tick(10, ['a', 'b']);
    expect(h.leaders()).toEqual(['a']);
    expect(() => h.raw('a').propose(bytes('z'))).not.toThrow();
  });
});

describe('ReadIndex (thesis §6.4)', () => {
  it('§6.4 safe: the read is answered after a heartbeat round confirms leadership', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.raw('a').propose(bytes('x'));
    h.stabilize();
    const commit = h.raw('a').status().commit;
    h.drop = (m) => m.type === 'heartbeatResp';
    h.raw('a').readIndex(bytes('r1'));
    h.stabilize();
    expect(h.get('a').readStates).toEqual([]);
    h.heal();
    h.tick(1);
    expect(h.get('a').readStates).toEqual([{ index: commit, context: bytes('r1') }]);
  });

  it('§6.4 a leader cut off from its followers never answers a safe read', () => {
    const h = new Harness(['a', 'b', 'c'], { checkQuorum: false });
    h.elect('a');
    h.isolate('a');
    h.raw('a').readIndex(bytes('r'));
    h.tick(30, ['a']);
    expect(h.get('a').readStates).toEqual([]);
  });

  it('§6.4 lease: with readOnlyOption=lease the leader answers without a heartbeat round', () => {
    const h = new Harness(['a', 'b', 'c'], { readOnlyOption: 'lease' });
    h.elect('a');
    h.isolate('a');
    h.raw('a').readIndex(bytes('r'));
    h.stabilize();
    expect(h.get('a').readStates).toHaveLength(1);
  });

  it('§6.4 a read waits until the new leader has committed an entry of its term', () => {
    const n = standalone('a', ['a', 'b', 'c'], { preVote: false });
    n.raw.campaign();
    n.drain();
    n.raw.step({ type: 'voteResp', from: 'b', to: 'a', term: 1 });
    n.drain();
    n.raw.readIndex(bytes('r'));
    expect(n.drain().filter((m) => m.type === 'heartbeat')).toHaveLength(0);
    n.raw.step({ type: 'appendResp', from: 'b', to: 'a', term: 1, index: 1 });
    const hb = n.drain().filter((m) => m.type === 'heartbeat');
    expect(hb.length).toBeGreaterThan(0);
    n.raw.step({ type: 'heartbeatResp', from: 'b', to: 'a', term: 1, context: bytes('r') });
    expect(n.raw.ready().readStates).toEqual([{ index: 1, context: bytes('r') }]);
  });
});

describe('non-member refusal', () => {
  it.each(['vote', 'preVote', 'voteResp', 'preVoteResp', 'heartbeatResp', 'appendResp'] as const)(
    'a %s from a node outside the membership is refused and cannot change our term',
    (type) => {
      const n = standalone('a', ['a', 'b', 'c'], { term: 2 });
      n.drain();
      const m: Message = { type, from: 'x', to: 'a', term: 7, index: 0, logTerm: 0, reject: true };
      n.raw.step(m);
      expect(n.drain()).toEqual([]);
      expect(n.raw.status().term).toBe(2);
      expect(n.stable.hardState().term).toBe(2);
      expect(n.events).toContainEqual({ type: 'refusedNonMember', from: 'x', messageType: type, term: 7 });
    },
  );

  it('a node that is not a member never wins an election against a cluster', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.add('x', ['a', 'b', 'c', 'x']);
    h.tick(80);
    expect(h.leaders()).toEqual(['a']);
    expect(h.get('a').events.some((e) => e.type === 'refusedNonMember' && e.from === 'x')).toBe(true);
  });
});

describe('membership changes (thesis §4.1)', () => {
  it('encodes and decodes a ConfChange', () => {
    const c = { type: 'addVoter' as const, node: 'host:1' };
    expect(decodeConfChange(encodeConfChange(c))).toEqual(c);
    expect(() => decodeConfChange(bytes('{"type":"x"}'))).toThrow(TypeError);
  });

  it('§4.1 a change takes effect when appended, and only one may be pending', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.drop = () => true;
    // A new server joins as a learner; the leader promotes it once its log has caught up.
    h.raw('a').proposeConfChange({ type: 'addVoter', node: 'd' });
    expect(h.raw('a').status()).toMatchObject({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(() => h.raw('a').proposeConfChange({ type: 'addVoter', node: 'e' })).toThrow(
      ConfChangeInProgressError,
    );
    h.heal();
    h.add('d', ['a', 'b', 'c', 'd']);
    h.tick(3);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(h.raw(id).status()).toMatchObject({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    }
    expect(() => h.raw('a').proposeConfChange({ type: 'addVoter', node: 'e' })).not.toThrow();
  });

  it('§4.1 a new leader proposes no change before committing an entry of its term', () => {
    const n = standalone('a', ['a', 'b', 'c'], { preVote: false });
    n.raw.campaign();
    n.drain();
    n.raw.step({ type: 'voteResp', from: 'b', to: 'a', term: 1 });
    n.drain();
    expect(() => n.raw.proposeConfChange({ type: 'removeServer', node: 'c' })).toThrow(
      ConfChangeInProgressError,
    );
  });

  it('§4.2.2 a leader that removes itself steps down once the removal commits', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.raw('a').proposeConfChange({ type: 'removeServer', node: 'a' });
    h.stabilize();
    expect(h.raw('a').status().role).toBe('follower');
    expect(h.get('a').events).toContainEqual(
      expect.objectContaining({ type: 'stepDown', reason: 'removed' }),
    );
    h.tick(40);
    expect(h.leaders()).toHaveLength(1);
    expect(h.leaders()[0]).not.toBe('a');
    expect(h.raw('b').status().voters).toEqual(['b', 'c']);
  });

  it('§4.1 a change undone by log repair reverts the membership', () => {
    const n = standalone('a', ['a', 'b', 'c'], { term: 1 });
    const conf = encodeConfChange({ type: 'addVoter', node: 'd' }, ['a', 'b', 'c', 'd']);
    const append = (entries: Message['entries']): Message => ({
      type: 'append',
      from: 'b',
      to: 'a',
      term: 2,
      index: 0,
      logTerm: 0,
      entries,
      commit: 0,
    });
    n.raw.step(append([{ index: 1, term: 1, kind: 'conf', data: conf }]));
    n.drain();
    expect(n.raw.status().voters).toEqual(['a', 'b', 'c', 'd']);
    n.raw.step(append([{ index: 1, term: 2, kind: 'normal', data: bytes('x') }]));
    n.drain();
    expect(n.raw.status().voters).toEqual(['a', 'b', 'c']);
  });

  it('§4.1 membership survives a restart (from conf entries in the log)', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.raw('a').proposeConfChange({ type: 'removeServer', node: 'c' });
    h.stabilize();
    // Restarted with the original bootstrap list, b still knows c was removed.
    h.restart('b', ['a', 'b', 'c']);
    expect(h.raw('b').status().voters).toEqual(['a', 'b']);
  });
});

describe('log compaction and InstallSnapshot (§7)', () => {
  function clusterWithSnapshot(trailing: number) {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.drop = (m) => m.to === 'c' || m.from === 'c';
    for (let i = 0; i < 10; i++) h.raw('a').propose(bytes(`v${i}`));
    h.stabilize();
    const a = h.get('a');
    const applied = a.applied.at(-1)!;
    const snap: Snapshot = {
      meta: { index: applied.index, term: applied.term, conf: h.raw('a').confState(applied.index) },
      data: bytes(JSON.stringify(h.appliedData('a'))),
    };
    a.snapshot = snap;
    const point = h.raw('a').compactionPoint(snap.meta, trailing);
    if (point) {
      a.log.compact(point);
      h.raw('a').compacted(point.index);
    }
    return { h, snap };
  }

  it.each([
    { trailing: 0, first: 12 },
    { trailing: 3, first: 9 },
  ])(
    '§7 compact(meta, trailing=$trailing) keeps the trailing entries (first index $first)',
    ({ trailing, first }) => {
      const { h, snap } = clusterWithSnapshot(trailing);
      const log = h.get('a').log;
      expect(snap.meta.index).toBe(11);
      expect(log.firstIndex()).toBe(first);
      expect(log.compactedMeta().conf.voters).toEqual(['a', 'b', 'c']);
      expect(log.term(first - 1)).toBe(snap.meta.term);
    },
  );

  it('§7 a follower behind the compacted log receives InstallSnapshot, then the entries after it', () => {
    const { h, snap } = clusterWithSnapshot(0);
    h.heal();
    h.raw('a').propose(bytes('after'));
    h.tick(5);
    const c = h.get('c');
    expect(c.snapshot).toEqual(snap);
    expect(c.log.compactedMeta().index).toBe(11);
    // c applied the first no-op before it was cut off, then the snapshot, then entry 12.
    expect(c.applied.map((e) => e.index)).toEqual([1, 12]);
    expect(h.appliedData('c')).toEqual(['after']);
    expect(h.raw('c').status()).toMatchObject({ commit: 12, applied: 12, voters: ['a', 'b', 'c'] });
  });

  it('§7 without a snapshotSource the leader keeps probing and sends no snapshot', () => {
    const { h } = clusterWithSnapshot(0);
    h.get('a').snapshot = undefined;
    h.heal();
    const sent: string[] = [];
    const orig = h.deliver.bind(h);
    h.deliver = (m) => {
      sent.push(m.type);
      orig(m);
    };
    h.tick(5);
    expect(sent).not.toContain('snapshot');
    expect(sent).toContain('append');
    expect(h.raw('c').status().commit).toBe(1);
  });

  it('§7 rule 6: a snapshot whose last entry the follower holds keeps the entries after it', () => {
    const n = standalone('a', ['a', 'b', 'c'], { terms: [1, 1, 1, 1], term: 1 });
    n.raw.step({
      type: 'snapshot',
      from: 'b',
      to: 'a',
      term: 1,
      snapshot: { meta: { index: 2, term: 1, conf: { voters: ['a', 'b', 'c'] } }, data: bytes('s') },
    });
    const rd = n.raw.ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.hardState?.commit).toBe(2);
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'appendResp', index: 4 })]);
  });

  it('§7 membership is recovered from the snapshot meta after a restart', () => {
    const { h, snap } = clusterWithSnapshot(0);
    h.heal();
    h.tick(5);
    expect(h.get('c').log.compactedMeta()).toEqual(snap.meta);
    h.restart('c', ['c', 'z']);
    expect(h.raw('c').status().voters).toEqual(['a', 'b', 'c']);
  });
});

describe('reconnection', () => {
  it('a leader told that a peer reconnected sends that peer a heartbeat at once; a follower sends nothing', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.elect('a');
    h.stabilize();
    h.raw('a').reportReconnected('c');
    h.raw('b').reportReconnected('c');
    h.processReady();
    const sent = h.queue.map((m) => ({ type: m.type, from: m.from, to: m.to }));
    expect(sent).toEqual([{ type: 'heartbeat', from: 'a', to: 'c' }]);
    h.raw('a').reportReconnected('unknown');
    h.processReady();
    expect(h.queue).toHaveLength(1);
  });
});
