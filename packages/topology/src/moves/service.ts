// Moves as the daemon (and the tests) run them: read the cluster's view, re-read the instances the
// move touches straight from MySQL, plan on that fresh view, then execute. A refusal changes nothing.
import { liveView, type MySQLOperations, pseudoGtidConfigured } from '@orchestrator/recovery';
import { MoveRefusedError } from './errors.js';
import { type ExecutorOptions, type GroupOutcome, MoveExecutor } from './executor.js';
import { planGroupMove } from './group-planner.js';
import { planSingleMove } from './planner.js';
import { isReplica, keyString, sameKey, View } from './rules.js';
import { describeStep } from './steps.js';
import type {
  GroupMoveKind,
  GroupPlan,
  InstanceKey,
  MoveInstance,
  MovePlan,
  MoveRefusal,
  MoveRequest,
  PlannerOptions,
} from './types.js';

/** Where the planner's view comes from (the daemon: its backend and discovery loop). */
export interface MoveReads {
  /** Every known instance of the clusters `keys` belong to (unknown keys are simply absent). */
  around(keys: readonly InstanceKey[]): Promise<MoveInstance[]>;
}

export interface TopologyMovesOptions extends ExecutorOptions {
  reads: MoveReads;
}

export type AnyPlan = MovePlan | GroupPlan;

export interface MoveOutcome {
  plan: AnyPlan;
  /** The replicas that moved (a single move: the one replica, unless the plan had no steps). */
  moved: InstanceKey[];
  failed: GroupOutcome['failed'];
}

const GROUP_KINDS: ReadonlySet<string> = new Set<GroupMoveKind>([
  'relocate-replicas',
  'move-up-replicas',
  'move-replicas-gtid',
  'match-replicas',
  'match-up-replicas',
  'repoint-replicas',
  'take-siblings',
  'regroup-replicas',
  'regroup-replicas-gtid',
  'regroup-replicas-pgtid',
]);

export const isGroupKind = (kind: string): kind is GroupMoveKind => GROUP_KINDS.has(kind);

/** Plans any request on a view. Pure. */
export function planMove(
  instances: readonly MoveInstance[],
  req: MoveRequest,
  opts: PlannerOptions,
): AnyPlan | MoveRefusal {
  if (isGroupKind(req.kind)) return planGroupMove(instances, { ...req, kind: req.kind }, opts);
  return planSingleMove(instances, { ...req, kind: req.kind }, opts);
}

/** The steps of a plan, flattened, for display. */
export function planSteps(plan: AnyPlan): { Description: string; Instance: string }[] {
  const moves = 'moves' in plan ? plan.moves : [plan];
  return moves.flatMap((m) =>
    m.steps.map((s) => ({ Description: describeStep(s), Instance: keyString(s.instance) })),
  );
}

/** An instance overlaid with what MySQL says right now; unreachable → last check invalid. */
export async function liveInstance(mysql: MySQLOperations, base: MoveInstance): Promise<MoveInstance> {
  try {
    const state = await mysql.readState(base.Key);
    const own = state.logBin ? await mysql.binlogCoordinates(base.Key) : null;
    return {
      ...liveView(state, base),
      SelfBinlogCoordinates: own ? { ...own, Type: 'BinaryLog' } : base.SelfBinlogCoordinates,
      InMaintenance: base.InMaintenance,
    };
  } catch {
    return { ...base, IsLastCheckValid: false };
  }
}

/**
 * SHOW SLAVE STATUS names a master as the replica was told (an IP, a short name) while the view
 * may know it under its resolved name: when the live master is not a known key but the stored one
 * is the same server port, keep the stored name.
 */
function sameNames(stored: readonly MoveInstance[], live: MoveInstance[]): MoveInstance[] {
  const known = new Set(stored.map((i) => keyString(i.Key)));
  return live.map((i, n) => {
    const before = stored[n]?.MasterKey;
    if (!isReplica(i) || known.has(keyString(i.MasterKey)) || !before) return i;
    return known.has(keyString(before)) && before.Port === i.MasterKey.Port ? { ...i, MasterKey: before } : i;
  });
}

export class TopologyMoves {
  readonly executor: MoveExecutor;

  constructor(private readonly opts: TopologyMovesOptions) {
    this.executor = new MoveExecutor(opts);
  }

  private get plannerOptions(): PlannerOptions {
    return {
      ReasonableMaintenanceReplicationLagSeconds: this.opts.ReasonableMaintenanceReplicationLagSeconds,
      pseudoGtid: this.opts.pseudoGtid !== undefined && pseudoGtidConfigured(this.opts.pseudoGtid),
    };
  }

  /** Plans on the stored view, re-reads every instance the move touches from MySQL, plans again. */
  async plan(req: MoveRequest): Promise<AnyPlan | MoveRefusal> {
    const asked = req.target ? [req.instance, req.target] : [req.instance];
    const stored = await this.opts.reads.around(asked);
    const first = planMove(stored, req, this.plannerOptions);
    const touched = this.touched(stored, req, first);
    const live = await Promise.all(
      stored.map((i) => (touched.has(keyString(i.Key)) ? liveInstance(this.opts.mysql, i) : i)),
    );
    return planMove(sameNames(stored, live), req, this.plannerOptions);
  }

  /** Plans and runs a move; throws MoveRefusedError (nothing changed) or a MoveError. */
  async move(req: MoveRequest): Promise<MoveOutcome> {
    const plan = await this.plan(req);
    if (!plan.possible) throw new MoveRefusedError(plan.code, plan.reason);
    if ('moves' in plan) {
      const outcome = await this.executor.runGroup(plan);
      return { plan, ...outcome };
    }
    await this.executor.run(plan);
    return { plan, moved: plan.steps.length > 0 ? [plan.instance] : [], failed: [] };
  }

  /** The instances to re-read live: the request's, their masters, the plan's and the replicas a group move takes. */
  private touched(
    stored: readonly MoveInstance[],
    req: MoveRequest,
    first: AnyPlan | MoveRefusal,
  ): Set<string> {
    const view = new View(stored);
    const keys: InstanceKey[] = [req.instance];
    if (req.target) keys.push(req.target);
    const moved = view.find(req.instance);
    const master = moved && isReplica(moved) ? view.find(moved.MasterKey) : undefined;
    if (master) {
      keys.push(master.Key);
      if (isReplica(master)) keys.push(master.MasterKey);
    }
    if (isGroupKind(req.kind)) {
      keys.push(...view.replicasOf(req.instance).map((i) => i.Key));
      if (req.kind === 'take-siblings' && master) keys.push(...view.replicasOf(master.Key).map((i) => i.Key));
    }
    if (first.possible) {
      const moves = 'moves' in first ? first.moves : [first];
      for (const m of moves) keys.push(...m.involved);
    }
    return new Set(keys.filter((key) => !sameKey(key, { Hostname: '', Port: 0 })).map(keyString));
  }
}
