// The leader guard (reference §1.9) as one pure decision, used by every path a request can take
// (the Koa pipeline and the follower's fast path): answer here, forward to the leader, or refuse.
import { ApiError, unauthorized } from './errors.js';
import type { RouteDef } from './route.js';

export type Forwarding =
  | { readonly action: 'local' }
  | {
      readonly action: 'forward';
      readonly leaderURI: string;
      /** A short read that may share a pipelined connection (route.cacheable). */
      readonly quickRead: boolean;
      /** May be sent again on a fresh connection (the route declares it, reads by default). */
      readonly idempotent: boolean;
    }
  | { readonly action: 'refuse'; readonly error: ApiError };

export interface ForwardingState {
  readonly raftEnabled: boolean;
  readonly isLeader: boolean;
  /** The leader's HTTP URI as the replicated state holds it ('' when unknown). */
  readonly leaderURI: string;
  /** This request was forwarded to this node by another node already. */
  readonly alreadyForwarded: boolean;
  /** The raft state, for the NO_LEADER answer. */
  readonly raftState: string;
}

export interface ForwardingOptions {
  readonly ownURL: string;
  readonly noLeaderReads: 'unavailable' | 'local';
}

/** Whether a route's request may be sent twice: its own declaration, else reads yes, writes no. */
export function isIdempotent(route: Pick<RouteDef, 'kind' | 'idempotent'>): boolean {
  return route.idempotent ?? route.kind !== 'write';
}

export function decideForwarding(
  route: Pick<RouteDef, 'kind' | 'idempotent' | 'cacheable'>,
  state: ForwardingState,
  o: ForwardingOptions,
): Forwarding {
  if (route.kind === 'local' || !state.raftEnabled || state.isLeader) return LOCAL;
  const isWrite = route.kind === 'write';
  // Forwarded once already: this node lost leadership meanwhile. Never bounce the request again.
  if (state.alreadyForwarded) return isWrite ? { action: 'refuse', error: unauthorized() } : LOCAL;
  const leaderURI = state.leaderURI.replace(/\/+$/, '');
  if (leaderURI === '') {
    if (!isWrite && o.noLeaderReads === 'local') return LOCAL;
    return {
      action: 'refuse',
      error: new ApiError(
        'NO_LEADER',
        503,
        'no raft leader is known: this node cannot serve the request now',
        {
          RaftState: state.raftState,
        },
      ),
    };
  }
  // A stale LeaderURI naming this node: answer reads locally, refuse writes.
  if (leaderURI === o.ownURL) return isWrite ? { action: 'refuse', error: unauthorized() } : LOCAL;
  return {
    action: 'forward',
    leaderURI,
    quickRead: !isWrite && route.cacheable === true,
    idempotent: isIdempotent(route),
  };
}

const LOCAL: Forwarding = { action: 'local' };
