// Who saw what: the evidence a master (or intermediate master) failure rests on, as pure functions.
//
// A master is dead only when its replicas have lost it too. A replica has lost its master when its
// IO thread is not running (orchestrator's rule), or when its link is provably silent: a live link
// carries an event or a heartbeat at least every heartbeat period, so no change in the replica's
// read position, GTID IO position and heartbeat counter for longer than that period (with margin)
// means the master stopped sending, even while the IO thread still says "Yes" (a hung master, or
// one whose packets vanish, holds the replica's socket open until slave_net_timeout).
//
// Other orchestrator nodes are observers too: when the node deciding cannot reach a master, it
// asks the others, and a master any of them reached since is not dead.
import type { Instance } from '@orchestrator/model';

/**
 * Heartbeats arrive at least every period on a live, idle link: silence past this proves the link
 * dead. The margin (5 %, at least 100 ms) covers the master's scheduling and the network; the
 * silence itself is measured from the first probe that saw the replica's last position, so it is
 * always shorter than the real one. A link flapping for less than half the period never gets here:
 * TCP's retransmissions deliver the held-back packets well within it.
 */
export function silenceThresholdMs(heartbeatPeriodSeconds: number): number {
  return Math.round(heartbeatPeriodSeconds * 1000 + Math.max(heartbeatPeriodSeconds * 50, 100));
}

/** A heartbeat period above this makes detecting a hung or cut-off master slow: a structure warning says so. */
export const SLOW_HEARTBEAT_PERIOD_SECONDS = 5;

export interface ReplicaLinkVerdict {
  /** The replica receives from its master: both threads run and the link is not provably silent. */
  readonly receiving: boolean;
  readonly detail: string;
}

/** What a replica's own state says about its link to the master; `silentMs` is the loop's proven silence. */
export function replicaLinkVerdict(r: Instance, silentMs: number | undefined): ReplicaLinkVerdict {
  if (!r.ReplicationIOThreadRuning) {
    const state = r.SlaveIORunningText || 'not running';
    return { receiving: false, detail: `IO thread ${state}${r.LastIOError ? `: ${r.LastIOError}` : ''}` };
  }
  const period = r.ReplicationLink.HeartbeatPeriodSeconds;
  if (period > 0 && silentMs !== undefined && silentMs >= silenceThresholdMs(period)) {
    return {
      receiving: false,
      detail: `no event or heartbeat for ${(silentMs / 1000).toFixed(1)} s (heartbeat period ${period} s)`,
    };
  }
  if (!r.ReplicationSQLThreadRuning) return { receiving: false, detail: 'SQL thread not running' };
  return {
    receiving: true,
    detail:
      silentMs === undefined || period <= 0
        ? 'IO and SQL threads running'
        : `receiving (last change seen ${(silentMs / 1000).toFixed(1)} s before its latest probe)`,
  };
}

/** One orchestrator node's answer to "have you reached this instance since the suspicion began?". */
export interface ObserverReport {
  readonly Observer: string;
  /** null: no answer in time (cut off from the asking node, or down). */
  readonly Reachable: boolean | null;
  readonly Detail: string;
}

export interface ObserverConsultation {
  /** Every observer answered or its time ran out. */
  readonly complete: boolean;
  readonly reports: readonly ObserverReport[];
}

/** The other orchestrator nodes' views, gathered by the deciding node. */
export interface ObserverViews {
  /** This node's name in Observations. */
  readonly self: string;
  /** There are other nodes to ask: a dead verdict waits for their answers. */
  readonly required: boolean;
  /** keyString → the consultation for that instance's current suspicion. */
  readonly consultations: ReadonlyMap<string, ObserverConsultation>;
}

/** One line of "who saw what" in an analysis entry. */
export interface Observation {
  readonly Observer: string;
  readonly Kind: 'orchestrator' | 'replica';
  readonly Verdict: 'reachable' | 'unreachable' | 'no answer' | 'waiting' | 'receiving' | 'lost';
  readonly Detail: string;
}

