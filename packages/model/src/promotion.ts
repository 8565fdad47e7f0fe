// Promotion rules: the one list every package uses (the API's register-candidate, the FSM that
// applies it, the prober's DetectPromotionRuleQuery, the web UI) and the one expiry rule.
import type { PromotionRule } from './instance.js';

/**
 * The rules an operator or DetectPromotionRuleQuery may set. `must` is a PromotionRule value the
 * reference defines but refuses to register ("not supported yet"); so do we, everywhere.
 */
export const SETTABLE_PROMOTION_RULES = ['prefer', 'neutral', 'prefer_not', 'must_not'] as const;
export type SettablePromotionRule = (typeof SETTABLE_PROMOTION_RULES)[number];

export function isSettablePromotionRule(value: unknown): value is SettablePromotionRule {
  return (SETTABLE_PROMOTION_RULES as readonly unknown[]).includes(value);
}

/** Rules that make an instance a candidate (IsCandidate). */
export function isCandidateRule(rule: PromotionRule): boolean {
  return rule === 'must' || rule === 'prefer';
}

/**
 * When a registration made at `suggestedMs` expires (CandidateInstanceExpireMinutes later). The
 * proposer computes it once and the payload carries it, so every node stores the same expiry
 * whatever its own config says.
 */
export function candidateExpiry(suggestedMs: number, expireMinutes: number): number {
  return suggestedMs + expireMinutes * 60_000;
}
