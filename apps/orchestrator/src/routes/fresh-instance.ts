// A re-probed instance as routes answer it: the probe's fresh replication state, with the operator
// metadata (downtime, promotion rule, alias) that lives in the backend, replicated through raft.
import type { Instance } from '@orchestrator/store';

const OPERATOR_FIELDS = [
  'IsDowntimed',
  'DowntimeReason',
  'DowntimeOwner',
  'DowntimeEndTimestamp',
  'IsCandidate',
  'PromotionRule',
  'SuggestedClusterAlias',
] as const;

/** `probed` over `stored`, keeping the stored operator fields. */
export function freshInstance(probed: Instance, stored: Instance): Instance {
  const operator = Object.fromEntries(OPERATOR_FIELDS.map((f) => [f, stored[f]]));
  return { ...stored, ...probed, ...operator };
}