export type ObserverDecision =
  | { readonly dead: true }
  | { readonly dead: false; readonly why: 'waiting' | 'reachable'; readonly from: readonly string[] };

/** Whether the other orchestrator nodes let an unreachable instance be called dead. */
const REFUSED = /\b(connection refused|\(111\b)/i;

/**
 * The instance's port refuses connections from this node and from every one of its replicas: its
 * process is gone (kill -9, a crash, a stop). No other observer can reach a closed port, so their
 * views are not waited for; a silent or hung server never refuses, and one that refuses only some
 * observers (a firewall's REJECT) still waits for them.
 */
export function refusedEverywhere(replicas: readonly Instance[], refusedHere: boolean): boolean {
  return (
    refusedHere &&
    replicas.length > 0 &&
    replicas.every(
      (r) => !r.ReplicationIOThreadRuning && r.LastIOErrno === 2003 && REFUSED.test(r.LastIOError),
    )
  );
}

export function observerDecision(
  views: ObserverViews | undefined,
  id: string,
  portClosed = false,
): ObserverDecision {
  if (views === undefined || !views.required || portClosed) return { dead: true };
  const c = views.consultations.get(id);
  if (c === undefined || !c.complete) return { dead: false, why: 'waiting', from: [] };
  const reached = c.reports.filter((r) => r.Reachable === true).map((r) => r.Observer);
  return reached.length > 0 ? { dead: false, why: 'reachable', from: reached } : { dead: true };
}

/** The orchestrator observers' lines: this node, then every node asked. */
export function orchestratorObservations(
  views: ObserverViews | undefined,
  id: string,
  reachableHere: boolean,
  portClosed = false,
): Observation[] {
  const out: Observation[] = [
    {
      Observer: views?.self ?? 'this node',
      Kind: 'orchestrator',
      Verdict: reachableHere ? 'reachable' : 'unreachable',
      Detail: reachableHere
        ? 'its last check succeeded'
        : portClosed
          ? 'connection refused, as for every replica: its port is closed'
          : 'its last check failed',
    },
  ];
  const c = views?.consultations.get(id);
  if (views?.required && !portClosed && (c === undefined || !c.complete)) {
    out.push({
      Observer: 'other orchestrator nodes',
      Kind: 'orchestrator',
      Verdict: 'waiting',
      Detail: 'asked, not all answered yet',
    });
  }
  for (const r of c?.reports ?? []) {
    out.push({
      Observer: r.Observer,
      Kind: 'orchestrator',
      Verdict: r.Reachable === null ? 'no answer' : r.Reachable ? 'reachable' : 'unreachable',
      Detail: r.Detail,
    });
  }
  return out;
}

/** A structure-warning detail when a replica's settings make a hung or cut-off master slow to detect. */
export function slowDetectionDetail(r: Instance): string | undefined {
  const link = r.ReplicationLink;
  const net = link.NetTimeoutSeconds;
  const replica = `${r.Key.Hostname}:${r.Key.Port}`;
  if (link.HeartbeatPeriodSeconds <= 0 && net > 0) {
    return `${replica}: MASTER_HEARTBEAT_PERIOD is 0 (no heartbeats): a hung or cut-off master is noticed only after slave_net_timeout (${net} s); set slave_net_timeout=4 or MASTER_HEARTBEAT_PERIOD=1`;
  }
  if (link.HeartbeatPeriodSeconds > SLOW_HEARTBEAT_PERIOD_SECONDS) {
    return `${replica}: MASTER_HEARTBEAT_PERIOD is ${link.HeartbeatPeriodSeconds} s (slave_net_timeout ${net} s): a hung or cut-off master is noticed only after ~${(silenceThresholdMs(link.HeartbeatPeriodSeconds) / 1000).toFixed(1)} s; set slave_net_timeout=4 (heartbeat 2 s) or MASTER_HEARTBEAT_PERIOD=1`;
  }
  return undefined;
}
