// The API's shapes the UI reads (a subset of the reference's JSON) and pure helpers over them:
// the replication tree, an instance's state badges, formatting. No I/O here.

export interface InstanceKey {
  Hostname: string;
  Port: number;
}

export interface NullInt64 {
  Int64: number;
  Valid: boolean;
}

export interface Instance {
  Key: InstanceKey;
  MasterKey: InstanceKey;
  ClusterName: string;
  Version: string;
  ReadOnly: boolean;
  ReplicationSQLThreadRuning: boolean;
  ReplicationIOThreadRuning: boolean;
  SlaveIORunningText?: string;
  LastSQLError: string;
  LastIOError: string;
  SecondsBehindMaster: NullInt64;
  ReplicationLagSeconds: NullInt64;
  GTIDMode: string;
  UsingOracleGTID: boolean;
  UsingMariaDBGTID: boolean;
  IsLastCheckValid: boolean;
  IsUpToDate: boolean;
  IsDowntimed: boolean;
  DowntimeReason: string;
  DowntimeOwner: string;
  DowntimeEndTimestamp: string;
  PromotionRule: string;
  IsCoMaster: boolean;
  Problems: string[] | null;
  ReplicationDepth: number;
  LastSeenTimestamp: string;
  [field: string]: unknown;
}

export interface ClusterInfo {
  ClusterName: string;
  ClusterAlias: string;
  CountInstances: number;
  HasAutomatedMasterRecovery: boolean;
  HasAutomatedIntermediateMasterRecovery: boolean;
}

export interface AnalysisEntry {
  AnalyzedInstanceKey: InstanceKey;
  ClusterDetails: { ClusterName: string; ClusterAlias: string };
  Analysis: string;
  Description: string;
  IsDowntimed: boolean;
  CountReplicas: number;
}

export interface Recovery {
  Id: number;
  UID: string;
  AnalysisEntry: Partial<AnalysisEntry>;
  SuccessorKey: InstanceKey | null;
  IsActive: boolean;
  IsSuccessful: boolean;
  AllErrors: string[] | null;
  RecoveryStartTimestamp: string;
  RecoveryEndTimestamp: string;
  ProcessingNodeHostname: string;
  Acknowledged: boolean;
  AcknowledgedBy: string;
  AcknowledgedComment: string;
  AcknowledgedAt?: string;
  /** The failure detection that started it (audit-failure-detection/id/:id); 0 for manual ones. */
  LastDetectionId?: number;
  Type?: string;
}

export interface RecoveryStep {
  Id: number;
  AuditAt: string;
  Message: string;
}

export interface RaftMember {
  Address: string;
  IsLeader: boolean;
  MatchIndex: number;
  LastContactSeconds: number | null;
  Healthy: boolean;
}

export interface RaftMembers {
  Leader: string;
  State: string;
  Term?: number;
  CommitIndex?: number;
  AppliedIndex?: number;
  Members: RaftMember[];
}

export interface RaftStatus {
  RaftAdvertise: string;
  State: string;
  Healthy: boolean;
  IsPartOfQuorum: boolean;
  Leader: string;
  Peers: string[];
  Term?: number;
  CommitIndex?: number;
  AppliedIndex?: number;
}

export interface RelocatePlan {
  Possible: boolean;
  Method: string;
  Steps: { Description: string; Instance: string }[];
  Reason: string;
}

/** The rules register-candidate accepts: the one list, from the shared model. */
export { SETTABLE_PROMOTION_RULES as PROMOTION_RULES } from '@orchestrator/model';

/** Lag above this many seconds is shown as lagging (the reference's ReasonableReplicationLagSeconds). */
export const LAG_WARNING_SECONDS = 10;

export function keyString(key: InstanceKey): string {
  return `${key.Hostname}:${key.Port}`;
}

export function hasMaster(i: Pick<Instance, 'MasterKey'>): boolean {
  return i.MasterKey !== null && i.MasterKey !== undefined && i.MasterKey.Hostname !== '';
}

export interface TreeNode {
  instance: Instance;
  children: TreeNode[];
}

/**
 * The replication tree of a cluster's instances: roots are instances whose master is not among
 * them (the master, or replicas of an unknown/forgotten master); children sorted by key. Co-master
 * cycles are broken at the first instance met, so every instance appears exactly once.
 */
export function buildTree(instances: readonly Instance[]): TreeNode[] {
  const byKey = new Map(instances.map((i) => [keyString(i.Key), i]));
  const children = new Map<string, Instance[]>();
  for (const i of instances) {
    if (!hasMaster(i)) continue;
    const m = keyString(i.MasterKey);
    if (!byKey.has(m)) continue;
    const list = children.get(m) ?? [];
    list.push(i);
    children.set(m, list);
  }
  const seen = new Set<string>();
  const build = (i: Instance): TreeNode => {
    seen.add(keyString(i.Key));
    const kids = sortInstances(children.get(keyString(i.Key)) ?? []).filter(
      (c) => !seen.has(keyString(c.Key)),
    );
    return { instance: i, children: kids.map(build) };
  };
  const roots = sortInstances(instances.filter((i) => !hasMaster(i) || !byKey.has(keyString(i.MasterKey))));
  // Masters first (no master at all), then orphaned replicas.
  roots.sort((a, b) => Number(hasMaster(a)) - Number(hasMaster(b)));
  const trees = roots.map(build);
  // Whatever remains is a cycle (co-masters): start it at its smallest key.
  for (const i of sortInstances(instances)) {
    if (!seen.has(keyString(i.Key))) trees.push(build(i));
  }
  return trees;
}

