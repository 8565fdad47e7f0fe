// An instance's problems, as the reference's readInstanceRow names them: the first of
// last_check_invalid / not_recently_checked / not_replicating / replication_lag that applies,
// then errant_gtid. Pure: freshness (IsLastCheckValid, IsRecentlyChecked) is computed by whoever
// read the row, against its own clock and InstancePollSeconds.
import type { Instance } from './instance.js';

export type InstanceProblem =
  | 'last_check_invalid'
  | 'not_recently_checked'
  | 'not_replicating'
  | 'replication_lag'
  | 'errant_gtid';

export interface ProblemThresholds {
  /** ReasonableReplicationLagSeconds: lag beyond SQL_Delay above this is a problem. */
  ReasonableReplicationLagSeconds: number;
}

type ProblemFields = Pick<
  Instance,
  | 'IsLastCheckValid'
  | 'IsRecentlyChecked'
  | 'ReplicationSQLThreadState'
  | 'ReplicationIOThreadState'
  | 'ReplicationSQLThreadRuning'
  | 'ReplicationIOThreadRuning'
  | 'ReplicationLagSeconds'
  | 'SQLDelay'
  | 'GtidErrant'
>;

/** Both replication threads exist (SHOW SLAVE STATUS had a row): the instance is set up as a replica. */
function replicationThreadsExist(i: ProblemFields): boolean {
  return i.ReplicationSQLThreadState !== -1 && i.ReplicationIOThreadState !== -1;
}

export function instanceProblems(i: ProblemFields, thresholds: ProblemThresholds): InstanceProblem[] {
  const problems: InstanceProblem[] = [];
  if (!i.IsLastCheckValid) problems.push('last_check_invalid');
  else if (!i.IsRecentlyChecked) problems.push('not_recently_checked');
  else if (replicationThreadsExist(i) && !(i.ReplicationSQLThreadRuning && i.ReplicationIOThreadRuning))
    problems.push('not_replicating');
  else if (
    i.ReplicationLagSeconds.Valid &&
    Math.abs(i.ReplicationLagSeconds.Int64 - i.SQLDelay) > thresholds.ReasonableReplicationLagSeconds
  )
    problems.push('replication_lag');
  if (i.GtidErrant !== '') problems.push('errant_gtid');
  return problems;
}
