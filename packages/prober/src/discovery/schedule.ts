// Pure scheduling rules of the discovery loop, separated so they can be tested without timers.

/**
 * Delay before re-probing an instance after `failures` consecutive failed probes: one poll interval
 * for the first failure (a dead master must keep being looked at), then doubling, capped.
 */
export function backoffMs(failures: number, pollMs: number, maxMs: number): number {
  if (failures <= 1) return pollMs;
  return Math.min(maxMs, pollMs * 2 ** Math.min(failures - 1, 20));
}

/** How many slow-lane (failing) probes may run at once: a tenth of the workers, at least 2 (never more than all of them). */
export function slowLaneLimit(concurrency: number): number {
  return Math.min(concurrency, Math.max(2, Math.floor(concurrency / 10)));
}

/** A burst's first rounds come quickly (replicas notice a killed master within milliseconds). */
export const QUICK_BURST_ROUNDS = 4;
export const QUICK_BURST_MS = 25;

/** The delay before burst round `roundsDone + 1`. */
export function burstDelayMs(roundsDone: number, intervalMs: number): number {
  return roundsDone < QUICK_BURST_ROUNDS ? Math.min(QUICK_BURST_MS, intervalMs) : intervalMs;
}

export interface BurstState {
  /** The instance is still known. */
  readonly present: boolean;
  /** It answers, is not suspected, and every replica replicates (or is itself failing). */
  readonly settled: boolean;
  /** It is suspected (slow ping, failed check): its replicas' silence is the evidence. */
  readonly suspect: boolean;
  readonly now: number;
  /** When the burst's normal duration ends. */
  readonly until: number;
}

/**
 * After a burst round: undefined to end the burst (gone, settled, or over and not suspect), else
 * the delay before the next round. A suspect instance keeps its replicas watched once a second
 * after the burst's duration.
 */
export function nextBurstRoundMs(s: BurstState, roundsDone: number, intervalMs: number): number | undefined {
  if (!s.present || s.settled || (s.now >= s.until && !s.suspect)) return undefined;
  return s.now >= s.until ? 1000 : burstDelayMs(roundsDone, intervalMs);
}
