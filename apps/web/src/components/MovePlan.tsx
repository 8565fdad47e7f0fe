// The plan of a replica move, asked of the daemon when a drop (or a choice) names the new master:
// relocate-plan (steps, method) and can-replicate-from, combined by summarizePlan. Nothing changes
// until the operator confirms; the confirmed action is `relocate`, which is what the plan previews.
import { useEffect, useState } from 'react';
import { act, get, path } from '../api';
import type { Instance, InstanceKey, RelocatePlan } from '../model';
import { type Answer, type DropIntent, dropIntent, type MovePlanSummary, summarizePlan } from '../move-plan';

const k = (key: InstanceKey) => [key.Hostname, key.Port] as const;

async function answer<T>(load: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export async function loadMovePlan(intent: Extract<DropIntent, { ok: true }>): Promise<MovePlanSummary> {
  const [relocate, canReplicate] = await Promise.all([
    answer(() => get<RelocatePlan>(path('relocate-plan', ...k(intent.instance), ...k(intent.to)))),
    // The reference answers Message "true"/"false" (ours refuses with the reason instead).
    answer(async () => {
      const r = await act(path('can-replicate-from', ...k(intent.instance), ...k(intent.to)));
      if (r.message === 'false') throw new Error('false');
      return r.details;
    }),
  ]);
  return summarizePlan(intent, relocate, canReplicate);
}

export interface PlanState {
  intent: DropIntent | undefined;
  plan: MovePlanSummary | undefined;
  loading: boolean;
}

/** The plan for moving `moved` below `target` (both keys, or undefined while none is chosen). */
export function useMovePlan(
  cluster: readonly Instance[],
  moved: InstanceKey | undefined,
  target: InstanceKey | undefined,
): PlanState {
  const [state, setState] = useState<PlanState>({ intent: undefined, plan: undefined, loading: false });
  const movedKey = moved ? `${moved.Hostname}:${moved.Port}` : '';
  const targetKey = target ? `${target.Hostname}:${target.Port}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: the keys name the move; the cluster is read when they change
  useEffect(() => {
    if (!moved || !target) {
      setState({ intent: undefined, plan: undefined, loading: false });
      return;
    }
    const intent = dropIntent(cluster, moved, target);
    if (!intent.ok) {
      setState({ intent, plan: undefined, loading: false });
      return;
    }
    let stale = false;
    setState({ intent, plan: undefined, loading: true });
    void loadMovePlan(intent).then((plan) => {
      if (!stale) setState({ intent, plan, loading: false });
    });
    return () => {
      stale = true;
    };
  }, [movedKey, targetKey]);
  return state;
}

export function MovePlanView({ state }: { state: PlanState }) {
  const { intent, plan, loading } = state;
  if (!intent) return null;
  if (!intent.ok)
    return (
      <div className="plan" data-testid="plan">
        <p className="error">Not possible: {intent.reason}</p>
      </div>
    );
  return (
    <div className="plan" data-testid="plan">
      <dl className="facts plan-facts">
        <div>
          <dt>Operation</dt>
          <dd data-testid="plan-operation">
            relocate <span className="muted">({intent.description})</span>
          </dd>
        </div>
        <div>
          <dt>From master</dt>
          <dd className="mono" data-testid="plan-from">
            {plan?.from ?? `${intent.from.Hostname}:${intent.from.Port}`}
          </dd>
        </div>
        <div>
          <dt>To master</dt>
          <dd className="mono" data-testid="plan-to">
            {plan?.to ?? `${intent.to.Hostname}:${intent.to.Port}`}
          </dd>
        </div>
        <div>
          <dt>Possible</dt>
          <dd data-testid="plan-possible">
            {loading || !plan ? (
              'checking…'
            ) : (
              <span className={`badge ${plan.possible ? 'ok' : 'bad'}`}>{plan.possible ? 'yes' : 'no'}</span>
            )}
          </dd>
        </div>
        {plan?.method && (
          <div>
            <dt>Method</dt>
            <dd>{plan.method}</dd>
          </div>
        )}
      </dl>
      {plan && <p className="muted">can-replicate-from: {plan.canReplicate}</p>}
      {plan && plan.steps.length > 0 && (
        <ol className="plan-steps">
          {plan.steps.map((s, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: steps are a fixed list; the same step may repeat
            <li key={n}>
              {s.Description} <span className="muted">({s.Instance})</span>
            </li>
          ))}
        </ol>
      )}
      {plan && !plan.possible && (
        <ul className="plan-reasons">
          {plan.reasons.map((r) => (
            <li key={r} className="error">
              {r}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
