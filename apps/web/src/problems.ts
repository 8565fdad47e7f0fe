// Problems per cluster: the replication analysis (what the leader's analysis sees, e.g. DeadMaster)
// and each instance's own problems (the reference's Instance.Problems, e.g. not_replicating),
// grouped by cluster. Pure; the Problems page loads clusters-info, replication-analysis and all-instances.
import {
  type AnalysisEntry,
  type ClusterInfo,
  hasMaster,
  type Instance,
  isProblem,
  keyString,
  LAG_WARNING_SECONDS,
} from './model';

/**
 * An instance's problems with the reference's names (its ReadInstance): the list the API sent
 * when it has one (the daemon computes it on every read), otherwise derived here from the same
 * fields: a fallback for a daemon that sends an empty list.
 */
export function instanceProblems(i: Instance, reasonableLagSeconds = LAG_WARNING_SECONDS): string[] {
  const sent = (i.Problems ?? []).filter((p) => p !== '');
  if (sent.length > 0) return sent;
  const problems: string[] = [];
  if (!i.IsLastCheckValid) problems.push('last_check_invalid');
  else if (i.IsRecentlyChecked === false) problems.push('not_recently_checked');
  else if (hasMaster(i) && (!i.ReplicationIOThreadRuning || !i.ReplicationSQLThreadRuning))
    problems.push('not_replicating');
  else if (hasMaster(i) && i.ReplicationLagSeconds?.Valid) {
    const delay = typeof i.SQLDelay === 'number' ? i.SQLDelay : 0;
    if (Math.abs(i.ReplicationLagSeconds.Int64 - delay) > reasonableLagSeconds)
      problems.push('replication_lag');
  }
  if (typeof i.GtidErrant === 'string' && i.GtidErrant !== '') problems.push('errant_gtid');
  return problems;
}

export interface InstanceProblems {
  key: string;
  problems: string[];
  isDowntimed: boolean;
}

export interface ClusterProblems {
  cluster: string;
  alias: string;
  analysis: AnalysisEntry[];
  instances: InstanceProblems[];
  /** Analysis entries plus instance problems. */
  count: number;
}

/**
 * One entry per known cluster (and per cluster only the problems name), clusters with problems
 * first (most first), then by alias. Downtimed instances' problems are kept and marked.
 */
export function groupProblems(
  clusters: readonly ClusterInfo[],
  analysis: readonly AnalysisEntry[],
  instances: readonly Instance[],
): ClusterProblems[] {
  const groups = new Map<string, ClusterProblems>();
  const group = (cluster: string, alias?: string): ClusterProblems => {
    let g = groups.get(cluster);
    if (!g) {
      g = { cluster, alias: alias || cluster, analysis: [], instances: [], count: 0 };
      groups.set(cluster, g);
    }
    return g;
  };
  for (const c of clusters) group(c.ClusterName, c.ClusterAlias);
  for (const a of analysis) {
    if (!isProblem(a)) continue;
    const g = group(a.ClusterDetails?.ClusterName ?? '', a.ClusterDetails?.ClusterAlias);
    g.analysis.push(a);
    g.count++;
  }
  for (const i of instances) {
    const problems = instanceProblems(i);
    if (problems.length === 0) continue;
    const g = group(i.ClusterName ?? '');
    g.instances.push({ key: keyString(i.Key), problems: [...problems].sort(), isDowntimed: i.IsDowntimed });
    g.count += problems.length;
  }
  for (const g of groups.values()) {
    g.analysis.sort((a, b) =>
      compare(
        `${keyString(a.AnalyzedInstanceKey)} ${a.Analysis}`,
        `${keyString(b.AnalyzedInstanceKey)} ${b.Analysis}`,
      ),
    );
    g.instances.sort((a, b) => compare(a.key, b.key));
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || compare(a.alias, b.alias));
}

function compare(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
