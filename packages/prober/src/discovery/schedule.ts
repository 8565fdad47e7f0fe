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
