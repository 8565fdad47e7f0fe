// Leader detection as the reference client does it (§7.2): with several API URLs, the first (in the
// given order) answering 200 to `leader-check` within the probe timeout wins; failing that, the
// first answering 200 to `routed-leader-check` (a follower that proxies to the leader).
// The probes of one round run in parallel, which changes the time taken but not the choice.
import { type LeaderProbeAnswer, NoLeaderError, UnauthorizedError } from './errors.js';

/** Answers "200", "404", … or a connection error text for `<api>/<check>`. */
export type LeaderProbe = (api: string, check: 'leader-check' | 'routed-leader-check') => Promise<string>;

export async function detectLeader(apis: string[], probe: LeaderProbe): Promise<string> {
  const direct = await Promise.all(apis.map((api) => probe(api, 'leader-check')));
  const directIndex = direct.indexOf('200');
  if (directIndex >= 0) return apis[directIndex]!;

  const routed = await Promise.all(apis.map((api) => probe(api, 'routed-leader-check')));
  const routedIndex = routed.indexOf('200');
  if (routedIndex >= 0) return apis[routedIndex]!;

  const unauthorized = direct.indexOf('401');
  if (unauthorized >= 0) throw new UnauthorizedError(apis[unauthorized]!, 'leader-check');
  const answers: LeaderProbeAnswer[] = apis.map((api, i) => ({
    api,
    leaderCheck: direct[i]!,
    routedLeaderCheck: routed[i]!,
  }));
  throw new NoLeaderError(apis, answers);
}
