// Which replicas of a semi-sync master should acknowledge (reference AnalyzeSemiSyncReplicaTopology):
// a pure function of the master's wait count and the replicas' priorities, promotion rules and
// current settings. LockedSemiSyncMaster enables enough replicas (RecoverLockedSemiSyncMaster) or
// exactly the wait count (EnforceExactSemiSyncReplicas), as does MasterWithTooManySemiSyncReplicas.
import { promotionRuleRank } from './candidates.js';
import type { InstanceKey, PromotionRule } from './types.js';

export interface SemiSyncReplica {
  key: InstanceKey;
  /** Reachable, with both replication threads running. */
  replicating: boolean;
  /** rpl_semi_sync_slave_enabled now. */
  enabled: boolean;
  /** Semi-sync priority: > 0 may acknowledge (DetectSemiSyncEnforcedQuery); 0 always asynchronous. */
  priority: number;
  rule: PromotionRule;
}

export interface SemiSyncAction {
  key: InstanceKey;
  enable: boolean;
}

export interface SemiSyncPlan {
  /** Enables first (in priority order), then disables: the master never waits for nobody. */
  actions: SemiSyncAction[];
  /** Replicas that may acknowledge, best first. */
  possible: InstanceKey[];
  /** Replicas that stay asynchronous (priority 0). */
  asynchronous: InstanceKey[];
  /** Replicas left alone: not replicating or unreachable. */
  excluded: InstanceKey[];
  /** True when no replica had a priority and every promotable replicating replica counted as priority 1. */
  defaultedPriorities: boolean;
}

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

/**
 * `exact`: the `waitCount` best replicas acknowledge and every other one is disabled; otherwise only
 * enough replicas to reach `waitCount` (counting `clients` already acknowledging) are enabled.
 *
 * Departure: the reference takes every priority from DetectSemiSyncEnforcedQuery, so without that
 * query every replica is asynchronous and nothing can be enabled. Here, when no replica has a
 * priority, every replicating replica that may be promoted (not must_not) counts as priority 1.
 */
export function planSemiSyncReplicas(input: {
  waitCount: number;
  clients: number;
  replicas: readonly SemiSyncReplica[];
  exact: boolean;
}): SemiSyncPlan {
  const defaulted = !input.replicas.some((r) => r.priority > 0);
  const priority = (r: SemiSyncReplica) => (defaulted ? (r.rule === 'must_not' ? 0 : 1) : r.priority);
  const excluded = input.replicas.filter((r) => !r.replicating);
  const live = input.replicas.filter((r) => r.replicating);
  const possible = live
    .filter((r) => priority(r) > 0)
    .sort(
      (a, b) =>
        priority(b) - priority(a) ||
        promotionRuleRank[a.rule] - promotionRuleRank[b.rule] ||
        keyOf(a.key).localeCompare(keyOf(b.key)),
    );
  const asynchronous = live.filter((r) => priority(r) === 0);
  const actions: SemiSyncAction[] = [];
  if (input.exact) {
    possible.forEach((r, i) => {
      const should = i < input.waitCount;
      if (should !== r.enabled) actions.push({ key: r.key, enable: should });
    });
    for (const r of asynchronous) if (r.enabled) actions.push({ key: r.key, enable: false });
  } else {
    let missing = input.waitCount - input.clients;
    for (const r of possible) {
      if (missing <= 0) break;
      if (!r.enabled) {
        actions.push({ key: r.key, enable: true });
        missing--;
      }
    }
  }
  actions.sort((a, b) => Number(b.enable) - Number(a.enable));
  return {
    actions,
    possible: possible.map((r) => r.key),
    asynchronous: asynchronous.map((r) => r.key),
    excluded: excluded.map((r) => r.key),
    defaultedPriorities: defaulted,
  };
}
