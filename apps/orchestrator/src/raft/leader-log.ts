// The log line of a leadership change as this node sees it. Pure, so what is logged is tested.

export interface LogLine {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * `previous` and `leader` are raft ids ('' for none); `self` is this node's. Losing the leader is a
 * warning (nothing is decided until another is elected); any new leader is information.
 */
export function leaderChangeLine(previous: string, leader: string, term: number, self: string): LogLine {
  const fields = { event: 'leader-change', leader, previous, term };
  if (leader === '') return { level: 'warn', msg: 'raft leader lost; waiting for an election', fields };
  if (leader === self) return { level: 'info', msg: 'this node is now the raft leader', fields };
  return { level: 'info', msg: `raft leader is now ${leader}`, fields };
}
