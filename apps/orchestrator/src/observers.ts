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
  reports: ObserverReport[];
}

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
    if (existing !== undefined && existing.since === since) return;
    const c: Consultation = { since, complete: false, reports: [] };
    this.consultations.set(id, c);
    const others = this.o.others();
    // A little slack so an observer's own probe that began just before the suspicion still counts.
    const withinMs = Math.max(0, this.now() - since) + 500;
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
      this.o.onComplete?.();
    });
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
