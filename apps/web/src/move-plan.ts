// Dragging a replica onto a new master: what the drop means (pure, from the cluster's instances),
// and the plan shown before anything runs, combined from the daemon's answers to relocate-plan (the
// steps and method `relocate` would run) and can-replicate-from (the reference's CanReplicateFrom).
// The UI always runs `relocate`, the reference's smart move: it is exactly what relocate-plan
// previews, and it moves up or below a sibling by binlog coordinates when GTID is not in use.
import { hasMaster, type Instance, type InstanceKey, keyString, type RelocatePlan } from './model';

/** The shape of the move in the reference's vocabulary. */
export type MoveShape = 'move-up' | 'move-below' | 'relocate';

export type DropIntent =
  | {
      ok: true;
      instance: InstanceKey;
      /** Its master now. */
      from: InstanceKey;
      /** Its master after the move. */
      to: InstanceKey;
      shape: MoveShape;
      /** One line: what the move does, e.g. "move below its sibling h:2". */
      description: string;
    }
  | { ok: false; reason: string };

const same = (a: InstanceKey, b: InstanceKey) => a.Hostname === b.Hostname && a.Port === b.Port;

/** True when `candidate` replicates (directly or not) from `ancestor` among `instances`. */
export function isBelow(
  instances: readonly Instance[],
  candidate: InstanceKey,
  ancestor: InstanceKey,
): boolean {
  const byKey = new Map(instances.map((i) => [keyString(i.Key), i]));
  const seen = new Set<string>();
  let cur = byKey.get(keyString(candidate));
  while (cur && hasMaster(cur) && !seen.has(keyString(cur.Key))) {
    seen.add(keyString(cur.Key));
    if (same(cur.MasterKey, ancestor)) return true;
    cur = byKey.get(keyString(cur.MasterKey));
  }
  return false;
}

/** What dropping `dragged` onto `target` would mean; refusals that need no daemon are decided here. */
export function dropIntent(
  instances: readonly Instance[],
  dragged: InstanceKey,
  target: InstanceKey,
): DropIntent {
  const d = keyString(dragged);
  const t = keyString(target);
  const moved = instances.find((i) => same(i.Key, dragged));
  const onto = instances.find((i) => same(i.Key, target));
  if (!moved) return { ok: false, reason: `${d} is not in this cluster` };
  if (!onto) return { ok: false, reason: `${t} is not in this cluster` };
  if (same(dragged, target)) return { ok: false, reason: `${d} cannot replicate from itself` };
  if (!hasMaster(moved))
    return {
      ok: false,
      reason: `${d} is a master: it does not move below another instance (use Promote for a graceful takeover)`,
    };
  if (same(moved.MasterKey, target)) return { ok: false, reason: `${d} already replicates from ${t}` };
  if (isBelow(instances, target, dragged))
    return { ok: false, reason: `${t} replicates from ${d}: the move would make a replication cycle` };
  const from = moved.MasterKey;
  const master = instances.find((i) => same(i.Key, from));
  if (master && hasMaster(master) && same(master.MasterKey, target))
    return {
      ok: true,
      instance: dragged,
      from,
      to: target,
      shape: 'move-up',
      description: `move up: from ${keyString(from)} to its master ${t}`,
    };
  if (hasMaster(onto) && same(onto.MasterKey, from))
    return {
      ok: true,
      instance: dragged,
      from,
      to: target,
      shape: 'move-below',
      description: `move below its sibling ${t} (from ${keyString(from)})`,
    };
  return {
    ok: true,
    instance: dragged,
    from,
    to: target,
    shape: 'relocate',
    description: `relocate from ${keyString(from)} to ${t}`,
  };
}

/** The daemon's answer to one question: a value, or the reason it refused. */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: string };

export interface MovePlanSummary {
  /** The API route that runs when confirmed. */
  operation: 'relocate';
  shape: MoveShape;
  description: string;
  from: string;
  to: string;
  possible: boolean;
  method: string;
  steps: { Description: string; Instance: string }[];
  /** Why it is not possible (empty when it is). */
  reasons: string[];
  /** can-replicate-from's verdict, as shown. */
  canReplicate: string;
}

/** One plan from the drop and the daemon's two answers: possible only when both agree. */
export function summarizePlan(
  intent: Extract<DropIntent, { ok: true }>,
  relocate: Answer<RelocatePlan>,
  canReplicate: Answer<unknown>,
): MovePlanSummary {
  const reasons: string[] = [];
  if (!canReplicate.ok) reasons.push(`can-replicate-from: ${canReplicate.error}`);
  if (!relocate.ok) reasons.push(`relocate-plan: ${relocate.error}`);
  else if (!relocate.value.Possible) reasons.push(relocate.value.Reason || 'relocate is not possible');
  const plan = relocate.ok && relocate.value.Possible ? relocate.value : undefined;
  return {
    operation: 'relocate',
    shape: intent.shape,
    description: intent.description,
    from: keyString(intent.from),
    to: keyString(intent.to),
    possible: reasons.length === 0,
    method: plan?.Method ?? '',
    steps: plan?.Steps ?? [],
    reasons,
    canReplicate: canReplicate.ok
      ? `${keyString(intent.instance)} can replicate from ${keyString(intent.to)}`
      : canReplicate.error,
  };
}
