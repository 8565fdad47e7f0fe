import { describe, expect, it } from 'vitest';
import { leaderChangeLine } from './leader-log.js';

describe('leaderChangeLine', () => {
  it('warns when the leader is lost, naming the one that was', () => {
    expect(leaderChangeLine('a:1', '', 7, 'b:1')).toEqual({
      level: 'warn',
      msg: 'raft leader lost; waiting for an election',
      fields: { event: 'leader-change', leader: '', previous: 'a:1', term: 7 },
    });
  });

  it('tells this node apart from another new leader', () => {
    expect(leaderChangeLine('', 'b:1', 8, 'b:1')).toMatchObject({
      level: 'info',
      msg: 'this node is now the raft leader',
    });
    expect(leaderChangeLine('b:1', 'c:1', 9, 'a:1')).toMatchObject({
      level: 'info',
      msg: 'raft leader is now c:1',
      fields: { leader: 'c:1', previous: 'b:1', term: 9 },
    });
  });
});
