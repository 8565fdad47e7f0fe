// Candidate ordering and choice (reference §5.3): most advanced first, then the reference's
// tie-breakers; then the first replica that may be promoted under the promotion rules and filters.
import type { RecoveryConfig } from './config.js';
import { compareBinlogPositions } from './coordinates.js';
import { hostnameMatchesFilters } from './filters.js';
import {
  compareMariaDBGtid,
  compareOracleGtid,
  mariaDBGtidWeight,
  oracleGtidCount,
  type PositionComparison,
  parseMariaDBGtidPos,
  parseOracleGtidSet,
} from './gtid.js';
import type { CandidateRegistration, InstanceKey, InstanceView, PromotionRule } from './types.js';

export const promotionRuleRank: Readonly<Record<PromotionRule, number>> = {
  must: 0,
  prefer: 1,
  neutral: 2,
  prefer_not: 3,
  must_not: 4,
};

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

/**
 * The rule in force for an instance: a registration governs when one exists (expired after
 * CandidateInstanceExpireMinutes → neutral); otherwise the instance's own PromotionRule.
 */
export function effectivePromotionRule(
  instance: Pick<InstanceView, 'Key' | 'PromotionRule'>,
  registrations: readonly CandidateRegistration[],
  config: Pick<RecoveryConfig, 'CandidateInstanceExpireMinutes'>,
  now: number,
): PromotionRule {
  const reg = registrations.find((r) => keyOf(r.Key) === keyOf(instance.Key));
  if (!reg) return instance.PromotionRule ?? 'neutral';
  const age = now - Date.parse(reg.LastSuggestedTimestamp);
  return Number.isFinite(age) && age < config.CandidateInstanceExpireMinutes * 60_000
    ? reg.PromotionRule
    : 'neutral';
}

/** The position a replica applied from its master: MariaDB slave_pos (else current_pos). */
export function mariaDBAppliedPos(i: InstanceView): string {
  return i.MariaDBGtidSlavePos || i.MariaDBGtidCurrentPos;
}

function compareCoordinates(a: InstanceView, b: InstanceView): number {
  return compareBinlogPositions(a.ExecBinlogCoordinates, b.ExecBinlogCoordinates);
}

/** How far a is relative to b in the dead master's stream. */
export function comparePositions(a: InstanceView, b: InstanceView): PositionComparison {
  if (a.UsingMariaDBGTID && b.UsingMariaDBGTID && mariaDBAppliedPos(a) + mariaDBAppliedPos(b) !== '')
    return compareMariaDBGtid(
      parseMariaDBGtidPos(mariaDBAppliedPos(a)),
      parseMariaDBGtidPos(mariaDBAppliedPos(b)),
    );
  if (a.UsingOracleGTID && b.UsingOracleGTID && a.ExecutedGtidSet + b.ExecutedGtidSet !== '')
    return compareOracleGtid(parseOracleGtidSet(a.ExecutedGtidSet), parseOracleGtidSet(b.ExecutedGtidSet));
  const c = compareCoordinates(a, b);
  return c > 0 ? 'ahead' : c < 0 ? 'behind' : 'equal';
}