function sortInstances(list: readonly Instance[]): Instance[] {
  return [...list].sort((a, b) =>
    a.Key.Hostname === b.Key.Hostname ? a.Key.Port - b.Key.Port : a.Key.Hostname < b.Key.Hostname ? -1 : 1,
  );
}

/** The cluster's master: the root of the largest tree that has no master of its own. */
export function clusterMaster(instances: readonly Instance[]): Instance | undefined {
  const trees = buildTree(instances).filter((t) => !hasMaster(t.instance));
  return trees.sort((a, b) => countNodes(b) - countNodes(a))[0]?.instance;
}

export function countNodes(t: TreeNode): number {
  return 1 + t.children.reduce((n, c) => n + countNodes(c), 0);
}

export type BadgeKind = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export interface Badge {
  label: string;
  kind: BadgeKind;
  /** Longer text (an error, a reason) shown under the badges. */
  detail?: string;
}

/** The state of one instance as badges, most important first. */
export function instanceBadges(i: Instance, inMaintenance = false): Badge[] {
  const badges: Badge[] = [];
  if (!i.IsLastCheckValid) badges.push({ label: 'unreachable', kind: 'bad' });
  if (hasMaster(i)) badges.push(replicationBadge(i));
  if (i.IsDowntimed) {
    badges.push({
      label: 'downtimed',
      kind: 'warn',
      detail: `downtimed${i.DowntimeOwner ? ` by ${i.DowntimeOwner}` : ''}${i.DowntimeReason ? `: ${i.DowntimeReason}` : ''}${i.DowntimeEndTimestamp ? ` (until ${i.DowntimeEndTimestamp})` : ''}`,
    });
  }
  if (inMaintenance) badges.push({ label: 'in maintenance', kind: 'warn' });
  // A master is expected writable and a replica read-only: the other way round is worth a colour.
  if (hasMaster(i))
    badges.push(i.ReadOnly ? { label: 'read_only', kind: 'muted' } : { label: 'writable', kind: 'warn' });
  else badges.push(i.ReadOnly ? { label: 'read_only', kind: 'warn' } : { label: 'writable', kind: 'ok' });
  const gtid = gtidLabel(i);
  if (gtid) badges.push({ label: gtid, kind: 'muted' });
  if (i.Version) badges.push({ label: i.Version, kind: 'muted' });
  if (i.PromotionRule && i.PromotionRule !== 'neutral') {
    badges.push({ label: `promotion: ${i.PromotionRule}`, kind: 'info' });
  }
  return badges;
}

function replicationBadge(i: Instance): Badge {
  const io = i.ReplicationIOThreadRuning;
  const sql = i.ReplicationSQLThreadRuning;
  if (!io || !sql) {
    const error = [i.LastIOError, i.LastSQLError].filter((e) => e).join('; ');
    const threads =
      !io && !sql ? 'IO and SQL threads stopped' : !io ? 'IO thread stopped' : 'SQL thread stopped';
    return { label: 'broken', kind: 'bad', detail: error || threads };
  }
  const lag = lagSeconds(i);
  if (lag === null) return { label: 'replicating (lag unknown)', kind: 'warn' };
  if (lag > LAG_WARNING_SECONDS) return { label: `lagging ${lag}s`, kind: 'warn' };
  return { label: `replicating, ${lag}s lag`, kind: 'ok' };
}

export function lagSeconds(i: Instance): number | null {
  const lag = i.ReplicationLagSeconds?.Valid ? i.ReplicationLagSeconds : i.SecondsBehindMaster;
  return lag?.Valid ? lag.Int64 : null;
}

export function gtidLabel(i: Instance): string {
  if (i.UsingMariaDBGTID) return 'MariaDB GTID';
  if (i.UsingOracleGTID) return 'GTID';
  if (i.GTIDMode && i.GTIDMode !== 'OFF') return `GTID ${i.GTIDMode}`;
  return '';
}

/** Analyses that are not problems. */
export function isProblem(a: Pick<AnalysisEntry, 'Analysis'>): boolean {
  return a.Analysis !== 'NoProblem' && a.Analysis !== '';
}

/** Problems per cluster name from replication-analysis entries. */
export function problemsByCluster(entries: readonly AnalysisEntry[]): Map<string, AnalysisEntry[]> {
  const map = new Map<string, AnalysisEntry[]>();
  for (const e of entries) {
    if (!isProblem(e)) continue;
    const name = e.ClusterDetails?.ClusterName ?? '';
    const list = map.get(name) ?? [];
    list.push(e);
    map.set(name, list);
  }
  return map;
}

/** "12s ago", "3m ago" from seconds. */
export function ago(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms ago`;
  if (seconds < 120) return `${Math.round(seconds)}s ago`;
  return `${Math.round(seconds / 60)}m ago`;
}

/** "host:port" → key; null when malformed. */
export function parseKey(text: string): InstanceKey | null {
  const m = /^\s*([^\s:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(text);
  if (!m?.[1] || !m[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { Hostname: m[1], Port: port };
}
