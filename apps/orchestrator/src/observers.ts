// The other orchestrator nodes as observers of a suspected instance. When the leader cannot reach
// an instance with replicas, it asks every other member "have you reached it since this suspicion
// began, or can you now?" (GET /api/instance-reachability on each). Their answers go into the
// analysis: an instance any of them reaches is not dead. A member that does not answer in time is
// recorded as no answer (it may be cut off with the instance, as in a data-centre isolation) and
// does not hold the verdict back.
import type { ObserverConsultation, ObserverReport, ObserverViews } from '@orchestrator/prober';
import type { InstanceKey } from '@orchestrator/store';

export interface Member {
  /** Raft address: the observer's name in analyses. */
  readonly id: string;
  /** API base, e.g. http://10.0.0.2:3000 (undefined until it sent a health report). */
  readonly httpURL: string | undefined;
}

/** One member's answer, or an error for no answer in time. */
export type AskMember = (
  member: Member,
  key: InstanceKey,
  withinMs: number,
) => Promise<{ Reachable: boolean; Detail: string }>;

export interface ObserverPanelOptions {
  readonly self: string;
  /** Every raft member but this node. */
  readonly others: () => readonly Member[];
  readonly ask: AskMember;
  readonly now?: () => number;
  /** Called when a consultation completes (run the analysis again). */
  readonly onComplete?: () => void;
}

interface Consultation extends ObserverConsultation {
  /** The suspicion this consultation is about (epoch ms). */
  readonly since: number;
  complete: boolean;
  /** When the answers were in (epoch ms). */
  completedAt: number;
  reports: ObserverReport[];
}

/** A "reachable" answer holds a dead verdict back for this long; then the others are asked again. */
export const VETO_RECHECK_MS = 2000;

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

export class ObserverPanel {
  private readonly consultations = new Map<string, Consultation>();
  private readonly now: () => number;

  constructor(private readonly o: ObserverPanelOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * Asks every other member about `key`, once per suspicion (`since`, epoch ms). Members without a
   * known HTTP address are recorded as no answer at once.
   */
  consult(key: InstanceKey, since: number): void {
    const id = keyOf(key);
    const existing = this.consultations.get(id);
    if (existing !== undefined && existing.since === since && !this.expired(existing)) return;
    const c: Consultation = { since, complete: false, completedAt: 0, reports: [] };
    this.consultations.set(id, c);
    const others = this.o.others();
    // Only what an observer saw after this node started failing to reach the instance counts.
    const withinMs = Math.max(0, this.now() - since);
    const asks = others.map(async (member): Promise<ObserverReport> => {
      if (member.httpURL === undefined) {
        return { Observer: member.id, Reachable: null, Detail: 'its HTTP address is not known yet' };
      }
      try {
        const answer = await this.o.ask(member, key, withinMs);
        return { Observer: member.id, Reachable: answer.Reachable, Detail: answer.Detail };
      } catch (error) {
        return { Observer: member.id, Reachable: null, Detail: `no answer: ${(error as Error).message}` };
      }
    });
    void Promise.all(asks).then((reports) => {
      if (this.consultations.get(id) !== c) return; // superseded by a newer suspicion
      c.reports = reports;
      c.complete = true;
      c.completedAt = this.now();
      this.o.onComplete?.();
    });
  }

  /**
   * A veto ("I reached it") is re-examined after VETO_RECHECK_MS while the instance stays
   * unreachable from here: an answer racing the failure itself must not hold a recovery back forever.
   */
  private expired(c: Consultation): boolean {
    return (
      c.complete &&
      c.reports.some((r) => r.Reachable === true) &&
      this.now() - c.completedAt >= VETO_RECHECK_MS
    );
  }

  /** Forgets consultations about instances no longer suspected. */
  retain(suspected: ReadonlySet<string>): void {
    for (const id of this.consultations.keys()) if (!suspected.has(id)) this.consultations.delete(id);
  }

  views(): ObserverViews {
    return {
      self: this.o.self,
      required: this.o.others().length > 0,
      consultations: this.consultations,
    };
  }
}