/** >0 when a is more advanced; diverged positions are ranked by total applied transactions. */
function advancement(a: InstanceView, b: InstanceView): number {
  const cmp = comparePositions(a, b);
  if (cmp === 'ahead') return 1;
  if (cmp === 'behind') return -1;
  if (cmp === 'equal') return 0;
  if (a.UsingMariaDBGTID && b.UsingMariaDBGTID) {
    const d =
      mariaDBGtidWeight(parseMariaDBGtidPos(mariaDBAppliedPos(a))) -
      mariaDBGtidWeight(parseMariaDBGtidPos(mariaDBAppliedPos(b)));
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  }
  const d =
    oracleGtidCount(parseOracleGtidSet(a.ExecutedGtidSet)) -
    oracleGtidCount(parseOracleGtidSet(b.ExecutedGtidSet));
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

export function majorVersion(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

function compareMajor(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

const binlogFormatRank = (f: string): number => ({ STATEMENT: 0, MIXED: 1, ROW: 2 })[f.toUpperCase()] ?? 3;

export interface SortContext {
  deadMaster?: Pick<InstanceView, 'DataCenter' | 'PhysicalEnvironment'> | null;
  rules: ReadonlyMap<string, PromotionRule>;
}

/**
 * Replicas best first: most advanced, then §5.3's tie-breakers (log_slave_updates, major version,
 * binlog format, semi-sync replica, data center, no errant GTID, promotion rule). Stable for equal
 * replicas.
 */
export function sortReplicasForPromotion(
  replicas: readonly InstanceView[],
  ctx: SortContext,
): InstanceView[] {
  const rule = (i: InstanceView) => ctx.rules.get(keyOf(i.Key)) ?? 'neutral';
  const dc = ctx.deadMaster?.DataCenter ?? '';
  return [...replicas].sort((a, b) => {
    const adv = advancement(b, a);
    if (adv !== 0) return adv;
    if (a.LogReplicationUpdatesEnabled !== b.LogReplicationUpdatesEnabled)
      return a.LogReplicationUpdatesEnabled ? -1 : 1;
    const mv = compareMajor(majorVersion(a.Version), majorVersion(b.Version));
    if (mv !== 0) return mv;
    const bf = binlogFormatRank(a.Binlog_format) - binlogFormatRank(b.Binlog_format);
    if (bf !== 0) return bf;
    // A semi-sync replica acknowledged every transaction the master committed: at an equal position
    // it is the safer successor (ours; the reference has no such tie-breaker).
    const sa = a.SemiSyncReplicaEnabled === true;
    const sb = b.SemiSyncReplicaEnabled === true;
    if (sa !== sb) return sa ? -1 : 1;
    if (dc !== '') {
      const sa = a.DataCenter === dc;
      const sb = b.DataCenter === dc;
      if (sa !== sb) return sa ? -1 : 1;
    }
    const ea = a.GtidErrant !== '';
    const eb = b.GtidErrant !== '';
    if (ea !== eb) return ea ? 1 : -1;
    return promotionRuleRank[rule(a)] - promotionRuleRank[rule(b)];
  });
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}

export type Ineligibility =
  | 'must_not'
  | 'PromotionIgnoreHostnameFilters'
  | 'invalid'
  | 'no log_bin'
  | 'no log_slave_updates'
  | 'newer major version'
  | 'newer binlog format'
  | 'cross data center'
  | 'cross region'
  | 'lag'
  | 'delayed';

export interface ChooseOptions {
  config: RecoveryConfig;
  rules: ReadonlyMap<string, PromotionRule>;
  deadMaster?: Pick<InstanceView, 'DataCenter' | 'Region' | 'PhysicalEnvironment'> | null;
  /** Operator-designated candidate: taken if it is not banned. */
  designated?: InstanceKey | null;
}

export interface CandidateChoice {
  /** The replica to promote, or null when none can be. */
  candidate: InstanceView | null;
  /** Why each rejected replica was rejected. */
  rejected: Map<string, Ineligibility[]>;
  /** True for an explicit choice or a prefer/must rule in the dead master's DC (reference "ideal"). */
  ideal: boolean;
}

/** Reasons `replica` may not be promoted. Hard reasons (ban, geography, lag) are never overridden. */
export function ineligibility(
  replica: InstanceView,
  all: readonly InstanceView[],
  opts: ChooseOptions,
): Ineligibility[] {
  const { config } = opts;
  const reasons: Ineligibility[] = [];
  const rule = opts.rules.get(keyOf(replica.Key)) ?? 'neutral';
  if (rule === 'must_not') reasons.push('must_not');
  if (hostnameMatchesFilters(config.PromotionIgnoreHostnameFilters, replica.Key.Hostname))
    reasons.push('PromotionIgnoreHostnameFilters');
  if (!replica.IsLastCheckValid) reasons.push('invalid');
  if (!replica.LogBinEnabled) reasons.push('no log_bin');
  if (!replica.LogReplicationUpdatesEnabled) reasons.push('no log_slave_updates');
  const commonMajor = mostCommon(all.map((i) => majorVersion(i.Version)));
  if (commonMajor && compareMajor(majorVersion(replica.Version), commonMajor) > 0)
    reasons.push('newer major version');
  const commonFormat = mostCommon(all.map((i) => i.Binlog_format));
  if (commonFormat && binlogFormatRank(replica.Binlog_format) > binlogFormatRank(commonFormat))
    reasons.push('newer binlog format');
  const dm = opts.deadMaster;
  if (config.PreventCrossDataCenterMasterFailover && dm && replica.DataCenter !== dm.DataCenter)
    reasons.push('cross data center');
  if (config.PreventCrossRegionMasterFailover && dm && replica.Region !== dm.Region)
    reasons.push('cross region');
  if (config.FailMasterPromotionOnLagMinutes > 0) {
    const lag = replica.ReplicationLagSeconds.Valid
      ? replica.ReplicationLagSeconds
      : replica.SecondsBehindMaster;
    if (lag.Valid && lag.Int64 >= config.FailMasterPromotionOnLagMinutes * 60) reasons.push('lag');
  }
  if (replica.SQLDelay > 0) reasons.push('delayed');
  return reasons;
}

const hardReasons: ReadonlySet<Ineligibility> = new Set([
  'must_not',
  'PromotionIgnoreHostnameFilters',
  'cross data center',
  'cross region',
  'lag',
]);

/**
 * chooseCandidateReplica: among replicas sorted best first, a designated replica if allowed; else the
 * best-ranked promotion rule among fully eligible replicas (prefer beats neutral beats prefer_not; the
 * chosen one is caught up from the most advanced replica before promotion, so no data is lost); if no
 * replica is fully eligible, the first one without a hard reason (version/format differences) is taken.
 */
export function chooseCandidateReplica(
  sorted: readonly InstanceView[],
  opts: ChooseOptions,
): CandidateChoice {
  const rejected = new Map<string, Ineligibility[]>();
  const reasonsOf = new Map<string, Ineligibility[]>();
  for (const r of sorted) reasonsOf.set(keyOf(r.Key), ineligibility(r, sorted, opts));
  const rule = (i: InstanceView) => opts.rules.get(keyOf(i.Key)) ?? 'neutral';
  const reasons = (i: InstanceView) => reasonsOf.get(keyOf(i.Key)) ?? [];
  for (const r of sorted) if (reasons(r).length > 0) rejected.set(keyOf(r.Key), reasons(r));

  if (opts.designated) {
    const d = sorted.find((r) => keyOf(r.Key) === keyOf(opts.designated as InstanceKey));
    if (d && !reasons(d).some((x) => hardReasons.has(x))) return { candidate: d, rejected, ideal: true };
    return { candidate: null, rejected, ideal: false };
  }
  const eligible = sorted.filter((r) => reasons(r).length === 0);
  let candidate: InstanceView | undefined;
  for (const r of eligible)
    if (!candidate || promotionRuleRank[rule(r)] < promotionRuleRank[rule(candidate)]) candidate = r;
  candidate ??= sorted.find((r) => !reasons(r).some((x) => hardReasons.has(x)));
  if (!candidate) return { candidate: null, rejected, ideal: false };
  const dc = opts.deadMaster?.DataCenter ?? '';
  const env = opts.deadMaster?.PhysicalEnvironment ?? '';
  const ideal =
    promotionRuleRank[rule(candidate)] <= promotionRuleRank.prefer &&
    candidate.DataCenter === dc &&
    candidate.PhysicalEnvironment === env;
  return { candidate, rejected, ideal };
}
