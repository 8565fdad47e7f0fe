// The discovery loop's worker pool: which due instance is probed next, within the concurrency
// limit. Three queues: urgent (API requests, bursts) first, then the slow lane (instances whose
// last check failed, capped at slowLaneLimit so they cannot starve healthy probes), then the rest.
// Pure bookkeeping, no timers or I/O.
import { slowLaneLimit } from './schedule.js';

/** What the queues need to know of an instance's entry. */
export interface Queueable {
  readonly id: string;
  inFlight: boolean;
  queued: boolean;
  urgent: boolean;
}

export class WorkQueues<E extends Queueable> {
  private readonly urgentQueue: E[] = [];
  private readonly fastQueue: E[] = [];
  private readonly slowQueue: E[] = [];
  private running = 0;
  private slowRunning = 0;

  /** Queues a due instance: in the slow lane when its last check failed. */
  enqueueDue(e: E, failing: boolean): void {
    e.queued = true;
    (failing ? this.slowQueue : this.fastQueue).push(e);
  }

  /** Marks `e` urgent; false when it is running now (it is picked up again when that probe ends). */
  enqueueUrgent(e: E): boolean {
    e.urgent = true;
    if (e.inFlight) return false;
    if (!e.queued) {
      e.queued = true;
      this.urgentQueue.push(e);
    } else if (!this.urgentQueue.includes(e)) {
      this.urgentQueue.push(e);
    }
    return true;
  }

  /**
   * The next instance to probe and whether it takes a slow-lane slot, or undefined when `max`
   * probes run already or nothing is waiting. Entries `isLive` rejects (forgotten) are dropped.
   */
  next(max: number, isLive: (e: E) => boolean): { entry: E; slow: boolean } | undefined {
    const slowMax = slowLaneLimit(max);
    while (this.running < max) {
      let e: E | undefined;
      let slow = false;
      if (this.urgentQueue.length > 0) e = this.urgentQueue.shift();
      else if (this.slowQueue.length > 0 && this.slowRunning < slowMax) {
        e = this.slowQueue.shift();
        slow = true;
      } else if (this.fastQueue.length > 0) e = this.fastQueue.shift();
      else return undefined;
      if (!e || e.inFlight || !isLive(e)) continue;
      return { entry: e, slow };
    }
    return undefined;
  }

  /** A probe of `e` starts. */
  started(e: E, slow: boolean): void {
    e.inFlight = true;
    e.queued = false;
    e.urgent = false;
    this.running++;
    if (slow) this.slowRunning++;
  }

  /** A probe of `e` ended. */
  finished(e: E, slow: boolean): void {
    this.running--;
    if (slow) this.slowRunning--;
    e.inFlight = false;
  }

  /** Instances due but not started. */
  backlog(): number {
    return this.urgentQueue.length + this.fastQueue.length + this.slowQueue.length;
  }

  /** Probes running now. */
  active(): number {
    return this.running;
  }

  clear(): void {
    this.urgentQueue.length = 0;
    this.fastQueue.length = 0;
    this.slowQueue.length = 0;
  }
}
