import { describe, expect, it } from 'vitest';
import { checkMembershipChange, quorumOf, refusalMessage } from './reconfiguration.js';

const ABC = ['a:1', 'b:1', 'c:1'];

describe('checkMembershipChange', () => {
  it('quorum is a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(quorumOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it.each([
    // [what, reachable voters now, change, safe]
    [
      'adding a reachable voter to a healthy cluster',
      ABC,
      { type: 'add', node: 'd:1', nodeReachable: true },
      true,
    ],
    ['adding an unreachable voter to a healthy cluster (3 of 4)', ABC, { type: 'add', node: 'd:1' }, true],
    [
      'adding an unreachable voter while one node is down',
      ['a:1', 'b:1'],
      { type: 'add', node: 'd:1' },
      false,
    ],
    [
      'adding a reachable voter while one node is down',
      ['a:1', 'b:1'],
      { type: 'add', node: 'd:1', nodeReachable: true },
      true,
    ],
    ['removing the down voter', ['a:1', 'b:1'], { type: 'remove', node: 'c:1' }, true],
    [
      'removing a healthy voter while another is down',
      ['a:1', 'b:1'],
      { type: 'remove', node: 'b:1' },
      false,
    ],
    ['removing a healthy voter from a healthy cluster', ABC, { type: 'remove', node: 'c:1' }, true],
  ] as const)('%s → safe=%s', (_what, reachable, change, safe) => {
    expect(checkMembershipChange({ voters: ABC, reachable }, change).Safe).toBe(safe);
  });

  it('says why, naming the unreachable voters and the way out', () => {
    const check = checkMembershipChange(
      { voters: ABC, reachable: ['a:1', 'b:1'] },
      { type: 'add', node: 'd:1' },
    );
    expect(check).toEqual({
      Voters: ['a:1', 'b:1', 'c:1', 'd:1'],
      ReachableVoters: ['a:1', 'b:1'],
      UnreachableVoters: ['c:1', 'd:1'],
      Quorum: 3,
      Safe: false,
    });
    expect(refusalMessage('raft-add-peer', 'd:1', check)).toBe(
      'raft-add-peer d:1 refused: the membership would have 4 voters, which need 3 for a quorum, but ' +
        'only 2 are reachable (not reachable: c:1, d:1). Bring the missing voters back first, or add ' +
        '?force in an emergency (the cluster may then stop committing until enough voters are reachable).',
    );
  });

  it('removing the last voter is never safe', () => {
    expect(
      checkMembershipChange({ voters: ['a:1'], reachable: ['a:1'] }, { type: 'remove', node: 'a:1' }).Safe,
    ).toBe(false);
  });
});
