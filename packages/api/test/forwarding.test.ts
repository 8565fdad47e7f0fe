import { describe, expect, it } from 'vitest';
import { decideForwarding, type ForwardingState } from '../src/forwarding.js';

const follower: ForwardingState = {
  raftEnabled: true,
  isLeader: false,
  leaderURI: 'http://leader:3000/',
  alreadyForwarded: false,
  raftState: 'Follower',
};
const o = { ownURL: 'http://me:3000', noLeaderReads: 'unavailable' as const };
const read = { kind: 'proxied' as const, cacheable: true };
const write = { kind: 'write' as const };

describe('decideForwarding', () => {
  it('the leader, a local route and raft off answer here', () => {
    expect(decideForwarding(write, { ...follower, isLeader: true }, o)).toEqual({ action: 'local' });
    expect(decideForwarding({ kind: 'local' }, follower, o)).toEqual({ action: 'local' });
    expect(decideForwarding(write, { ...follower, raftEnabled: false }, o)).toEqual({ action: 'local' });
  });

  it('a follower forwards reads (idempotent, quick when cacheable) and writes (never resent)', () => {
    expect(decideForwarding(read, follower, o)).toEqual({
      action: 'forward',
      leaderURI: 'http://leader:3000',
      quickRead: true,
      idempotent: true,
    });
    expect(decideForwarding(write, follower, o)).toMatchObject({
      action: 'forward',
      quickRead: false,
      idempotent: false,
    });
  });

  it('a route declares its own idempotence', () => {
    expect(decideForwarding({ kind: 'write', idempotent: true }, follower, o)).toMatchObject({
      idempotent: true,
    });
    expect(decideForwarding({ kind: 'proxied', idempotent: false }, follower, o)).toMatchObject({
      idempotent: false,
    });
  });

  it('no leader known: reads refused with 503 (or local when configured), writes refused', () => {
    const none = { ...follower, leaderURI: '' };
    const refused = decideForwarding(read, none, o);
    expect(refused.action).toBe('refuse');
    if (refused.action === 'refuse') expect(refused.error.status).toBe(503);
    expect(decideForwarding(read, none, { ...o, noLeaderReads: 'local' })).toEqual({ action: 'local' });
    expect(decideForwarding(write, none, { ...o, noLeaderReads: 'local' }).action).toBe('refuse');
  });

  it('forwarded once already, or a stale LeaderURI naming this node: reads here, writes Unauthorized', () => {
    for (const state of [
      { ...follower, alreadyForwarded: true },
      { ...follower, leaderURI: 'http://me:3000' },
    ]) {
      expect(decideForwarding(read, state, o)).toEqual({ action: 'local' });
      const w = decideForwarding(write, state, o);
      expect(w.action).toBe('refuse');
      if (w.action === 'refuse') expect(w.error.message).toBe('Unauthorized');
    }
  });
});
